"""Thumbnails of archive images, served through the same visibility path as the files they show."""

from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.views.decorators.http import require_safe

from archive.downloads import etag_matches
from archive.selectors import thumbnail_for_file
from archive.storage import archive_storage
from archive.views.studies import with_visible_file


@require_safe
@with_visible_file
def study_thumbnail(request, *, study, file):
    """Answer the PNG thumbnail of one visible file; 404 while it has none, 410 when it was removed."""
    thumbnail = thumbnail_for_file(file)
    if thumbnail is None:
        raise Http404("This file has no thumbnail.")
    # The thumbnail follows from the content alone, so the content hash is a strong validator.
    etag = f'"thumb-{file.sha256}"'
    cache_control = "public, max-age=86400" if study.is_public else "private, no-cache"
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match and etag_matches(if_none_match, etag):
        response = HttpResponseNotModified()
    else:
        with archive_storage().open(thumbnail.storage_key, "rb") as stream:
            response = HttpResponse(stream.read(), content_type="image/png")
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return response
