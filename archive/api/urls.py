from django.urls import path

from archive.api import views

urlpatterns = [
    path("studies/", views.StudyListView.as_view(), name="api-study-list"),
    path("studies/<str:accession>/", views.StudyDetailView.as_view(), name="api-study-detail"),
    path("studies/<str:accession>/versions/<int:version>/", views.StudyVersionView.as_view(), name="api-study-version"),
    path("studies/<str:accession>/files/", views.StudyFilesView.as_view(), name="api-study-files"),
]
