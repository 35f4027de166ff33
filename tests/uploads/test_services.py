"""Upload services: deletion dates, same-path replacement, quota and the hash state."""

import datetime
import hashlib
import io

import pytest
import time_machine
from django.db.models import ProtectedError

from tests.uploads.conftest import make_upload
from uploads.errors import OffsetMismatch, UploadError, UploadTooLarge
from uploads.models import UploadFile, UploadState
from uploads.services.upload import upload_append, upload_files_hold
from uploads.storage import hash_states, upload_storage_path

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def _at(year, month, day, hour=10):
    return datetime.datetime(year, month, day, hour, 0, tzinfo=UTC)


def _append(owner, upload, data: bytes):
    return upload_append(
        owner=owner, upload_id=upload.upload_id, offset=upload.offset, body=io.BytesIO(data), body_length=len(data)
    )


@pytest.mark.parametrize(
    ("finished", "deleted"),
    [
        (_at(2026, 8, 31), _at(2026, 11, 30)),
        (_at(2027, 11, 30), _at(2028, 2, 29)),
        (_at(2026, 11, 30), _at(2027, 2, 28)),
        (_at(2026, 1, 15), _at(2026, 4, 15)),
    ],
    ids=["31-aug-to-30-nov", "30-nov-to-29-feb-leap", "30-nov-to-28-feb", "mid-month"],
)
def test_p_upload_retention_expires_at_is_three_calendar_months_after_the_upload_finished(submitter, finished, deleted):
    with time_machine.travel(finished - datetime.timedelta(days=20), tick=False):
        upload = make_upload(submitter, "a.bin", b"0123456789", complete=False)
    with time_machine.travel(finished, tick=False):
        upload = _append(submitter, upload, b"56789")
    assert upload.state == UploadState.COMPLETE
    assert upload.uploaded_at == finished
    assert upload.expires_at == deleted


def test_p_upload_retention_expires_at_of_an_unfinished_upload_follows_its_last_data(submitter):
    with time_machine.travel(_at(2026, 5, 31), tick=False):
        upload = make_upload(submitter, "a.bin", b"0123456789", complete=False)
    assert upload.expires_at == _at(2026, 8, 31)
    upload.warned_first_at = _at(2026, 8, 17)
    upload.save()
    with time_machine.travel(_at(2026, 8, 20), tick=False):
        upload = _append(submitter, upload, b"56")
    assert upload.last_data_at == _at(2026, 8, 20)
    assert upload.expires_at == _at(2026, 11, 20)
    assert upload.warned_first_at is None  # a new deadline gets its own warnings


def test_p_upload_retention_an_empty_append_does_not_extend_the_deadline(submitter):
    with time_machine.travel(_at(2026, 5, 1), tick=False):
        upload = make_upload(submitter, "a.bin", b"0123456789", complete=False)
    with time_machine.travel(_at(2026, 6, 1), tick=False):
        upload = _append(submitter, upload, b"")
    assert upload.expires_at == _at(2026, 8, 1)


@pytest.mark.parametrize(
    ("offset", "data"),
    [(10, b""), (10, b"more"), (0, b"0123456789")],
    ids=["empty-at-the-end", "past-the-end", "from-the-start"],
)
def test_p_upload_retention_a_complete_upload_refuses_every_append_and_changes_nothing(submitter, offset, data):
    with time_machine.travel(_at(2026, 5, 1), tick=False):
        upload = make_upload(submitter, "a.bin", b"0123456789")
    with time_machine.travel(_at(2026, 7, 31), tick=False), pytest.raises(UploadError) as refused:
        upload_append(
            owner=submitter, upload_id=upload.upload_id, offset=offset, body=io.BytesIO(data), body_length=len(data)
        )
    assert (refused.value.rule, refused.value.status) == ("P-UPLOAD-RETENTION", 403)
    after = UploadFile.objects.get()
    assert (after.uploaded_at, after.expires_at, after.sha256, after.offset) == (
        _at(2026, 5, 1),
        _at(2026, 8, 1),
        hashlib.sha256(b"0123456789").hexdigest(),
        10,
    )
    assert upload_storage_path(after.storage_name).read_bytes() == b"0123456789"


def test_p_upload_retention_a_held_complete_upload_cannot_complete_again_over_a_newer_file(
    submitter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        held = make_upload(submitter, "plate/A01.tif", b"submitted pixels")
        upload_files_hold(pks=[held.pk], held=True)  # a held file is not replaced by a newer one
        newer = make_upload(submitter, "plate/A01.tif", b"corrected pixels")
        with pytest.raises(UploadError) as refused:
            upload_append(
                owner=submitter, upload_id=held.upload_id, offset=held.size, body=io.BytesIO(b""), body_length=0
            )
    assert refused.value.rule == "P-UPLOAD-RETENTION"
    assert set(UploadFile.objects.values_list("pk", flat=True)) == {held.pk, newer.pk}
    assert upload_storage_path(newer.storage_name).read_bytes() == b"corrected pixels"


def test_same_path_replaces_the_older_file_only_when_the_new_upload_completes(
    submitter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        old = make_upload(submitter, "plate/A01.tif", b"old pixels")
        new = make_upload(submitter, "plate/A01.tif", b"new pixels!!", complete=False)
    old_bytes = upload_storage_path(old.storage_name)
    assert set(UploadFile.objects.values_list("state", flat=True)) == {UploadState.COMPLETE, UploadState.UPLOADING}
    assert old_bytes.read_bytes() == b"old pixels"

    with django_capture_on_commit_callbacks(execute=True):
        new = _append(submitter, new, b"xels!!")

    assert list(UploadFile.objects.values_list("upload_id", flat=True)) == [new.upload_id]
    assert not old_bytes.exists()
    assert upload_storage_path(new.storage_name).read_bytes() == b"new pixels!!"


def test_same_path_in_another_users_area_is_not_replaced(submitter, other_user):
    make_upload(other_user, "plate/A01.tif", b"theirs")
    make_upload(submitter, "plate/A01.tif", b"mine")
    assert UploadFile.objects.count() == 2


def test_quota_counts_declared_sizes_of_unfinished_and_complete_files(settings, submitter):
    settings.UPLOAD_QUOTA_BYTES = 100
    make_upload(submitter, "a.bin", b"x" * 40)
    make_upload(submitter, "b.bin", b"x" * 40, complete=False)
    with pytest.raises(UploadTooLarge) as refused:
        make_upload(submitter, "c.bin", b"x" * 21)
    assert refused.value.rule == "UPLOAD-QUOTA"
    make_upload(submitter, "c.bin", b"x" * 20)


def test_empty_file_is_complete_at_creation(submitter):
    upload = make_upload(submitter, "empty.txt", b"")
    assert upload.state == UploadState.COMPLETE
    assert upload.sha256 == hashlib.sha256(b"").hexdigest()
    assert upload_storage_path(upload.storage_name).read_bytes() == b""


def test_stale_offset_is_refused_and_leftover_bytes_are_cut_off(submitter):
    upload = make_upload(submitter, "a.bin", b"0123456789", complete=False)
    with pytest.raises(OffsetMismatch):
        upload_append(owner=submitter, upload_id=upload.upload_id, offset=0, body=io.BytesIO(b"01234"), body_length=5)
    # Bytes written by an append whose commit never happened are not part of the upload.
    with open(upload_storage_path(upload.storage_name), "ab") as stored:
        stored.write(b"garbage")
    hash_states.clear()
    upload = _append(submitter, upload, b"56789")
    assert upload_storage_path(upload.storage_name).read_bytes() == b"0123456789"
    assert upload.sha256 == hashlib.sha256(b"0123456789").hexdigest()


def test_p_integrity_hash_state_is_reused_by_the_process_that_served_the_prefix(submitter):
    upload = make_upload(submitter, "a.bin", b"0123456789", complete=False)
    key = str(upload.upload_id)
    cached = hash_states.take(key, 5)
    assert cached is not None
    assert cached.hexdigest() == hashlib.sha256(b"01234").hexdigest()
    assert hash_states.take(key, 5) is None  # taken: one appender at a time


def test_p_integrity_lost_bytes_are_reported_not_padded(submitter):
    upload = make_upload(submitter, "a.bin", b"0123456789", complete=False)
    upload_storage_path(upload.storage_name).write_bytes(b"01")
    with pytest.raises(UploadError) as refused:
        _append(submitter, upload, b"56789")
    assert refused.value.rule == "P-INTEGRITY"
    assert upload_storage_path(upload.storage_name).read_bytes() == b"01"


def test_a_user_with_upload_files_cannot_be_deleted_leaving_bytes_behind(submitter):
    upload = make_upload(submitter, "a.tif", b"pixels")
    with pytest.raises(ProtectedError):
        submitter.delete()
    assert upload_storage_path(UploadFile.objects.get(pk=upload.pk).storage_name).exists()
