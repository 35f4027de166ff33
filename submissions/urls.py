"""The submission wizard, the submitter's list of submissions and their status pages."""

from django.urls import path

from submissions import views

app_name = "submissions"
urlpatterns = [
    path("", views.submission_list, name="list"),
    path("new/", views.submission_new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/<slug:step>/", views.step, name="step"),
    path("versions/<str:accession>/", views.version_start, name="version-start"),
]
