"""Retention of upload areas (P-UPLOAD-RETENTION): deletion times, warnings and the purge, and the removal
of files that leave an area otherwise: moved into the archive by a submission, or removed by a curator.
"""

import datetime
import functools
import logging
from collections.abc import Callable

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.links import portal_url
from core.mail import Mail, after_commit, mail_render, mails_send
from core.roles import curator_required
from core.threads import io_pool
from uploads.models import UploadArea, UploadFile, UploadState
from uploads.selectors import upload_days_left
from uploads.storage import upload_bytes_remove

logger = logging.getLogger(__name__)
# Warnings and purges are the schedule's routine, logged here; the audit log records people's acts, not these.
retention_log = logging.getLogger("uploads.retention")


def upload_expiry_after(moment: datetime.datetime) -> datetime.datetime:
    """The deletion time of a file whose upload ended (or last received data) at `moment`.

    Calendar months (P-UPLOAD-RETENTION): 31 August → 30 November, 30 November → 28/29 February.
    """
    return moment + relativedelta(months=settings.UPLOAD_RETENTION_MONTHS)


def _due_by(moment: datetime.datetime) -> Q:
    # Naming both states lets the (state, expires_at) index serve the range.
    return Q(state__in=UploadState.values, expires_at__lte=moment, held_by_submission=False)


# One e-mail lists at most this many files per warning; the upload page lists them all.
WARNING_LIST_LIMIT = 500
# Rows stamped per UPDATE, within SQLite's limit on query parameters.
STAMP_CHUNK = 900


def upload_warnings_send(*, now: datetime.datetime | None = None) -> int:
    """E-mail owners about their files' coming deletion (P-UPLOAD-RETENTION); return the e-mails queued.

    Each owner gets one e-mail listing the files due within the first warning
    period of UPLOAD_WARNING_DAYS that have not had that warning and,
    separately, those due within the second that have not had that one.
    A file first seen inside the second period gets only the second warning.
    The stamps (`warned_first_at`, `warned_second_at`) are set in the transaction that
    picks the files and the e-mails go after commit, so each warning is sent at
    most once and a second run finds nothing left. Concurrent runs take whole
    areas (on PostgreSQL an area or file row locked elsewhere is skipped until the
    next run; SQLite runs one writer at a time), so an owner gets one e-mail.
    """
    now = now or timezone.now()
    first_days, second_days = settings.UPLOAD_WARNING_DAYS
    second_end = now + datetime.timedelta(days=second_days)
    pending = UploadFile.objects.filter(
        _due_by(now + datetime.timedelta(days=first_days)),
        Q(expires_at__gt=second_end, warned_first_at__isnull=True)
        | Q(expires_at__lte=second_end, warned_second_at__isnull=True),
        expires_at__gt=now,
    )
    with transaction.atomic():
        areas = list(
            UploadArea.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("owner")
            .filter(pk__in=pending.values("area_id"))
            .order_by("pk")
        )
        by_area: dict[int, tuple] = {area.pk: (area.owner, [], []) for area in areas}
        for start in range(0, len(areas), STAMP_CHUNK):
            due = (
                pending.select_for_update(skip_locked=True)
                .filter(area__in=areas[start : start + STAMP_CHUNK])
                .order_by("area_id", "expires_at", "relative_path")
            )
            for upload in due:
                _, first, second = by_area[upload.area_id]
                (second if upload.expires_at <= second_end else first).append(upload)
        by_area = {pk: entry for pk, entry in by_area.items() if entry[1] or entry[2]}
        first_ids = [upload.pk for _, first, _ in by_area.values() for upload in first]
        second_ids = [upload.pk for _, _, second in by_area.values() for upload in second]
        for start in range(0, len(first_ids), STAMP_CHUNK):
            UploadFile.objects.filter(pk__in=first_ids[start : start + STAMP_CHUNK]).update(warned_first_at=now)
        for start in range(0, len(second_ids), STAMP_CHUNK):
            UploadFile.objects.filter(pk__in=second_ids[start : start + STAMP_CHUNK]).update(warned_second_at=now)
        messages = [
            _warning_message(owner=owner, first=first, second=second, now=now)
            for owner, first, second in by_area.values()
        ]
        if messages:
            after_commit(functools.partial(mails_send, messages, about="an upload warning"), about="upload warnings")
    if messages:
        retention_log.info(
            "upload warnings: %d e-mails for %d files due within %d days and %d within %d days",
            len(messages),
            len(first_ids),
            first_days,
            len(second_ids),
            second_days,
        )
    return len(messages)


def _warning_message(*, owner, first: list[UploadFile], second: list[UploadFile], now) -> Mail:
    def rows(uploads: list[UploadFile]) -> dict:
        listed = [
            {
                "path": upload.relative_path,
                "size": upload.size,
                "complete": upload.is_complete,
                "expires_at": upload.expires_at,
                "days_left": upload_days_left(upload.expires_at, now=now),
            }
            for upload in uploads[:WARNING_LIST_LIMIT]
        ]
        return {"files": listed, "count": len(uploads), "unlisted": len(uploads) - len(listed)}

    first_days, second_days = settings.UPLOAD_WARNING_DAYS
    context = {
        "user": owner,
        "first": {"days": first_days, **rows(first)},
        "second": {"days": second_days, **rows(second)},
        "retention_months": settings.UPLOAD_RETENTION_MONTHS,
        "uploads_url": portal_url("/uploads/"),
    }
    return mail_render(
        to=[owner.email],
        template="uploads/email/warning.txt",
        html_template="uploads/email/warning.html",
        context=context,
    )


def uploads_purge_due(*, now: datetime.datetime | None = None, batch_size: int = 1000) -> int:
    """Delete every upload file whose deletion time has come (P-UPLOAD-RETENTION); return how many.

    Files go in batches of `batch_size`: the batch's rows are locked (rows another
    run holds are skipped), the bytes removed, then the rows deleted, and each
    batch is logged. A crash between the two leaves rows whose bytes are already
    gone, which the next run deletes. Nothing is deleted before `expires_at`.
    A draft submission does not protect a file (there are no drafts yet, so there
    is nothing to check); files that were submitted have left the area.
    """
    now = now or timezone.now()
    purged = 0
    while True:
        with transaction.atomic():
            batch = list(
                UploadFile.objects.select_for_update(skip_locked=True)
                .filter(_due_by(now))
                .values_list("pk", "storage_name", "offset")[:batch_size]
            )
            if not batch:
                break
            _bytes_then_rows_remove(batch)
        purged += len(batch)
        retention_log.info(
            "purged %d upload files (%d bytes) past their deletion time; %d this run",
            len(batch),
            sum(offset for _, _, offset in batch),
            purged,
        )
    return purged


def _bytes_then_rows_remove(rows: list[tuple[int, str, int]]) -> None:
    """Remove the bytes, then the rows, of locked `(pk, storage_name, offset)` rows.

    An unlink waits on the filesystem (a shared one at scale), so the I/O pool's threads overlap the waits.
    """
    names = [storage_name for _, storage_name, _ in rows]
    # list() re-raises the first failure, rolling the batch back: its rows stay for the next run.
    list(io_pool().map(upload_bytes_remove, names))
    UploadFile.objects.filter(pk__in=[pk for pk, _, _ in rows]).delete()


def upload_files_moved_out(*, pks: QuerySet, after_each_file: Callable[[], None] = lambda: None) -> int:
    """Remove files that a submission has copied into the archive: bytes first, then rows (P-MOVE-ON-SUBMIT).

    The caller has checked the archive copies and holds the transaction, so a
    crash part-way leaves rows whose bytes may be gone; the move re-checks and
    finishes. `after_each_file` runs after each file's bytes are removed, in the
    thread that removed them: files are unlinked by several threads, as the
    purge does, because an unlink mostly waits for the disk.
    """

    def remove(storage_name: str) -> None:
        upload_bytes_remove(storage_name)
        after_each_file()

    with transaction.atomic():
        moved = UploadFile.objects.filter(pk__in=pks)
        names = list(moved.select_for_update().values_list("storage_name", flat=True))
        list(io_pool().map(remove, names))  # re-raises the first failure
        moved.only("pk").delete()
    return len(names)


def upload_files_remove(*, actor, pks: list[int]) -> int:
    """Delete upload files chosen by a curator in the admin: bytes first, then rows, logged with the actor.

    Nobody else may touch another's upload area (P-UPLOAD-PRIVATE).
    """
    curator_required(actor, rule="P-UPLOAD-PRIVATE", message="Only curators may remove files of upload areas.")
    removed = 0
    for start in range(0, len(pks), STAMP_CHUNK):
        with transaction.atomic():
            rows = list(
                UploadFile.objects.select_for_update()
                .filter(pk__in=pks[start : start + STAMP_CHUNK], held_by_submission=False)
                .values_list("pk", "storage_name", "offset")
            )
            _bytes_then_rows_remove(rows)
        removed += len(rows)
        logger.info(
            "%s removed %d upload files (%d bytes) in the admin",
            actor.username,
            len(rows),
            sum(offset for _, _, offset in rows),
        )
    return removed
