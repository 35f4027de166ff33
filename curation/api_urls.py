"""The curator API (docs/design.md §10.3)."""

from django.urls import path

from curation.api import ACTION_VIEWS

urlpatterns = [
    path(f"studies/<str:accession>/{action}/", view.as_view(), name=f"api-curation-study-{action}")
    for action, view in ACTION_VIEWS.items()
]
