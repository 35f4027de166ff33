"""Curator pages outside the model admin: the review queue and the dashboard."""

from django.urls import path

from curation import views

app_name = "curation"
urlpatterns = [
    path("review/", views.review_queue_list, name="review_queue"),
    path("review/<int:pk>/", views.review_detail, name="review_detail"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
