"""Reads of upload areas. Every read is scoped to the owner (P-UPLOAD-PRIVATE)."""

import datetime
import math
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Min, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
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


def upload_days_left(expires_at: datetime.datetime, *, now: datetime.datetime) -> int:
    """Whole days until a file's deletion, rounded up: a file deleted in 30 hours has 2 days left."""
    return max(math.ceil((expires_at - now) / datetime.timedelta(days=1)), 0)


def upload_areas_for_staff() -> QuerySet[UploadArea]:
    """Every area with its owner, usage, file count, oldest file and next deletion, in one query (the admin)."""
    return UploadArea.objects.select_related("owner").annotate(
        usage=Coalesce(Sum("files__size"), Value(0)),
        files_count=Count("files"),
        # The retention clock starts when a file finished, or at the last data of an unfinished one.
        oldest_file_at=Min(Coalesce("files__uploaded_at", "files__last_data_at")),
        next_deletion_at=Min("files__expires_at"),
    )


def upload_files_for_staff() -> QuerySet[UploadFile]:
    """Every area's files with their owners (the admin)."""
    return UploadFile.objects.select_related("area__owner")


@dataclass(frozen=True)
class UploadAreaListing:
    """One page of an owner's files with the area's usage, for the upload page."""

    page: Page
    used_bytes: int
    quota_bytes: int


def upload_area_listing(
    *, owner, folder: str = "", ordering: str = "path", page: int | str = 1, per_page: int = 50
) -> UploadAreaListing:
    """The owner's files under `folder` in `ordering`, one page of them, and the area's quota use.

    A page number past the end gives the last page (e.g. after deleting its last file).
    The number of queries does not depend on the number of files.
    """
    area = upload_area_of(owner)
    files = upload_files_of(owner=owner, folder=folder, ordering=ordering)
    return UploadAreaListing(
        page=Paginator(files, per_page).get_page(page),
        used_bytes=upload_area_usage(area=area) if area else 0,
        quota_bytes=area.quota_bytes if area else settings.UPLOAD_QUOTA_BYTES,
    )
