"""Writes to upload areas: create, append to, complete and remove uploads.

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
from typing import BinaryIO

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from uploads.errors import OffsetMismatch, UploadNotFound, UploadTooLarge
from uploads.models import UploadArea, UploadFile, UploadState
from uploads.paths import upload_path_validate
from uploads.selectors import upload_area_usage, upload_file_get_owned, upload_file_get_resumable
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


def upload_expiry_after(moment: datetime.datetime) -> datetime.datetime:
    """The deletion time of a file whose upload ended (or last received data) at `moment`.

    Calendar months (P-UPLOAD-RETENTION): 31 August → 30 November, 30 November → 28/29 February.
    """
    return moment + relativedelta(months=settings.UPLOAD_RETENTION_MONTHS)


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
    body: BinaryIO | None = None,
    body_length: int | None = None,
    checksum: Checksum | None = None,
) -> UploadFile:
    """Start an upload of `size` bytes at `relative_path` (tus creation), with its first bytes if given.

    The quota counts the declared sizes of all the area's files, finished or not.
    If the first bytes (creation-with-upload) are refused, nothing is created.
    """
    path = upload_path_validate(relative_path)
    if size > upload_max_file_bytes():
        raise UploadTooLarge(
            rule="UPLOAD-MAX-SIZE",
            field="Upload-Length",
            message=f"A file may be at most {upload_max_file_bytes()} bytes.",
        )
    now = timezone.now()
    area = upload_area_get_or_create(owner=owner)
    with transaction.atomic():
        # Locking the area serialises creations, so two cannot both squeeze under the quota.
        area = UploadArea.objects.select_for_update().get(pk=area.pk)
        used = upload_area_usage(area=area)
        if used + size > area.quota_bytes:
            raise UploadTooLarge(
                rule="UPLOAD-QUOTA",
                field="Upload-Length",
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
            size=size,
            created_at=now,
            last_data_at=now,
            expires_at=upload_expiry_after(now),
            storage_name=f"{area.pk}/{upload_id}",
        )
        upload_bytes_create(upload.storage_name)
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
    body_length: int | None,
    checksum: Checksum | None = None,
) -> UploadFile:
    """Append `body` to the owner's upload at `offset` (tus PATCH) and return the upload.

    A second concurrent append to the same upload gets UploadBusy (409) at once.
    When the last byte arrives the upload is complete: its SHA-256 is set, its
    deletion time becomes 3 months after now, and a complete file of the area
    with the same path is replaced (its row and bytes go).
    """
    upload = upload_file_get_resumable(owner=owner, upload_id=upload_id)
    if offset != upload.offset:
        raise OffsetMismatch(expected=upload.offset)
    remaining = upload.size - offset
    if body_length is not None and body_length > remaining:
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
        limit = remaining if body_length is None else body_length
        appended = append_body(handle=handle, key=key, offset=offset, limit=limit, body=body, checksum=checksum)
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
        upload.warned_14_at = None
        upload.warned_2_at = None


def _complete(*, upload: UploadFile, sha256: str, now: datetime.datetime) -> None:
    """Mark `upload` complete and replace the area's older complete file at the same path.

    Runs inside the caller's transaction; the older bytes are removed after commit.
    """
    upload.state = UploadState.COMPLETE
    upload.sha256 = sha256
    upload.uploaded_at = now
    _set_expiry(upload, upload_expiry_after(now))
    older = list(
        UploadFile.objects.select_for_update()
        .filter(area_id=upload.area_id, relative_path=upload.relative_path, state=UploadState.COMPLETE)
        .exclude(pk=upload.pk)
    )
    for replaced in older:
        _remove(replaced)
        logger.info("upload %s replaced %s at %s", upload.upload_id, replaced.upload_id, upload.relative_path)
    logger.info("upload complete: %s sha256=%s", upload.upload_id, sha256)


def _remove(upload: UploadFile) -> None:
    storage_name, key = upload.storage_name, str(upload.upload_id)
    upload.delete()
    transaction.on_commit(lambda: (upload_bytes_remove(storage_name), hash_states.forget(key)))


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
