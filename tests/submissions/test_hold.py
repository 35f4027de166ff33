"""P-MOVE-ON-SUBMIT: a submitted file's upload bytes are the only copy until moved, so nothing deletes them."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from submissions.models import SubmissionState
from submissions.services import submission_submit
from tests.submissions.move_helpers import NEEDS_REVIEW_ANSWERS, ready_draft
from uploads.errors import UploadHeld
from uploads.models import UploadFile
from uploads.services.retention import uploads_purge_due
from uploads.services.upload import upload_file_delete, upload_file_put
from uploads.storage import upload_storage_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(submitter):
    """A submission waiting for a curator (needs_review): its files stay in the upload area, held."""
    submission, uploads = ready_draft(submitter, {"a.tif": b"pixels a", "b.tif": b"pixels b"}, NEEDS_REVIEW_ANSWERS)
    submission = submission_submit(submission=submission, actor=submitter)
    assert submission.state == SubmissionState.IN_REVIEW
    return uploads


def test_p_move_on_submit_owner_cannot_delete_a_held_file(submitter, waiting):
    with pytest.raises(UploadHeld):
        upload_file_delete(owner=submitter, pk=waiting[0].pk)
    assert UploadFile.objects.filter(pk=waiting[0].pk).exists()


def test_p_move_on_submit_purge_leaves_held_files_past_their_deadline(waiting):
    later = timezone.now() + datetime.timedelta(days=400)
    with time_machine.travel(later, tick=False):
        assert uploads_purge_due() == 0
    assert all(upload_storage_path(u.storage_name).exists() for u in waiting)


def test_p_move_on_submit_a_new_upload_at_the_same_path_does_not_replace_a_held_file(submitter, waiting):
    upload_file_put(owner=submitter, relative_path="a.tif", content=b"newer pixels")
    assert UploadFile.objects.filter(pk=waiting[0].pk).exists()
    assert UploadFile.objects.filter(relative_path="a.tif").count() == 2


def test_p_integrity_a_stopped_move_gives_the_files_back(submitter, django_capture_on_commit_callbacks):
    submission, uploads = ready_draft(submitter, {"a.tif": b"pixels a", "b.tif": b"pixels b"})
    upload_storage_path(uploads[1].storage_name).write_bytes(b"changed after upload")
    with django_capture_on_commit_callbacks(execute=True):  # the queued move runs at once (Q_SYNC)
        submission = submission_submit(submission=submission, actor=submitter)
    submission.refresh_from_db()
    assert submission.state == SubmissionState.CHANGES_REQUESTED
    assert not UploadFile.objects.filter(held_by_submission=True).exists()
    upload_file_delete(owner=submitter, pk=uploads[0].pk)
