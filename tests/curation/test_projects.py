"""Structured projects (P-PROJECT): proposal, scoring, decision, e-mail, and what an accepted project lets through."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from core.errors import NotAllowed, PolicyViolation
from core.models import CurationEvent
from curation.projects.services import (
    project_balance,
    project_decide,
    project_propose,
    project_score,
)
from submissions.models import ProjectProposal, ProjectState, ReviewReason, SubmissionState
from submissions.review_rules import project_is_accepted
from tests.curation.review_helpers import in_review_for_no_publication
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PROPOSAL = {
    "name": "Fly brain atlas",
    "description": "A reference atlas of the adult fly brain at synaptic resolution.",
    "category": "lasting_reuse",
    "expected_volume_gb": "4000",
    "expected_datasets": "12",
    "expected_images": "250000",
    "timeline": "First datasets in spring, the rest over two years.",
    "metadata_needs": "Neuron identifiers from the connectome.",
    "curation_support": "Help mapping the metadata to REMBI.",
    "funding_status": "Funded by a five-year grant.",
}
SCORES = {"volume": 4, "curation": 2, "metadata": 3, "funding": 1, "impact": 5}


def proposal(proposer, **overrides) -> ProjectProposal:
    fields = {**PROPOSAL, **overrides}
    for name in ("expected_volume_gb", "expected_datasets", "expected_images"):
        fields[name] = int(fields[name])
    return project_propose(actor=proposer, **fields)


def decide_url(project) -> str:
    return reverse("admin:submissions_projectproposal_decide", args=[project.pk])


def audit_rows(project, action: str) -> list[CurationEvent]:
    return list(CurationEvent.objects.filter(target_type="project", target_id=str(project.pk), action=action))


def test_p_project_proposal_form_records_every_field(submitter, submitter_client):
    response = submitter_client.get(reverse("projects:propose"))
    assert response.status_code == 200
    for label in ("Project name", "Expected volume (GB)", "Metadata specification needs", "Funding status"):
        assert label in response.content.decode()

    response = submitter_client.post(reverse("projects:propose"), PROPOSAL)
    project = ProjectProposal.objects.get()
    assert response.status_code == 302 and response.url == reverse("projects:detail", args=[project.pk])
    assert project.proposer == submitter and project.state == ProjectState.PROPOSED
    assert project.expected_images == 250_000 and project.funding_status == "Funded by a five-year grant."
    assert len(audit_rows(project, "project.proposed")) == 1


def test_p_project_proposal_form_shows_missing_fields(submitter_client):
    response = submitter_client.post(reverse("projects:propose"), {**PROPOSAL, "name": "", "category": "other"})
    assert response.status_code == 400
    assert not ProjectProposal.objects.exists()
    assert "This field is required." in response.content.decode()
    assert "Select a valid choice." in response.content.decode()


def test_p_project_proposing_needs_a_signed_in_user(anonymous_client):
    response = anonymous_client.get(reverse("projects:propose"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_p_project_list_shows_the_proposers_own_proposals_only(submitter, other_user, submitter_client):
    proposal(submitter)
    proposal(other_user, name="Someone else's screen")
    html = submitter_client.get(reverse("projects:list")).content.decode()
    assert "Fly brain atlas" in html and "Someone else&#x27;s screen" not in html
    assert "Proposed, waiting for a decision" in html


def test_p_project_list_empty_state(submitter_client):
    assert (
        "You have not proposed a structured project yet."
        in submitter_client.get(reverse("projects:list")).content.decode()
    )


def test_p_project_status_page_visible_only_to_its_proposer_and_curators(
    submitter, submitter_client, other_client, curator_client, anonymous_client
):
    project = proposal(submitter)
    url = reverse("projects:detail", args=[project.pk])
    assert submitter_client.get(url).status_code == 200
    assert curator_client.get(url).status_code == 200
    assert other_client.get(url).status_code == 404
    assert anonymous_client.get(url).status_code == 302


def test_p_project_curators_score_in_the_admin_and_see_the_balance(submitter, curator, curator_client):
    project = proposal(submitter)
    assert "Not scored yet." in curator_client.get(decide_url(project)).content.decode()
    response = curator_client.post(decide_url(project), {"score": "1", **SCORES})
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.score_volume, project.score_impact) == (4, 5)
    # impact 5 minus the mean resource cost (4 + 2 + 3 + 1) / 4 = 2.5
    assert project_balance(project).value == 2.5
    html = curator_client.get(decide_url(project)).content.decode()
    assert "+2.50" in html and "impact minus the mean of the four resource scores" in html
    (row,) = audit_rows(project, "project.scored")
    assert row.actor == curator and row.data["balance"] == 2.5
    changelist = curator_client.get(reverse("admin:submissions_projectproposal_changelist")).content.decode()
    assert "Fly brain atlas" in changelist and "+2.50" in changelist


def test_p_project_scores_start_empty_and_each_must_be_chosen(submitter, curator_client):
    project = proposal(submitter)

    html = curator_client.get(decide_url(project)).content.decode()
    for name in SCORES:
        select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
        assert select and re.search(r'<option value="" selected>Choose a score</option>', select.group(1)), name
        assert "required" in re.search(rf'<select name="{name}"[^>]*>', html).group(0)

    response = curator_client.post(decide_url(project), {"score": "1", **SCORES, "funding": ""})

    assert response.status_code == 400
    assert "Choose a score from 1 to 5." in response.content.decode()
    project.refresh_from_db()
    assert project.score_volume is None and project.score_funding is None
    assert not audit_rows(project, "project.scored")


def test_p_project_scores_run_from_one_to_five(submitter, curator):
    project = proposal(submitter)
    with pytest.raises(PolicyViolation) as error:
        project_score(project=project, actor=curator, **{**SCORES, "impact": 6})
    assert error.value.field == "score_impact" and error.value.rule == "P-PROJECT"


def test_p_project_is_decided_only_once_scored(submitter, curator):
    project = proposal(submitter)
    with pytest.raises(PolicyViolation) as error:
        project_decide(project=project, actor=curator, decision=ProjectState.ACCEPTED, note="Welcome")
    assert error.value.field == "scores"


@pytest.mark.parametrize(
    ("decision", "said"),
    [
        (ProjectState.ACCEPTED, "can now be made without a related publication"),
        (ProjectState.ACCEPTED_IF_FUNDED, "once dedicated funding is in place"),
        (ProjectState.DECLINED, "Declined"),
    ],
)
def test_p_project_decision_is_recorded_and_emailed_to_the_proposer(
    submitter, curator, curator_client, submitter_client, mailoutbox, django_capture_on_commit_callbacks, decision, said
):
    project = proposal(submitter)
    project_score(project=project, actor=curator, **SCORES)
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(decide_url(project), {"decide": "1", "decision": decision, "note": "Thank you."})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.state == decision and project.decided_by == curator and project.decision_note == "Thank you."
    (row,) = audit_rows(project, "project.decided")
    assert row.reason_category == decision and row.note == "Thank you."
    (mail,) = mailoutbox
    assert mail.to == [submitter.email] and "Fly brain atlas" in mail.subject
    assert "Thank you." in mail.body and said in mail.body
    assert f"/projects/{project.pk}/" in mail.body
    status_page = submitter_client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert project.get_state_display() in status_page and "Thank you." in status_page


def test_p_project_decision_needs_a_note(submitter, curator, curator_client):
    project = proposal(submitter)
    project_score(project=project, actor=curator, **SCORES)
    response = curator_client.post(decide_url(project), {"decide": "1", "decision": "accepted", "note": " "})
    assert response.status_code == 400
    project.refresh_from_db()
    assert project.state == ProjectState.PROPOSED


def test_p_project_accepted_subject_to_funding_is_decided_again_then_final(submitter, curator):
    project = proposal(submitter)
    project_score(project=project, actor=curator, **SCORES)
    project = project_decide(project=project, actor=curator, decision=ProjectState.ACCEPTED_IF_FUNDED, note="Fund it")
    assert not project_is_accepted(project)
    project = project_decide(project=project, actor=curator, decision=ProjectState.ACCEPTED, note="Funded now")
    assert project_is_accepted(project)
    with pytest.raises(PolicyViolation) as error:
        project_decide(project=project, actor=curator, decision=ProjectState.DECLINED, note="Changed our minds")
    assert error.value.field == "state"
    assert not project_is_accepted(None)


def test_p_project_only_curators_score_and_decide(submitter, submitter_client, other_client):
    project = proposal(submitter)
    staff = Client()
    staff.force_login(UserFactory(username="staff_not_curator", is_staff=True))
    for client in (submitter_client, other_client, staff):
        assert client.get(decide_url(project)).status_code == 403
        assert client.post(decide_url(project), {"score": "1", **SCORES}).status_code == 403
    with pytest.raises(NotAllowed):
        project_score(project=project, actor=submitter, **SCORES)
    with pytest.raises(NotAllowed):
        project_decide(project=project, actor=submitter, decision=ProjectState.ACCEPTED, note="Mine")
    project.refresh_from_db()
    assert project.score_impact is None and project.state == ProjectState.PROPOSED


@pytest.mark.parametrize(
    ("decision", "waits"),
    [
        (None, True),
        (ProjectState.ACCEPTED_IF_FUNDED, True),
        (ProjectState.DECLINED, True),
        (ProjectState.ACCEPTED, False),
    ],
)
def test_p_project_a_submission_without_publication_passes_only_with_an_accepted_project(
    submitter, curator, decision, waits
):
    project = proposal(submitter)
    if decision is not None:
        project_score(project=project, actor=curator, **SCORES)
        project_decide(project=project, actor=curator, decision=decision, note="Decided")
    submission = in_review_for_no_publication(submitter, project=project)
    assert (ReviewReason.NO_PUBLICATION in submission.review_reasons) is waits
    assert submission.state == (SubmissionState.IN_REVIEW if waits else SubmissionState.SUBMITTED)


def test_p_project_proposal_name_is_one_line_as_the_decision_e_mail_subject_needs(submitter, submitter_client):
    response = submitter_client.post(reverse("projects:propose"), {**PROPOSAL, "name": "Fly brain\ratlas"})
    assert response.status_code == 400
    assert "Keep it on one line, without control characters (found U+000D)." in response.content.decode()
    assert not ProjectProposal.objects.exists()
