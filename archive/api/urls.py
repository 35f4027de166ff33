from django.urls import path

from archive.api import access, views

urlpatterns = [
    path("studies/", views.StudyListView.as_view(), name="api-study-list"),
    path("studies/<str:accession>/", views.StudyDetailView.as_view(), name="api-study-detail"),
    path("studies/<str:accession>/versions/<int:version>/", views.StudyVersionView.as_view(), name="api-study-version"),
    path("studies/<str:accession>/files/", views.StudyFilesView.as_view(), name="api-study-files"),
    path("studies/<str:accession>/folders/", views.StudyFoldersView.as_view(), name="api-study-folders"),
    path(
        "studies/<str:accession>/reviewer-links/", access.ReviewerLinksView.as_view(), name="api-study-reviewer-links"
    ),
    path(
        "studies/<str:accession>/reviewer-links/<int:link_id>/",
        access.ReviewerLinkDetailView.as_view(),
        name="api-study-reviewer-link",
    ),
    path("studies/<str:accession>/collaborators/", access.CollaboratorsView.as_view(), name="api-study-collaborators"),
    path(
        "studies/<str:accession>/collaborators/<str:username>/",
        access.CollaboratorDetailView.as_view(),
        name="api-study-collaborator",
    ),
]
