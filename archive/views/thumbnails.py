"""Thumbnails of archive images, served through the same visibility path as the files they show."""

from django.http import Http404, HttpResponse
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_safe

from archive.models import Thumbnail
from archive.selectors.files import thumbnail_for_file
from archive.storage import archive_storage
from archive.views.studies import with_visible_file


@require_safe
@with_visible_file
def study_thumbnail(request, *, study, file):
    """Answer the PNG thumbnail of one visible file; 404 while it has none, 410 when it was removed."""
    thumbnail = thumbnail_for_file(file)
    if thumbnail is None:
        raise Http404("This file has no thumbnail.")
    cache_control = "public, max-age=86400" if study.is_public else "private, no-cache"
    return thumbnail_response(request, thumbnail, cache_control=cache_control)


def thumbnail_response(request, thumbnail: Thumbnail, *, cache_control: str) -> HttpResponse:
    """Answer a made thumbnail's PNG, or 304/412 to a conditional request."""
    # The thumbnail follows from the content alone, so the content hash is a strong validator.
    etag = f'"thumb-{thumbnail.sha256}"'
    # 304 for a matching If-None-Match, 412 for a failing If-Match, as downloads answer (archive/downloads.py).
    response = get_conditional_response(request, etag=etag)
    if response is None:
        with archive_storage().open(thumbnail.storage_key, "rb") as stream:
            response = HttpResponse(stream.read(), content_type="image/png")
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return response
