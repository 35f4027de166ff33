"""Collaborators: the owner invites existing users, by username or e-mail, to see a confidential study."""

import pytest
from django.urls import reverse
from django_q.models import Task

from archive.selectors.visibility import study_collaborators
from archive.services.access import COLLABORATOR_INVITE_ANSWER, study_collaborator_add, study_collaborator_invite
from core.errors import NotAllowed
from tests.factories import UserFactory, make_study

pytestmark = pytest.mark.django_db


@pytest.fixture
def confidential(submitter):
    return make_study(owner=submitter, status="confidential", title="Confidential organoid atlas")


def _invite_url(study) -> str:
    return reverse("api-study-collaborators", args=[study.accession])


def _remove_url(study, username: str) -> str:
    return reverse("api-study-collaborator", args=[study.accession, username])


def _page(study) -> str:
    return reverse("study-detail", args=[study.accession])


def test_invited_collaborator_sees_the_confidential_study_page(
    confidential, submitter_client, other_user, other_client
):
    assert other_client.get(_page(confidential)).status_code == 404
    response = submitter_client.post(_invite_url(confidential), {"user": "other_user"}, content_type="application/json")
    assert response.status_code == 202, response.content
    assert response.json() == {"detail": COLLABORATOR_INVITE_ANSWER}
    assert other_client.get(_page(confidential)).status_code == 200
    assert list(study_collaborators(study=confidential)) == [other_user]


def test_removed_collaborator_no_longer_sees_the_study(confidential, submitter_client, other_user, other_client):
    study_collaborator_invite(study=confidential, actor=confidential.owner, username_or_email="other_user")
    assert other_client.get(_page(confidential)).status_code == 200
    assert submitter_client.delete(_remove_url(confidential, "other_user")).status_code == 204
    assert other_client.get(_page(confidential)).status_code == 404
    assert submitter_client.delete(_remove_url(confidential, "other_user")).status_code == 404


def test_collaborator_invited_by_email_case_insensitively(confidential, submitter_client, other_user, other_client):
    response = submitter_client.post(
        _invite_url(confidential), {"user": "Other_User@Example.org"}, content_type="application/json"
    )
    assert response.status_code == 202, response.content
    assert other_client.get(_page(confidential)).status_code == 200


def test_collaborator_invite_does_not_reveal_accounts(confidential, submitter_client, other_user):
    UserFactory(username="twin_a", email="twins@example.org")
    UserFactory(username="twin_b", email="twins@example.org")
    UserFactory(username="left", email="left@example.org", is_active=False)
    named = ["nobody@example.org", "other_user@example.org", "twins@example.org", "left@example.org", "ghost"]

    answers = [
        submitter_client.post(_invite_url(confidential), {"user": value}, content_type="application/json")
        for value in named
    ]

    assert {(a.status_code, tuple(a.headers.items()), a.content) for a in answers} == {
        (answers[0].status_code, tuple(answers[0].headers.items()), answers[0].content)
    }
    assert answers[0].status_code == 202
    assert answers[0].json() == {"detail": COLLABORATOR_INVITE_ANSWER}
    assert list(study_collaborators(study=confidential)) == [other_user]


def test_collaborator_invite_needs_a_name(confidential, submitter_client):
    for body in ({}, {"user": "   "}):
        missing = submitter_client.post(_invite_url(confidential), body, content_type="application/json")
        assert missing.status_code == 400 and "user" in missing.json()


def test_only_owner_or_curator_invites_collaborators(confidential, other_user, curator):
    study_collaborator_add(study=confidential, user=other_user, actor=confidential.owner)
    third = UserFactory(username="third")
    with pytest.raises(NotAllowed):
        study_collaborator_invite(study=confidential, actor=other_user, username_or_email="third")
    study_collaborator_invite(study=confidential, actor=curator, username_or_email="third")
    assert set(study_collaborators(study=confidential)) == {other_user, third}


def test_collaborator_sees_but_cannot_invite_or_remove(confidential, other_user, other_client):
    study_collaborator_add(study=confidential, user=other_user, actor=confidential.owner)
    UserFactory(username="third")
    response = other_client.post(_invite_url(confidential), {"user": "third"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["rule"] == "COLLABORATOR"
    assert other_client.delete(_remove_url(confidential, "other_user")).status_code == 403


def test_collaborator_api_is_404_to_those_who_cannot_see_the_study(confidential, other_client, anonymous_client):
    assert (
        other_client.post(_invite_url(confidential), {"user": "x"}, content_type="application/json").status_code == 404
    )
    # Anonymous writes are refused before the study is looked up: the same answer for every study.
    response = anonymous_client.post(_invite_url(confidential), {"user": "x"}, content_type="application/json")
    assert response.status_code == 403 and response.json()["rule"] == "AUTH"


def test_owner_cannot_be_invited_or_removed(confidential, submitter, submitter_client):
    response = submitter_client.post(_invite_url(confidential), {"user": "submitter"}, content_type="application/json")
    assert response.status_code == 400
    assert submitter_client.delete(_remove_url(confidential, "submitter")).status_code == 404
    assert submitter_client.get(_page(confidential)).status_code == 200


def test_released_study_needs_no_collaborators(submitter, submitter_client, other_user):
    released = make_study(owner=submitter)
    response = submitter_client.post(_invite_url(released), {"user": "other_user"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["rule"] == "COLLABORATOR"


def test_invited_collaborator_is_told_by_email_through_the_task_queue(
    confidential, other_user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        study_collaborator_invite(study=confidential, actor=confidential.owner, username_or_email="other_user")
    # Queued, so the answer never waits on the mail server: its delay would tell a known address from an unknown.
    [task] = Task.objects.all()
    assert (task.func, task.success) == ("archive.tasks.collaborator_invitation_send", True)
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [other_user.email] and confidential.accession in mail.subject
    assert f"/studies/{confidential.accession}/" in mail.body and "Confidential organoid atlas" in mail.body


def test_an_invitation_naming_no_account_sends_nothing(confidential, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        study_collaborator_invite(study=confidential, actor=confidential.owner, username_or_email="nobody")
    assert not Task.objects.exists()
    assert mailoutbox == []
