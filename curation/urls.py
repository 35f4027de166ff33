"""Curator pages outside the model admin (dashboard)."""

app_name = "curation"
urlpatterns = []
