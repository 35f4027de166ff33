"""Which submissions wait for a curator (issue #5 point 9): no publication, beyond-bound dates, scope, DICOM.

Also the e-mails the submitter gets on submitting: in review, or accessioned.
"""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from archive.models import Study
from archive.release_dates import release_date_bounds
from core.errors import PolicyViolation
from submissions.models import ProjectState, ReviewReason
from submissions.selectors import submission_review_expected
from submissions.services import (
    submission_create_draft,
    submission_metadata_update,
    submission_project_set,
    submission_release_date_set,
    submission_submit,
)
from tests.factories import study_metadata
from tests.submissions.move_helpers import NEEDS_REVIEW_ANSWERS, decided_project, file_contents, ready_draft

pytestmark = pytest.mark.django_db

NO_PUBLICATION = study_metadata(publication_doi="", no_publication_reason="A reference atlas of HeLa organelles.")


def _submit(submission, owner, capture):
    with capture(execute=True):
        submission_submit(submission=submission, actor=owner)
    submission.refresh_from_db()
    return submission


def _without_publication(owner):
    submission, _ = ready_draft(owner, file_contents(1))
    submission_metadata_update(submission=submission, actor=owner, metadata=NO_PUBLICATION)
    return submission


def test_p_project_no_publication_and_no_project_waits_in_review(submitter, django_capture_on_commit_callbacks):
    submission = _submit(_without_publication(submitter), submitter, django_capture_on_commit_callbacks)
    assert submission.state == "in_review" and submission.review_reasons == ["no_publication"]
    assert submission.accession == "" and Study.objects.count() == 0


def test_p_project_an_accepted_project_lets_it_through(submitter, curator, django_capture_on_commit_callbacks):
    submission = _without_publication(submitter)
    project = decided_project(submitter, curator, ProjectState.ACCEPTED)
    submission_project_set(submission=submission, actor=submitter, project_id=project.pk)
    submission = _submit(submission, submitter, django_capture_on_commit_callbacks)
    assert submission.state == "accepted" and submission.review_reasons == []
    assert submission.study.accession == submission.accession


@pytest.mark.parametrize("decision", [ProjectState.ACCEPTED_IF_FUNDED, ProjectState.DECLINED])
def test_p_project_a_project_not_accepted_outright_still_waits_in_review(
    submitter, curator, decision, django_capture_on_commit_callbacks
):
    submission = _without_publication(submitter)
    project = decided_project(submitter, curator, decision)
    submission_project_set(submission=submission, actor=submitter, project_id=project.pk)
    submission = _submit(submission, submitter, django_capture_on_commit_callbacks)
    assert submission.state == "in_review" and submission.review_reasons == ["no_publication"]


def test_p_release_date_exactly_two_years_goes_through(submitter, django_capture_on_commit_callbacks):
    latest = release_date_bounds(submitted_at=timezone.now())[1]
    submission, _ = ready_draft(submitter, file_contents(1), release_date=latest)
    submission = _submit(submission, submitter, django_capture_on_commit_callbacks)
    assert submission.state == "accepted" and submission.study.release_date == latest
    assert submission.study.status == "confidential"


def test_p_release_date_beyond_two_years_with_a_reason_waits_in_review(submitter, django_capture_on_commit_callbacks):
    beyond = release_date_bounds(submitted_at=timezone.now())[1] + datetime.timedelta(days=1)
    submission, _ = ready_draft(submitter, file_contents(1))
    submission_release_date_set(
        submission=submission, actor=submitter, release_date=beyond, reason="Patent application pending."
    )
    submission = _submit(submission, submitter, django_capture_on_commit_callbacks)
    assert submission.state == "in_review" and submission.review_reasons == ["release_beyond_bound"]
    assert submission.release_date == beyond and submission.release_date_reason == "Patent application pending."


def test_p_release_date_beyond_two_years_without_a_reason_is_refused(submitter):
    beyond = release_date_bounds(submitted_at=timezone.now())[1] + datetime.timedelta(days=1)
    submission, _ = ready_draft(submitter, file_contents(1))
    for reason in ("", "   "):
        with pytest.raises(PolicyViolation) as excinfo:
            submission_release_date_set(submission=submission, actor=submitter, release_date=beyond, reason=reason)
        assert (excinfo.value.rule, excinfo.value.field) == ("P-RELEASE-DATE", "release_date")
    with pytest.raises(PolicyViolation) as excinfo:
        submission_create_draft(owner=submitter, metadata=study_metadata(), release_date=beyond)
    assert excinfo.value.rule == "P-RELEASE-DATE"
    submission.refresh_from_db()
    assert submission.release_date == timezone.localdate()


def test_p_release_date_in_the_past_is_refused(submitter):
    submission, _ = ready_draft(submitter, file_contents(1))
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(PolicyViolation) as excinfo:
        submission_release_date_set(submission=submission, actor=submitter, release_date=yesterday)
    assert excinfo.value.rule == "P-RELEASE-DATE"


def test_every_reason_is_listed_together(submitter, django_capture_on_commit_callbacks):
    beyond = release_date_bounds(submitted_at=timezone.now())[1] + datetime.timedelta(days=30)
    submission, _ = ready_draft(submitter, file_contents(1), answers=NEEDS_REVIEW_ANSWERS)
    submission_metadata_update(submission=submission, actor=submitter, metadata=NO_PUBLICATION)
    submission_release_date_set(submission=submission, actor=submitter, release_date=beyond, reason="Embargo.")
    submission = _submit(submission, submitter, django_capture_on_commit_callbacks)
    assert submission.review_reasons == ["scope_needs_review", "no_publication", "release_beyond_bound"]


def test_in_review_email_names_every_reason(submitter, mailoutbox, django_capture_on_commit_callbacks):
    _submit(_without_publication(submitter), submitter, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [submitter.email] and "waits for a curator" in message.subject
    assert "No related publication and no accepted structured project" in message.body
    assert "not deleted" in message.body


def test_accessioned_email_gives_accession_release_date_and_reviewer_links(
    submitter, mailoutbox, django_capture_on_commit_callbacks
):
    release_date = timezone.localdate() + datetime.timedelta(days=100)
    submission, _ = ready_draft(submitter, file_contents(1), release_date=release_date)
    submission = _submit(submission, submitter, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    accession = submission.study.accession
    assert message.subject.startswith(f"[{settings.PORTAL_NAME}] {accession}: ")
    assert f"/studies/{accession}/" in message.body
    assert release_date.strftime("%-d %B %Y") in message.body
    assert "reviewer link" in message.body and "revoke" in message.body


def test_p_release_date_release_on_submission_means_the_day_it_is_submitted(submitter):
    """Chosen one day and submitted the next, "on submission" is still accepted and releases at once."""
    day_one = timezone.now().replace(hour=12)
    with time_machine.travel(day_one, tick=False):
        submission, _ = ready_draft(submitter, file_contents(1))
        submission_release_date_set(submission=submission, actor=submitter, on_submission=True)
    with time_machine.travel(day_one + datetime.timedelta(days=1), tick=False):
        submission = submission_submit(submission=submission, actor=submitter)
        assert submission.release_date == timezone.localdate()
    assert submission.release_on_submission and submission.state == "submitted"


def test_p_release_date_a_reason_with_a_date_within_the_bound_asks_nothing(submitter):
    """A reason only asks for a date beyond the bound: within it, none is kept and no review is expected."""
    within = timezone.localdate() + datetime.timedelta(days=30)
    submission = submission_create_draft(
        owner=submitter, metadata=study_metadata(), release_date=within, release_date_reason="Embargo."
    )
    assert submission.release_date_reason == ""
    assert submission_review_expected(submission, screening=[]) == []


def test_p_release_date_the_review_page_judges_the_bound_on_the_day_it_is_read(submitter, time_machine):
    """A date asked for beyond the bound may fall within it a few days later; the page says so then."""
    time_machine.move_to(datetime.datetime(2026, 11, 25, 12, tzinfo=datetime.UTC))
    beyond = release_date_bounds(submitted_at=timezone.now())[1] + datetime.timedelta(days=1)
    submission = submission_create_draft(
        owner=submitter, metadata=study_metadata(), release_date=beyond, release_date_reason="Embargo."
    )
    assert submission_review_expected(submission, screening=[]) == [ReviewReason.RELEASE_BEYOND_BOUND.label]
    time_machine.move_to(datetime.datetime(2026, 11, 27, 12, tzinfo=datetime.UTC))
    assert submission_review_expected(submission, screening=[]) == []
