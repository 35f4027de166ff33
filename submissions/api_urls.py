from django.urls import path

from submissions import api

# Mounted at /api/v1/ before archive's API, so `studies/<acc>/versions/` is answered here.
urlpatterns = [
    path("scope-form/", api.ScopeFormView.as_view(), name="api-scope-form"),
    path("submissions/", api.SubmissionListView.as_view(), name="api-submission-list"),
    path("submissions/<int:submission_id>/", api.SubmissionDetailView.as_view(), name="api-submission-detail"),
    path("submissions/<int:submission_id>/file-list/", api.FileListView.as_view(), name="api-submission-file-list"),
    path("submissions/<int:submission_id>/submit/", api.SubmitView.as_view(), name="api-submission-submit"),
    path("studies/<str:accession>/versions/", api.StudyVersionStartView.as_view(), name="api-study-versions"),
]
