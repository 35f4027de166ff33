"""Thumbnails of image contents, made by a scheduled job, one per distinct content."""

import logging
from collections.abc import Callable
from typing import BinaryIO

from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils import timezone

from archive.models import ArchiveFile, Thumbnail, ThumbnailStatus
from archive.storage import archive_storage, store_once
from archive.thumbnails import IMAGE_EXTENSIONS, ThumbnailError, thumbnail_render

logger = logging.getLogger(__name__)


def thumbnail_key(sha256: str) -> str:
    """Thumbnails are content-addressed like the files they show: one per distinct image."""
    return f"thumbnails/{sha256}.png"


def thumbnail_make(*, sha256: str) -> Thumbnail:
    """Make (or return) the thumbnail of the image content `sha256`, read from archive storage.

    A content that cannot be made into a thumbnail gets a `failed` row, so later
    runs skip it; no error from the image leaves this function. Safe to run twice.
    """
    existing = Thumbnail.objects.filter(sha256=sha256).first()
    if existing is not None:
        return existing
    file = ArchiveFile.objects.filter(sha256=sha256).order_by("pk").first()
    if file is None:
        raise ArchiveFile.DoesNotExist(sha256)
    return thumbnail_make_from(
        sha256=sha256,
        size=file.size,
        path=file.path,
        open_content=lambda: archive_storage().open(file.storage_key, "rb"),
    )


def thumbnail_make_from(*, sha256: str, size: int, path: str, open_content: Callable[[], BinaryIO]) -> Thumbnail:
    """Make (or return) the thumbnail of content `sha256`, read through `open_content` wherever it lies.

    For contents not archived yet (a submission's upload files under review): the
    row is keyed by the content's SHA-256 like any other, so the archived file
    finds it made once the content is moved. `path` names the file in the log only.
    """
    existing = Thumbnail.objects.filter(sha256=sha256).first()
    if existing is not None:
        return existing
    fields = {"status": ThumbnailStatus.FAILED}
    try:
        # Decoding runs outside any transaction: it can take seconds and holds no lock.
        with open_content() as stream:
            rendered = thumbnail_render(stream, size=size)
    except ThumbnailError as error:
        fields["error"] = str(error)[:1000]
    except Exception as error:  # a broken file must not stop the job; its row records why
        logger.warning("Thumbnail of %s (%s) failed", sha256, path, exc_info=True)
        fields["error"] = f"{type(error).__name__}: {error}"[:1000]
    else:
        key = thumbnail_key(sha256)
        store_once(key, ContentFile(rendered.png))
        fields = {"status": ThumbnailStatus.MADE, "storage_key": key}
        fields |= {"width": rendered.width, "height": rendered.height}
    thumbnail, _ = Thumbnail.objects.get_or_create(sha256=sha256, defaults={**fields, "created_at": timezone.now()})
    return thumbnail


def thumbnails_make_missing(*, limit: int = 200) -> dict[str, int]:
    """Make thumbnails for up to `limit` image contents (by file extension) that have no row yet.

    Return how many were made and how many failed; a second run finds nothing left.
    """
    is_image = Q()
    for extension in IMAGE_EXTENSIONS:
        is_image |= Q(path__iendswith=extension)
    missing = (
        ArchiveFile.objects.filter(is_image)
        .exclude(sha256__in=Thumbnail.objects.values("sha256"))
        .values_list("sha256", flat=True)
        .order_by("sha256")
        .distinct()[:limit]
    )
    counts = {"made": 0, "failed": 0}
    for sha256 in list(missing):
        thumbnail = thumbnail_make(sha256=sha256)
        counts["made" if thumbnail.status == ThumbnailStatus.MADE else "failed"] += 1
    return counts
