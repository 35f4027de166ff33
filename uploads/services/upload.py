"""Writes to upload areas: create, append to, complete and remove uploads, and hold them for a submission.

The tus views and the file API call one function each. Appends are guarded by
an OS lock on the upload's file for the length of the transfer, and commit the
new offset in a short transaction that locks the row and re-checks it; no
database transaction stays open while a body streams in (on SQLite that would
block every writer of the portal for the whole transfer).
"""

import datetime
import hashlib
import logging
import uuid
from collections.abc import Sequence
from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from uploads.errors import OffsetMismatch, UploadComplete, UploadHeld, UploadNotFound, UploadTooLarge
from uploads.models import UploadArea, UploadFile, UploadState
from uploads.paths import upload_path_validate
from uploads.selectors import upload_area_usage, upload_file_get_owned, upload_file_get_resumable
from uploads.services.retention import upload_expiry_after
from uploads.signals import upload_replaced
from uploads.storage import (
    Checksum,
    append_body,
    hash_states,
    upload_bytes_create,
    upload_bytes_locked,
    upload_bytes_remove,
)

logger = logging.getLogger(__name__)


def upload_max_file_bytes() -> int:
    return settings.UPLOAD_MAX_FILE_BYTES


def upload_area_get_or_create(*, owner) -> UploadArea:
    """Return the owner's upload area, making it with the default quota on first use."""
    area, _ = UploadArea.objects.get_or_create(
        owner=owner, defaults={"quota_bytes": settings.UPLOAD_QUOTA_BYTES, "created_at": timezone.now()}
    )
    return area


def upload_create(
    *,
    owner,
    size: int,
    relative_path: str,
    tus_metadata: str = "",
    body: BinaryIO | None = None,
    body_length: int | None = None,
    checksum: Checksum | None = None,
) -> UploadFile:
    """Start an upload of `size` bytes at `relative_path` (tus creation), with its first bytes if given.

    The quota counts the declared sizes of all the area's files, finished or not.
    If the first bytes (creation-with-upload) are refused, nothing is created.
    `tus_metadata` is the Upload-Metadata header as sent, kept for HEAD to repeat.
    """
    upload = _upload_start(
        owner=owner,
        relative_path=relative_path,
        size=size,
        now=timezone.now(),
        field="Upload-Length",
        tus_metadata=tus_metadata,
    )
    logger.info("upload created: %s (%s bytes) by %s", upload.upload_id, size, owner.pk)
    if size == 0:
        return _upload_finish_empty(upload=upload)
    if body is not None and body_length:
        try:
            return upload_append(
                owner=owner, upload_id=upload.upload_id, offset=0, body=body, body_length=body_length, checksum=checksum
            )
        except Exception:
            upload_terminate(owner=owner, upload_id=upload.upload_id)
            raise
    return upload


def _upload_start(
    *,
    owner,
    relative_path: str,
    size: int,
    now: datetime.datetime,
    field: str,
    offset: int = 0,
    tus_metadata: str = "",
) -> UploadFile:
    """Make the row of an upload of `size` bytes at `relative_path` (at `offset`) and its empty bytes file.

    The quota counts the declared sizes of all the area's files, finished or not;
    `field` names the size in a refusal.
    """
    path = upload_path_validate(relative_path)
    if size > upload_max_file_bytes():
        raise UploadTooLarge(
            rule="UPLOAD-MAX-SIZE", field=field, message=f"A file may be at most {upload_max_file_bytes()} bytes."
        )
    area = upload_area_get_or_create(owner=owner)
    with transaction.atomic():
        # Locking the area serialises creations, so two cannot both squeeze under the quota.
        area = UploadArea.objects.select_for_update().get(pk=area.pk)
        used = upload_area_usage(area=area)
        if used + size > area.quota_bytes:
            raise UploadTooLarge(
                rule="UPLOAD-QUOTA",
                field=field,
                message=(
                    f"This file ({size} bytes) would take your upload area over its quota: "
                    f"{used} of {area.quota_bytes} bytes are in use."
                ),
            )
        upload_id = uuid.uuid4()
        upload = UploadFile.objects.create(
            area=area,
            upload_id=upload_id,
            relative_path=path,
            tus_metadata=tus_metadata,
            size=size,
            offset=offset,
            created_at=now,
            last_data_at=now,
            expires_at=upload_expiry_after(now),
            storage_name=f"{area.pk}/{upload_id}",
        )
        upload_bytes_create(upload.storage_name)
    return upload


def _upload_finish_empty(*, upload: UploadFile) -> UploadFile:
    with transaction.atomic():
        upload = UploadFile.objects.select_for_update().get(pk=upload.pk)
        _complete(upload=upload, sha256=hashlib.sha256().hexdigest(), now=upload.created_at)
        upload.save()
    return upload


def upload_append(
    *,
    owner,
    upload_id: uuid.UUID,
    offset: int,
    body: BinaryIO,
    body_length: int,
    checksum: Checksum | None = None,
) -> UploadFile:
    """Append `body`, `body_length` bytes, to the owner's upload at `offset` (tus PATCH) and return the upload.

    A second concurrent append to the same upload gets UploadBusy (409) at once.
    When the last byte arrives the upload is complete: its SHA-256 is set, its
    deletion time becomes 3 months after now, and a complete file of the area
    with the same path is replaced (its row and bytes go). A complete upload
    refuses every append, even an empty one (UploadComplete): completing it
    again would move its deletion time (P-UPLOAD-RETENTION) and replace a newer
    file at its path.
    """
    upload = upload_file_get_resumable(owner=owner, upload_id=upload_id)
    # An upload's offset reaches its size only in the transaction that completes it, so this read decides.
    if upload.is_complete:
        raise UploadComplete()
    if offset != upload.offset:
        raise OffsetMismatch(expected=upload.offset)
    remaining = upload.size - offset
    if body_length > remaining:
        raise UploadTooLarge(
            rule="TUS-UPLOAD-LENGTH",
            field="Content-Length",
            message=f"The body ({body_length} bytes) goes past the declared length; {remaining} bytes remain.",
        )
    key = str(upload.upload_id)
    with upload_bytes_locked(upload.storage_name) as handle:
        # Another request may have appended between the read above and taking the lock.
        current = UploadFile.objects.filter(pk=upload.pk).values_list("offset", flat=True).first()
        if current is None:
            raise UploadNotFound()
        if current != offset:
            raise OffsetMismatch(expected=current)
        appended = append_body(handle=handle, key=key, offset=offset, limit=body_length, body=body, checksum=checksum)
        # Read after the transfer: the data arrived now, however long the body took.
        now = timezone.now()
        with transaction.atomic():
            upload = UploadFile.objects.select_for_update().filter(pk=upload.pk).first()
            if upload is None:  # terminated while the body streamed in; its bytes are already gone
                raise UploadNotFound()
            upload.offset = offset + appended.written
            if appended.written:
                upload.last_data_at = now
                _set_expiry(upload, upload_expiry_after(now))
            if upload.offset == upload.size:
                _complete(upload=upload, sha256=appended.digest.hexdigest(), now=now)
            upload.save()
        if upload.is_complete:
            hash_states.forget(key)
        else:
            hash_states.keep(key, upload.offset, appended.digest)
    return upload


def _set_expiry(upload: UploadFile, expires_at: datetime.datetime) -> None:
    if upload.expires_at != expires_at:
        upload.expires_at = expires_at
        # A new deadline deserves its own warnings (P-UPLOAD-RETENTION).
        upload.warned_first_at = None
        upload.warned_second_at = None


def _complete(*, upload: UploadFile, sha256: str, now: datetime.datetime) -> None:
    """Mark `upload` complete and replace the area's older complete file at the same path.

    Runs inside the caller's transaction; the older bytes are removed after commit.
    `upload_replaced` tells whoever chose the older file (a draft) before its row goes.
    """
    upload.state = UploadState.COMPLETE
    upload.sha256 = sha256
    upload.uploaded_at = now
    _set_expiry(upload, upload_expiry_after(now))
    older = list(
        UploadFile.objects.select_for_update()
        .filter(area_id=upload.area_id, relative_path=upload.relative_path, state=UploadState.COMPLETE)
        .filter(held_by_submission=False)  # a held file leaves with its submission, not before
        .exclude(pk=upload.pk)
    )
    for replaced in older:
        upload_replaced.send(sender=UploadFile, replaced=replaced, upload=upload)
        _remove(replaced)
        logger.info("upload %s replaced %s at %s", upload.upload_id, replaced.upload_id, upload.relative_path)
    logger.info("upload complete: %s sha256=%s", upload.upload_id, sha256)


def _remove(upload: UploadFile) -> None:
    if upload.held_by_submission:
        raise UploadHeld()
    storage_name, key = upload.storage_name, str(upload.upload_id)
    upload.delete()
    transaction.on_commit(lambda: (upload_bytes_remove(storage_name), hash_states.forget(key)))


def upload_files_hold(*, pks: QuerySet | Sequence[int], held: bool) -> int:
    """Protect the files of a submitted submission from deletion until they are moved, or release them.

    Submissions call this; the purge, the owner's deletes and same-path
    replacements all leave a held file alone (P-MOVE-ON-SUBMIT). `pks` may be a
    queryset of ids: the database then marks a million files in one UPDATE.
    """
    with transaction.atomic():
        return UploadFile.objects.filter(pk__in=pks).update(held_by_submission=held)


def upload_terminate(*, owner, upload_id: uuid.UUID) -> None:
    """Delete the owner's upload, finished or not, and its bytes (tus termination)."""
    with transaction.atomic():
        upload = upload_file_get_owned(owner=owner, upload_id=upload_id)
        _remove(upload)
    logger.info("upload terminated: %s by %s", upload_id, owner.pk)


def upload_file_delete(*, owner, pk: int) -> None:
    """Delete one of the owner's files and its bytes (the file API)."""
    with transaction.atomic():
        upload = upload_file_get_owned(owner=owner, pk=pk)
        _remove(upload)
    logger.info("upload file deleted: %s by %s", upload.upload_id, owner.pk)


def upload_file_put(
    *, owner, relative_path: str, content: bytes, size: int | None = None, now: datetime.datetime | None = None
) -> UploadFile:
    """Put `content` into the owner's area in one step, as received at `now` (the demo data).

    With a declared `size` larger than the content the upload stays unfinished,
    to be resumed over tus; otherwise it is complete, as if its upload had ended
    at `now`, and replaces a complete file at the same path. The path, size and
    quota rules are those of `upload_create`.
    """
    now = now or timezone.now()
    size = len(content) if size is None else size
    if size < len(content):
        raise UploadTooLarge(
            rule="TUS-UPLOAD-LENGTH", field="content", message="The content goes past the declared size."
        )
    with transaction.atomic():
        upload = _upload_start(
            owner=owner, relative_path=relative_path, size=size, now=now, field="size", offset=len(content)
        )
        with upload_bytes_locked(upload.storage_name) as handle:
            handle.write(content)
        if upload.offset == size:
            _complete(upload=upload, sha256=hashlib.sha256(content).hexdigest(), now=now)
            upload.save()
    return upload
