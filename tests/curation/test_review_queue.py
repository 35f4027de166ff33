"""The review queue (issue #6, part 3): what waits for a curator, and the three decisions."""

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from archive.models import Study
from core.errors import NotAllowed, PolicyViolation
from core.models import CurationEvent
from curation.review.services import (
    RefusalReason,
    submission_changes_request,
    submission_refuse,
    submission_review_accept,
)
from submissions import scope
from submissions.models import ReviewReason, SubmissionState
from submissions.services import submission_submit
from submissions.services.drafts import submission_release_date_set
from tests.curation.review_helpers import (
    in_review_for_dicom,
    in_review_for_no_publication,
    in_review_for_release_date,
    in_review_for_scope,
    submitted,
)
from tests.factories import UserFactory
from uploads.models import UploadFile

pytestmark = pytest.mark.django_db

QUEUE = reverse("curation:review_queue")


def detail_url(submission) -> str:
    return reverse("curation:review_detail", args=[submission.pk])


def audit_rows(submission, action: str) -> list[CurationEvent]:
    return list(CurationEvent.objects.filter(target_type="submission", target_id=str(submission.pk), action=action))


def held(submission) -> set[bool]:
    return set(
        UploadFile.objects.filter(submission_files__submission=submission).values_list("held_by_submission", flat=True)
    )


@pytest.fixture
def four_kinds(submitter):
    """One submission waiting for each reason, a day apart, the DICOM one oldest."""
    start = timezone.now() - datetime.timedelta(days=10)
    made = {}
    for day, (kind, build) in enumerate(
        [
            ("dicom", in_review_for_dicom),
            ("scope", in_review_for_scope),
            ("no_publication", in_review_for_no_publication),
            ("release_date", in_review_for_release_date),
        ]
    ):
        with time_machine.travel(start + datetime.timedelta(days=day), tick=False):
            made[kind] = build(submitter)
    return made


def test_p_scope_each_review_reason_puts_the_submission_in_the_queue(four_kinds):
    reasons = {kind: submission.review_reasons for kind, submission in four_kinds.items()}
    assert reasons == {
        "dicom": [ReviewReason.DICOM],
        "scope": [ReviewReason.SCOPE],
        "no_publication": [ReviewReason.NO_PUBLICATION],
        "release_date": [ReviewReason.RELEASE_BEYOND_BOUND],
    }
    assert {s.state for s in four_kinds.values()} == {SubmissionState.IN_REVIEW}


def test_p_scope_review_queue_lists_oldest_first_and_says_why(curator_client, four_kinds, submitter):
    submitted(submitter, title="Ordinary study with a publication")  # accessioned at once: not in the queue
    page = curator_client.get(QUEUE)
    html = page.content.decode()
    assert page.status_code == 200
    assert "4 submissions waiting" in html
    titles = ["Confocal slices in DICOM", "Patient-derived organoids", "Reference atlas of the fly brain", "Embargoed"]
    positions = [html.index(title) for title in titles]
    assert positions == sorted(positions)
    assert "Ordinary study with a publication" not in html
    for reason in ReviewReason:
        assert reason.label in html
    assert "Patent application pending until 2029." in html


def test_p_scope_review_entry_shows_the_scope_answers_dicom_findings_and_release_request(curator_client, four_kinds):
    html = curator_client.get(detail_url(four_kinds["scope"])).content.decode()
    for question in scope.QUESTIONS:
        assert question.text in html
    assert "needs curator review" in html

    html = curator_client.get(detail_url(four_kinds["dicom"])).content.decode()
    assert "scans/slice1.dcm" in html and "PatientName, PatientID" in html

    html = curator_client.get(detail_url(four_kinds["release_date"])).content.decode()
    release_date = four_kinds["release_date"].release_date
    assert release_date.isoformat() in html and "Patent application pending until 2029." in html


def test_p_scope_review_queue_is_empty_with_a_message(curator_client):
    assert "The review queue is empty." in curator_client.get(QUEUE).content.decode()


def test_p_scope_review_queue_queries_do_not_grow_with_the_queue(
    curator_client, submitter, django_assert_max_num_queries
):
    for i in range(6):
        in_review_for_no_publication(submitter, contents={f"f{i}/a.tif": b"a" * (i + 1), f"f{i}/b.tif": b"b"})
    with django_assert_max_num_queries(8):
        assert curator_client.get(QUEUE).status_code == 200


def test_p_scope_review_accept_accessions_the_submission(
    curator, curator_client, four_kinds, mailoutbox, django_capture_on_commit_callbacks
):
    submission = four_kinds["scope"]
    with django_capture_on_commit_callbacks(execute=True):  # the queued move runs at once (Q_SYNC)
        response = curator_client.post(detail_url(submission), {"decision": "accept", "accept-note": "Consent seen."})
    assert response.status_code == 302 and response.url == QUEUE
    submission.refresh_from_db()
    assert submission.state == SubmissionState.ACCEPTED
    study = Study.objects.get(pk=submission.study_id)
    assert study.title == "Patient-derived organoids"
    (row,) = audit_rows(submission, "submission.review_accepted")
    assert row.actor == curator and row.note == "Consent seen."
    accepted = [m for m in mailoutbox if "is accepted" in m.subject]
    assert len(accepted) == 1 and accepted[0].to == [submission.owner.email]
    assert "Consent seen." in accepted[0].body and study.accession in accepted[0].body
    assert "public as soon as it is accessioned" in accepted[0].body  # its date passed while it waited


def test_p_scope_review_accept_keeps_the_files_held_until_the_move(curator, four_kinds):
    submission = submission_review_accept(submission=four_kinds["dicom"], actor=curator)  # move not yet run
    assert submission.state == SubmissionState.SUBMITTED
    assert held(submission) == {True}


def test_p_release_date_review_accept_logs_the_date_beyond_the_bound(curator, four_kinds):
    submission = four_kinds["release_date"]
    submission_review_accept(submission=submission, actor=curator)
    (row,) = audit_rows(submission, "submission.review_accepted")
    assert row.data["release_date"] == submission.release_date.isoformat()
    assert row.data["release_date_reason"] == "Patent application pending until 2029."


def test_p_scope_review_request_changes_hands_it_back(
    curator, curator_client, submitter, four_kinds, mailoutbox, django_capture_on_commit_callbacks
):
    submission = four_kinds["no_publication"]
    with_message = {"decision": "changes", "changes-message": "Please add the DOI of your preprint."}
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(detail_url(submission), with_message)
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.state == SubmissionState.CHANGES_REQUESTED
    assert submission.curator_message == "Please add the DOI of your preprint."
    assert held(submission) == {False}  # the owner's again, under the usual retention
    (row,) = audit_rows(submission, "submission.changes_requested")
    assert row.actor == curator and row.note == "Please add the DOI of your preprint."
    (mail,) = mailoutbox
    assert "Changes requested" in mail.subject and "Please add the DOI of your preprint." in mail.body
    assert f"/submissions/{submission.pk}/" in mail.body
    assert "/projects/propose/" in mail.body  # no publication: how to propose a structured project
    # The submitter can edit it (its date has passed while it waited) and submit it again: back to the queue.
    submission_release_date_set(submission=submission, actor=submitter, release_date=timezone.localdate())
    again = submission_submit(submission=submission, actor=submitter)
    assert again.state == SubmissionState.IN_REVIEW


@pytest.mark.parametrize(
    ("kind", "reason", "ega"),
    [
        ("scope", ReviewReason.SCOPE, True),
        ("dicom", ReviewReason.DICOM, True),
        ("no_publication", ReviewReason.NO_PUBLICATION, False),
        ("release_date", "other", False),
    ],
)
def test_p_scope_review_refuse_tells_the_submitter_with_the_ega_pointer_where_it_applies(
    curator, curator_client, four_kinds, mailoutbox, django_capture_on_commit_callbacks, kind, reason, ega
):
    submission = four_kinds[kind]
    refusal = {"decision": "refuse", "refuse-reason": reason, "refuse-message": "Not for us."}
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(detail_url(submission), refusal)
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.state == SubmissionState.REFUSED and submission.study_id is None
    assert held(submission) == {False}
    (row,) = audit_rows(submission, "submission.refused")
    assert row.actor == curator and row.reason_category == reason and row.note == "Not for us."
    (mail,) = mailoutbox
    assert "is refused" in mail.subject and "Not for us." in mail.body
    assert (scope.EGA_URL in mail.body) is ega


def test_p_scope_review_refuse_needs_a_message_and_changes_nothing_without_one(
    curator_client, four_kinds, mailoutbox, django_capture_on_commit_callbacks
):
    submission = four_kinds["scope"]
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(detail_url(submission), {"decision": "refuse", "refuse-reason": "other"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    submission.refresh_from_db()
    assert submission.state == SubmissionState.IN_REVIEW and not mailoutbox
    assert not audit_rows(submission, "submission.refused")


def test_p_scope_review_decides_only_submissions_waiting_in_review(curator, curator_client, four_kinds):
    submission = submission_review_accept(submission=four_kinds["scope"], actor=curator)
    with pytest.raises(PolicyViolation) as error:
        submission_refuse(submission=submission, actor=curator, reason="other", message="Too late")
    assert error.value.field == "state"
    assert curator_client.get(detail_url(submission)).status_code == 404


def test_p_scope_review_non_curators_get_403(submitter, submitter_client, other_client, four_kinds):
    staff_client = Client()
    staff_client.force_login(UserFactory(username="staff_not_curator", is_staff=True))
    submission = four_kinds["scope"]
    for client in (submitter_client, other_client, staff_client):
        assert client.get(QUEUE).status_code == 403
        assert client.get(detail_url(submission)).status_code == 403
        response = client.post(detail_url(submission), {"decision": "accept"})
        assert response.status_code == 403
    with pytest.raises(NotAllowed):
        submission_changes_request(submission=submission, actor=submitter, message="Let me through")
    submission.refresh_from_db()
    assert submission.state == SubmissionState.IN_REVIEW
    assert not CurationEvent.objects.filter(action__startswith="submission.review").exists()


def test_p_scope_review_anonymous_visitors_are_sent_to_log_in(anonymous_client, four_kinds):
    response = anonymous_client.get(QUEUE)
    assert response.status_code == 302 and reverse("admin:login") in response.url


def refusal_options(html: str) -> list[tuple[str, str, bool]]:
    """The refusal form's reason options as (value, label, pre-selected)."""
    (select,) = re.findall(r'<select name="refuse-reason"[^>]*>(.*?)</select>', html, re.S)
    return [
        (value, label, "selected" in attributes)
        for value, attributes, label in re.findall(r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', select)
    ]


def test_p_scope_review_refuse_form_has_no_preselected_reason_and_offers_those_of_the_queue(curator_client, four_kinds):
    html = curator_client.get(detail_url(four_kinds["release_date"])).content.decode()
    assert refusal_options(html) == [
        ("", "Choose a reason…", True),  # the empty choice shows until the curator picks one
        ("release_beyond_bound", "Release date beyond the bound not justified", False),
        ("other", "Other (explained in the message)", False),
    ]
    html = curator_client.get(detail_url(four_kinds["scope"])).content.decode()
    assert [value for value, _, _ in refusal_options(html)] == ["", "scope_needs_review", "other"]


def test_p_scope_review_refuse_without_a_chosen_reason_is_a_form_error_and_changes_nothing(
    curator_client, four_kinds, mailoutbox, django_capture_on_commit_callbacks
):
    submission = four_kinds["release_date"]
    refusal = {"decision": "refuse", "refuse-reason": "", "refuse-message": "Not for us."}
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(detail_url(submission), refusal)
    assert response.status_code == 400
    assert "Choose why the submission is refused." in response.content.decode()
    submission.refresh_from_db()
    assert submission.state == SubmissionState.IN_REVIEW and not mailoutbox
    assert not audit_rows(submission, "submission.refused")


@pytest.mark.parametrize("reason", [RefusalReason.SCOPE, RefusalReason.DICOM, RefusalReason.NO_PUBLICATION])
def test_p_scope_review_refuse_for_a_reason_not_behind_the_queue_reasons_is_refused(
    curator, four_kinds, mailoutbox, django_capture_on_commit_callbacks, reason
):
    submission = four_kinds["release_date"]
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PolicyViolation) as error:
        submission_refuse(submission=submission, actor=curator, reason=reason, message="Identifiable data.")
    assert (error.value.rule, error.value.field) == ("P-SCOPE", "reason")
    assert "Release date beyond the bound not justified" in error.value.message
    submission.refresh_from_db()
    assert submission.state == SubmissionState.IN_REVIEW and not mailoutbox
    assert not audit_rows(submission, "submission.refused")
