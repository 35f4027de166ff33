"""Which structured project a submission may name (P-PROJECT): only one its submitter proposed.

Another user's project is refused exactly as an id that does not exist, so
the answer tells nothing about other users' proposals.
"""

import json

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from core.errors import PolicyViolation
from submissions.models import ProjectState, Submission
from submissions.services import submission_create_draft, submission_project_set
from tests.submissions.move_helpers import decided_project

pytestmark = pytest.mark.django_db

URL = "/api/v1/submissions/"
UNKNOWN_ID = 10**9
NO_PUBLICATION = {"title": "Organelle atlas, plate 1", "no_publication_reason": "A reference atlas."}


@pytest.fixture
def token_client(submitter) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=submitter).key}")


@pytest.fixture
def their_project(other_user, curator):
    return decided_project(other_user, curator, ProjectState.ACCEPTED)


def _post(client, body: dict):
    return client.post(URL, json.dumps(body), content_type="application/json")


def _patch(client, submission_id: int, body: dict):
    return client.patch(f"{URL}{submission_id}/", json.dumps(body), content_type="application/json")


def test_p_project_api_create_refuses_another_users_project_exactly_like_an_unknown_id(token_client, their_project):
    foreign = _post(token_client, {**NO_PUBLICATION, "project": their_project.pk})
    unknown = _post(token_client, {**NO_PUBLICATION, "project": UNKNOWN_ID})
    assert foreign.status_code == unknown.status_code == 400
    assert foreign.content == unknown.content
    assert foreign.json()["rule"] == "P-PROJECT" and "project" in foreign.json()
    assert not Submission.objects.exists()


def test_p_project_api_patch_refuses_another_users_project_exactly_like_an_unknown_id(
    token_client, submitter, curator, their_project
):
    mine = decided_project(submitter, curator, ProjectState.ACCEPTED)
    submission_id = _post(token_client, {**NO_PUBLICATION, "project": mine.pk}).json()["id"]
    foreign = _patch(token_client, submission_id, {"title": "Renamed", "project": their_project.pk})
    unknown = _patch(token_client, submission_id, {"title": "Renamed", "project": UNKNOWN_ID})
    assert foreign.status_code == unknown.status_code == 400
    assert foreign.content == unknown.content
    submission = Submission.objects.get()
    assert submission.project == mine and submission.metadata["title"] == NO_PUBLICATION["title"]


def test_p_project_api_names_the_submitters_own_project(token_client, submitter, curator):
    mine = decided_project(submitter, curator, ProjectState.ACCEPTED)
    response = _post(token_client, {**NO_PUBLICATION, "project": mine.pk})
    assert response.status_code == 201, response.content
    assert response.json()["project"] == mine.pk
    response = _patch(token_client, response.json()["id"], {"project": None})
    assert response.status_code == 200 and response.json()["project"] is None


def test_p_project_service_refuses_another_users_project_like_an_unknown_one(submitter, their_project):
    draft = submission_create_draft(owner=submitter, metadata=NO_PUBLICATION)
    refusals = []
    for project_id in (their_project.pk, UNKNOWN_ID):
        with pytest.raises(PolicyViolation) as raised:
            submission_project_set(submission=draft, actor=submitter, project_id=project_id)
        refusals.append(raised.value.as_dict())
    assert refusals[0] == refusals[1] and refusals[0]["rule"] == "P-PROJECT"
    draft.refresh_from_db()
    assert draft.project is None


def test_p_project_wizard_refuses_another_users_project_like_an_unknown_one(
    submitter_client, submitter, curator, their_project
):
    decided_project(submitter, curator, ProjectState.ACCEPTED)  # the step offers a choice only to proposers
    draft = submission_create_draft(owner=submitter, metadata=NO_PUBLICATION)
    url = reverse("submissions:step", args=[draft.pk, "metadata"])
    pages = [
        submitter_client.post(
            url, {"title": "T", "project": str(project_id), "authors-TOTAL_FORMS": "0", "authors-INITIAL_FORMS": "0"}
        )
        for project_id in (their_project.pk, UNKNOWN_ID)
    ]
    assert [page.status_code for page in pages] == [400, 400]
    assert "Select a valid choice" in pages[0].content.decode()
    draft.refresh_from_db()
    assert draft.project is None and draft.metadata == NO_PUBLICATION
