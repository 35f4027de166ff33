"""Submitting (issue #5 point 2): the file list, the checks, needs_review, and the queued move."""

import datetime

import pytest
from django.utils import timezone

from archive.models import ArchiveFile, Study
from core.errors import NotAllowed, PolicyViolation
from submissions import scope
from submissions.models import SubmissionFile, SubmissionState
from submissions.services import (
    SubmissionNotReady,
    submission_acknowledge,
    submission_certify_scope,
    submission_create_draft,
    submission_file_list_check,
    submission_files_set,
    submission_problems,
    submission_submit,
)
from tests.factories import study_metadata
from tests.submissions.move_helpers import (
    ACCEPTED_ANSWERS,
    NEEDS_REVIEW_ANSWERS,
    archive_keys,
    file_contents,
    ready_draft,
    upload_area_files,
)
from uploads.models import UploadFile
from uploads.services.upload import upload_file_put

pytestmark = pytest.mark.django_db


def _violation(excinfo) -> tuple[str, str]:
    return excinfo.value.rule, excinfo.value.field


def test_p_move_on_submit_file_list_takes_the_owners_complete_uploads(submitter):
    submission, uploads = ready_draft(submitter, file_contents(3))
    files = list(submission.files.all())
    assert sorted(f.path for f in files) == sorted(u.relative_path for u in uploads)
    assert {(f.size, f.sha256) for f in files} == {(u.size, u.sha256) for u in uploads}
    submission_files_set(submission=submission, actor=submitter, upload_file_ids=[uploads[0].pk])
    assert [f.upload_file_id for f in submission.files.all()] == [uploads[0].pk]


def test_p_upload_private_file_list_refuses_other_users_and_unfinished_files(submitter, other_user):
    submission, _ = ready_draft(submitter, file_contents(1))
    theirs = upload_file_put(owner=other_user, relative_path="theirs.tif", content=b"x")
    unfinished = upload_file_put(owner=submitter, relative_path="half.tif", content=b"x", size=10)
    for pk in (theirs.pk, unfinished.pk, 10**9):
        with pytest.raises(PolicyViolation) as excinfo:
            submission_files_set(submission=submission, actor=submitter, upload_file_ids=[pk])
        assert excinfo.value.field == "files"
    with pytest.raises(NotAllowed):
        submission_files_set(submission=submission, actor=other_user, upload_file_ids=[theirs.pk])
    assert submission.files.count() == 2  # unchanged


def test_p_move_on_submit_happy_path_accessions_and_moves(submitter, django_capture_on_commit_callbacks):
    contents = file_contents(4)
    submission, _ = ready_draft(submitter, contents)
    with django_capture_on_commit_callbacks(execute=True):
        submission = submission_submit(submission=submission, actor=submitter)
    assert submission.state == SubmissionState.SUBMITTED
    submission.refresh_from_db()
    assert submission.state == SubmissionState.ACCEPTED
    study = Study.objects.get()
    assert submission.study == study and study.accession.startswith("S-BIAD")
    assert study.files_count == len(contents)
    assert study.total_size == sum(len(data) for data in contents.values())
    assert study.licence.spdx_id == "CC0-1.0"
    archived = {f.path: f for f in ArchiveFile.objects.filter(version__study=study)}
    assert set(archived) == set(contents)
    assert len(archive_keys()) == len(set(contents.values()))  # identical content stored once
    assert UploadFile.objects.count() == 0 and upload_area_files() == []
    assert set(submission.files.values_list("state", flat=True)) == {"done"}


def test_p_scope_needs_review_waits_in_review_without_accession(
    submitter, mailoutbox, django_capture_on_commit_callbacks
):
    submission, _ = ready_draft(submitter, file_contents(1), answers=NEEDS_REVIEW_ANSWERS)
    with django_capture_on_commit_callbacks(execute=True):  # the move would run here (Q_SYNC) if it were queued
        submission = submission_submit(submission=submission, actor=submitter)
    assert submission.state == SubmissionState.IN_REVIEW
    assert submission.review_reasons == ["scope_needs_review"]
    assert len(mailoutbox) == 1 and "waits for a curator" in mailoutbox[0].subject
    assert Study.objects.count() == 0 and archive_keys() == []
    assert UploadFile.objects.count() == 2  # still in the upload area
    with pytest.raises(PolicyViolation):
        submission_submit(submission=submission, actor=submitter)


def _bare_draft(owner, **kwargs):
    return submission_create_draft(owner=owner, metadata=study_metadata(), **kwargs)


def test_p_move_on_submit_refuses_what_the_policies_refuse(submitter, other_user):
    upload = upload_file_put(owner=submitter, relative_path="a.tif", content=b"a")

    submission = _bare_draft(submitter, release_date=timezone.localdate())
    with pytest.raises(NotAllowed):
        submission_submit(submission=submission, actor=other_user)
    with pytest.raises(PolicyViolation) as excinfo:
        submission_submit(submission=submission, actor=submitter)
    assert _violation(excinfo) == ("P-SCOPE", "scope")
    submission_certify_scope(
        submission=submission, actor=submitter, form_version=scope.SCOPE_FORM_VERSION, answers=ACCEPTED_ANSWERS
    )
    with pytest.raises(PolicyViolation) as excinfo:
        submission_submit(submission=submission, actor=submitter)
    assert _violation(excinfo) == ("P-DISCLOSURE", "disclosure")
    submission_acknowledge(submission=submission, actor=submitter, public_disclosure=True, right_to_submit=True)
    with pytest.raises(PolicyViolation) as excinfo:
        submission_submit(submission=submission, actor=submitter)
    assert _violation(excinfo) == ("P-MOVE-ON-SUBMIT", "files")
    submission_files_set(submission=submission, actor=submitter, upload_file_ids=[upload.pk])

    submission.metadata = {**submission.metadata, "title": " "}
    submission.save()
    with pytest.raises(PolicyViolation) as excinfo:
        submission_submit(submission=submission, actor=submitter)
    assert _violation(excinfo) == ("METADATA", "title")
    submission.metadata = study_metadata()
    submission.release_date = None
    submission.save()
    with pytest.raises(PolicyViolation) as excinfo:
        submission_submit(submission=submission, actor=submitter)
    assert _violation(excinfo) == ("P-RELEASE-DATE", "release_date")
    submission.release_date = timezone.localdate() - datetime.timedelta(days=1)  # a draft left too long
    submission.save()
    with pytest.raises(PolicyViolation) as excinfo:
        submission_submit(submission=submission, actor=submitter)
    assert _violation(excinfo) == ("P-RELEASE-DATE", "release_date")
    submission.refresh_from_db()
    assert submission.state == SubmissionState.DRAFT and submission.submitted_at is None


def test_p_move_on_submit_refuses_a_file_that_left_the_upload_area(submitter):
    submission, uploads = ready_draft(submitter, file_contents(1))
    uploads[0].delete()
    with pytest.raises(PolicyViolation) as excinfo:
        submission_submit(submission=submission, actor=submitter)
    assert _violation(excinfo) == ("P-MOVE-ON-SUBMIT", "files")
    assert uploads[0].relative_path in excinfo.value.message


def test_p_move_on_submit_one_upload_file_goes_to_one_submission_only(submitter):
    first, uploads = ready_draft(submitter, file_contents(1))
    second = _bare_draft(submitter, release_date=timezone.localdate())
    submission_certify_scope(
        submission=second, actor=submitter, form_version=scope.SCOPE_FORM_VERSION, answers=ACCEPTED_ANSWERS
    )
    submission_acknowledge(submission=second, actor=submitter, public_disclosure=True, right_to_submit=True)
    submission_files_set(submission=second, actor=submitter, upload_file_ids=[uploads[0].pk])
    submission_submit(submission=first, actor=submitter)  # queued, not yet moved: the file is taken
    with pytest.raises(PolicyViolation) as excinfo:
        submission_submit(submission=second, actor=submitter)
    assert _violation(excinfo) == ("P-MOVE-ON-SUBMIT", "files")
    assert SubmissionFile.objects.filter(upload_file=uploads[0]).count() == 2


def test_p_move_on_submit_problems_listed_are_exactly_what_submitting_refuses(submitter):
    submission = submission_create_draft(owner=submitter, metadata={"title": "Half done"})
    submission_file_list_check(
        submission=submission, actor=submitter, name="list.tsv", content=b"Files\tchannel\nrun/z.tif\tDAPI\n"
    )
    submission.refresh_from_db()
    problems = submission_problems(submission=submission)
    with pytest.raises(SubmissionNotReady) as excinfo:
        submission_submit(submission=submission, actor=submitter)
    assert excinfo.value.problems == problems
    assert [(p.rule, p.field, p.step) for p in problems] == [
        ("METADATA", "description", "metadata"),
        ("METADATA", "organism", "metadata"),
        ("METADATA", "imaging_method", "metadata"),
        ("METADATA", "authors", "metadata"),
        ("METADATA", "publication_doi", "metadata"),
        ("P-SCOPE", "scope", "scope"),
        ("P-DISCLOSURE", "disclosure", "agreements"),
        ("P-RELEASE-DATE", "release_date", "release"),
        ("FILE-LIST", "file_list", "files"),
        ("P-MOVE-ON-SUBMIT", "files", "files"),
    ]
    assert [p.label for p in problems][3:5] == ["Authors", "Publication DOI"]
    assert excinfo.value.as_dict()["publication_doi"] == [problems[4].message]
    submission.refresh_from_db()
    assert submission.state == SubmissionState.DRAFT and submission.submitted_at is None


def test_p_move_on_submit_a_ready_draft_has_no_problems_and_submits(submitter):
    submission, _ = ready_draft(submitter, file_contents(1))
    assert submission_problems(submission=submission) == []
    assert submission_submit(submission=submission, actor=submitter).state == SubmissionState.SUBMITTED
