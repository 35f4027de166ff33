"""Structured-project proposals for signed-in users (P-PROJECT)."""

from django.urls import path

from curation.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("propose/", views.project_propose_view, name="propose"),
    path("<int:pk>/", views.project_detail, name="detail"),
]
