"""The submission wizard."""

app_name = "submissions"
urlpatterns = []
