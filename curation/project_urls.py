"""Structured-project proposals for signed-in users (P-PROJECT)."""

app_name = "projects"
urlpatterns = []
