"""P-UPLOAD-RETENTION: deletion dates, the 14- and 2-day warnings and the purge, with a moving clock."""

import datetime
import io
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django_q.tasks import async_task, result

from tests.uploads.conftest import make_upload
from uploads import tasks
from uploads.errors import UploadExpired
from uploads.models import UploadFile, UploadState
from uploads.services import retention
from uploads.services.upload import upload_append
from uploads.storage import upload_storage_path

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
DAY = datetime.timedelta(days=1)
MINUTE = datetime.timedelta(minutes=1)


def _at(year, month, day, hour=10, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


def _upload_at(moment, owner, path, data=b"pixels", *, complete=True):
    with time_machine.travel(moment, tick=False):
        return make_upload(owner, path, data, complete=complete)


def _warn_at(moment, capture) -> int:
    with time_machine.travel(moment, tick=False), capture(execute=True):
        return tasks.upload_warnings_send()


def _purge_at(moment, **kwargs) -> int:
    with time_machine.travel(moment, tick=False):
        return retention.uploads_purge_due(**kwargs) if kwargs else tasks.uploads_purge_due()


def _mail_to(user):
    sent = [message for message in mail.outbox if message.to == [user.email]]
    assert len(sent) == 1, [message.to for message in mail.outbox]
    return sent[0]


@pytest.mark.parametrize(
    ("finished", "deleted"),
    [
        (_at(2026, 8, 31), _at(2026, 11, 30)),
        (_at(2026, 11, 30), _at(2027, 2, 28)),
        (_at(2027, 11, 30), _at(2028, 2, 29)),
    ],
    ids=["31-aug-to-30-nov", "30-nov-to-28-feb", "30-nov-to-29-feb-leap-year"],
)
def test_p_upload_retention_file_is_deleted_three_calendar_months_after_its_upload_and_not_a_minute_before(
    submitter, finished, deleted
):
    upload = _upload_at(finished, submitter, "plate/A01.tif")
    stored = upload_storage_path(upload.storage_name)
    assert upload.expires_at == deleted

    assert _purge_at(deleted - MINUTE) == 0
    assert UploadFile.objects.filter(pk=upload.pk).exists() and stored.exists()

    assert _purge_at(deleted) == 1
    assert not UploadFile.objects.filter(pk=upload.pk).exists()
    assert not stored.exists()


def test_p_upload_retention_unfinished_upload_is_deleted_three_months_after_its_last_data(submitter):
    upload = _upload_at(_at(2026, 1, 31), submitter, "big/stack.tif", b"0123456789", complete=False)
    with time_machine.travel(_at(2026, 2, 10), tick=False):
        upload = upload_append(
            owner=submitter, upload_id=upload.upload_id, offset=5, body=io.BytesIO(b"567"), body_length=3
        )
    assert upload.state == UploadState.UPLOADING
    assert upload.expires_at == _at(2026, 5, 10)

    assert _purge_at(_at(2026, 5, 10) - MINUTE) == 0
    assert _purge_at(_at(2026, 5, 10)) == 1
    assert not UploadFile.objects.exists()
    assert not upload_storage_path(upload.storage_name).exists()


def test_p_upload_retention_warnings_are_sent_once_at_14_and_once_at_2_days(
    submitter, other_user, django_capture_on_commit_callbacks
):
    first = _upload_at(_at(2026, 8, 31), submitter, "plate/A01.tif", b"x" * 2048)
    second = _upload_at(_at(2026, 8, 31, 8), submitter, "notes/protocol.md", b"# protocol")
    others = _upload_at(_at(2026, 8, 31, 9), other_user, "theirs.tif")
    fresh = _upload_at(_at(2026, 10, 1), submitter, "fresh.tif")
    deadline = _at(2026, 11, 30)

    # Before the 14-day window opens for the earliest file (08:00) nothing is sent.
    assert _warn_at(_at(2026, 11, 16, 7, 59), django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []

    assert _warn_at(deadline - 14 * DAY + MINUTE, django_capture_on_commit_callbacks) == 2
    assert len(mail.outbox) == 2  # one e-mail per user, listing all of that user's due files
    message = _mail_to(submitter)
    assert message.subject == f"[{settings.PORTAL_NAME}] Files in your upload area will be deleted within 14 days"
    assert "plate/A01.tif (2.0\xa0KB)" in message.body
    assert "notes/protocol.md (10\xa0bytes)" in message.body
    assert "deleted on 30 November 2026, 10:00 UTC, 14 days left" in message.body
    assert "deleted on 30 November 2026, 08:00 UTC, 14 days left" in message.body
    assert "fresh.tif" not in message.body and "theirs.tif" not in message.body
    assert "http://127.0.0.1:8000/uploads/" in message.body
    html, _ = message.alternatives[0]
    assert "<code>plate/A01.tif</code>" in html and 'href="http://127.0.0.1:8000/uploads/"' in html
    assert "theirs.tif" in _mail_to(other_user).body

    assert _warn_at(deadline - 14 * DAY + 2 * MINUTE, django_capture_on_commit_callbacks) == 0
    assert _warn_at(deadline - 5 * DAY, django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 2

    mail.outbox.clear()
    assert _warn_at(deadline - 2 * DAY + MINUTE, django_capture_on_commit_callbacks) == 2
    message = _mail_to(submitter)
    assert message.subject == f"[{settings.PORTAL_NAME}] Files in your upload area will be deleted within 2 days"
    assert "deleted on 30 November 2026, 10:00 UTC, 2 days left" in message.body
    assert "deleted on 30 November 2026, 08:00 UTC, 2 days left" in message.body
    assert _warn_at(deadline - DAY, django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 2

    for upload in (first, second, others):
        upload.refresh_from_db()
        assert upload.warned_first_at == deadline - 14 * DAY + MINUTE
        assert upload.warned_second_at == deadline - 2 * DAY + MINUTE
    fresh.refresh_from_db()
    assert fresh.warned_first_at is None and fresh.warned_second_at is None


def test_p_upload_retention_file_first_seen_within_2_days_gets_only_the_2_day_warning(
    submitter, django_capture_on_commit_callbacks
):
    upload = _upload_at(_at(2026, 3, 15), submitter, "late.tif")
    soon = _upload_at(_at(2026, 3, 25), submitter, "soon.tif")

    assert _warn_at(_at(2026, 6, 14), django_capture_on_commit_callbacks) == 1

    message = _mail_to(submitter)
    assert message.subject == f"[{settings.PORTAL_NAME}] Files in your upload area will be deleted within 2 days"
    body = message.body
    assert body.index("Deleted within 2 days (1 file)") < body.index("late.tif")
    assert body.index("Deleted within 14 days (1 file)") < body.index("soon.tif")
    upload.refresh_from_db()
    assert upload.warned_second_at == _at(2026, 6, 14) and upload.warned_first_at is None
    soon.refresh_from_db()
    assert soon.warned_first_at == _at(2026, 6, 14) and soon.warned_second_at is None
    # The 14-day warning is not sent afterwards for a file already warned at 2 days.
    assert _warn_at(_at(2026, 6, 14, 11), django_capture_on_commit_callbacks) == 0


def test_p_upload_retention_new_data_after_a_warning_moves_the_deadline_and_resets_the_warnings(
    submitter, django_capture_on_commit_callbacks
):
    upload = _upload_at(_at(2026, 4, 1), submitter, "stack.tif", b"0123456789", complete=False)
    assert _warn_at(_at(2026, 6, 20), django_capture_on_commit_callbacks) == 1
    upload.refresh_from_db()
    assert upload.warned_first_at == _at(2026, 6, 20)

    with time_machine.travel(_at(2026, 6, 25), tick=False):
        upload = upload_append(
            owner=submitter, upload_id=upload.upload_id, offset=5, body=io.BytesIO(b"56789"), body_length=5
        )
    assert upload.state == UploadState.COMPLETE
    assert upload.expires_at == _at(2026, 9, 25)
    assert upload.warned_first_at is None and upload.warned_second_at is None

    assert _purge_at(_at(2026, 7, 1, 10, 1)) == 0  # the old deadline no longer applies
    mail.outbox.clear()
    assert _warn_at(_at(2026, 9, 11, 10, 1), django_capture_on_commit_callbacks) == 1
    assert "deleted on 25 September 2026, 10:00 UTC, 14 days left" in _mail_to(submitter).body


def test_p_upload_retention_purge_removes_only_due_files_and_logs_each_batch(submitter, other_user, caplog):
    due = [_upload_at(_at(2026, 1, 10), submitter, f"old/{n}.tif", b"12345") for n in range(5)]
    theirs = _upload_at(_at(2026, 1, 10, 11), other_user, "old/0.tif")
    fresh = _upload_at(_at(2026, 3, 1), submitter, "fresh.tif")

    with caplog.at_level(logging.INFO, logger="uploads.retention"):
        assert _purge_at(_at(2026, 4, 10, 10, 30), batch_size=2) == 5

    assert not UploadFile.objects.filter(pk__in=[upload.pk for upload in due]).exists()
    for upload in due:
        assert not upload_storage_path(upload.storage_name).exists()
    for kept in (theirs, fresh):  # due later, by half an hour or by months
        assert UploadFile.objects.filter(pk=kept.pk).exists()
        assert upload_storage_path(kept.storage_name).read_bytes() == b"pixels"
    batches = [record for record in caplog.records if record.name == "uploads.retention"]
    assert [record.getMessage() for record in batches] == [
        "purged 2 upload files (10 bytes) past their deletion time; 2 this run",
        "purged 2 upload files (10 bytes) past their deletion time; 4 this run",
        "purged 1 upload files (5 bytes) past their deletion time; 5 this run",
    ]


def test_p_upload_retention_purging_twice_is_harmless_even_after_a_crash_between_bytes_and_rows(submitter):
    gone = _upload_at(_at(2026, 1, 10), submitter, "a.tif")
    half_purged = _upload_at(_at(2026, 1, 10), submitter, "b.tif")
    # As if an earlier run removed these bytes and then crashed before deleting the row.
    upload_storage_path(half_purged.storage_name).unlink()

    assert _purge_at(_at(2026, 5, 1)) == 2
    assert _purge_at(_at(2026, 5, 1)) == 0
    assert not UploadFile.objects.exists()
    assert not upload_storage_path(gone.storage_name).exists()


def test_p_upload_retention_warned_file_is_purged_and_an_expired_upload_cannot_be_resumed(
    submitter, django_capture_on_commit_callbacks
):
    upload = _upload_at(_at(2026, 1, 10), submitter, "a.bin", b"0123456789", complete=False)
    assert _warn_at(_at(2026, 4, 9), django_capture_on_commit_callbacks) == 1
    with time_machine.travel(_at(2026, 4, 10), tick=False), pytest.raises(UploadExpired):
        upload_append(owner=submitter, upload_id=upload.upload_id, offset=5, body=io.BytesIO(b"56789"), body_length=5)
    assert _purge_at(_at(2026, 4, 10)) == 1


def test_p_upload_retention_jobs_run_through_the_task_queue(submitter, django_capture_on_commit_callbacks):
    _upload_at(_at(2026, 1, 10), submitter, "a.tif")
    with time_machine.travel(_at(2026, 4, 1), tick=False), django_capture_on_commit_callbacks(execute=True):
        assert result(async_task("uploads.tasks.upload_warnings_send", sync=True)) == 1
    assert len(mail.outbox) == 1
    with time_machine.travel(_at(2026, 4, 10, 10, 5), tick=False):
        assert result(async_task("uploads.tasks.uploads_purge_due", sync=True)) == 1
    assert not UploadFile.objects.exists()


def _concurrently(job, runs: int = 2) -> list:
    """Run `job` in `runs` threads at once, each on its own database connection."""
    barrier = threading.Barrier(runs)

    def run():
        try:
            barrier.wait()
            return job()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=runs) as pool:
        return [future.result() for future in [pool.submit(run) for _ in range(runs)]]


@pytest.mark.django_db(transaction=True)
def test_p_upload_retention_concurrent_runs_warn_once_and_purge_each_file_once(submitter, other_user):
    for owner in (submitter, other_user):
        for n in range(12):
            _upload_at(_at(2026, 1, 10), owner, f"old/{n}.tif")

    with time_machine.travel(_at(2026, 4, 1), tick=False):
        sent = _concurrently(retention.upload_warnings_send)
    assert sum(sent) == 2
    assert sorted(message.to[0] for message in mail.outbox) == ["other_user@example.org", "submitter@example.org"]
    assert all(message.body.count("old/") == 12 for message in mail.outbox)

    with time_machine.travel(_at(2026, 4, 10, 10), tick=False):
        purged = _concurrently(lambda: retention.uploads_purge_due(batch_size=5))
    assert sum(purged) == 24
    assert not UploadFile.objects.exists()
