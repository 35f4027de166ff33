"""Reads of upload areas. Every read is scoped to the owner (P-UPLOAD-PRIVATE)."""

import uuid

from django.db.models import F, QuerySet, Sum
from django.utils import timezone

from uploads.errors import UploadExpired, UploadNotFound
from uploads.models import UploadArea, UploadFile

# API ordering names → model ordering; uploads still running (no uploaded_at) sort last.
FILE_ORDERINGS = {
    "path": (F("relative_path").asc(),),
    "-path": (F("relative_path").desc(),),
    "uploaded_at": (F("uploaded_at").asc(nulls_last=True),),
    "-uploaded_at": (F("uploaded_at").desc(nulls_last=True),),
    "expires_at": (F("expires_at").asc(),),
    "-expires_at": (F("expires_at").desc(),),
    "size": (F("size").asc(),),
    "-size": (F("size").desc(),),
}


def upload_area_of(owner) -> UploadArea | None:
    if not owner.is_authenticated:
        return None
    return UploadArea.objects.filter(owner=owner).first()


def upload_area_usage(*, area: UploadArea) -> int:
    """Bytes counted against the quota: the declared sizes of all the area's files."""
    return area.files.aggregate(total=Sum("size"))["total"] or 0


def upload_files_of(*, owner, folder: str = "", ordering: str = "path") -> QuerySet[UploadFile]:
    """The owner's files, optionally only those under `folder` (a validated path), in `ordering`."""
    if not owner.is_authenticated:
        return UploadFile.objects.none()
    files = UploadFile.objects.filter(area__owner=owner)
    if folder:
        files = files.filter(relative_path__startswith=f"{folder}/")
    return files.order_by(*FILE_ORDERINGS[ordering], "pk")


def upload_file_get_owned(*, owner, upload_id: uuid.UUID | None = None, pk: int | None = None) -> UploadFile:
    """The owner's file by tus id or by primary key; anyone else's is UploadNotFound (P-UPLOAD-PRIVATE)."""
    if not owner.is_authenticated:
        raise UploadNotFound()
    lookup = {"upload_id": upload_id} if upload_id is not None else {"pk": pk}
    upload = UploadFile.objects.select_related("area").filter(area__owner=owner, **lookup).first()
    if upload is None:
        raise UploadNotFound()
    return upload


def upload_file_get_resumable(*, owner, upload_id: uuid.UUID) -> UploadFile:
    """The owner's upload by tus id, or UploadExpired once past its deletion time (not yet purged)."""
    upload = upload_file_get_owned(owner=owner, upload_id=upload_id)
    if upload.expires_at <= timezone.now():
        raise UploadExpired()
    return upload
