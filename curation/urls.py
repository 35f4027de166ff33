"""Curator pages outside the model admin: the review queue and the dashboard."""

from django.urls import include, path

from curation import views

app_name = "curation"
urlpatterns = [
    path("review/", include("curation.review.urls")),
    path("dashboard/", views.dashboard, name="dashboard"),
]
