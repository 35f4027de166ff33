"""Thumbnails of archive images, served through the same visibility path as the files they show."""

from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.views.decorators.http import require_safe

from archive.downloads import _etag_matches
from archive.selectors import FileGone, StudyGone, StudyNotFound, study_file_get_visible, thumbnail_for_file
from archive.storage import archive_storage
from archive.views.studies import _visible_page, clean_path, tombstone


@require_safe
def study_thumbnail(request, accession: str, path: str, version: int | None = None):
    """Answer the PNG thumbnail of one visible file; 404 while it has none, 410 when it was removed."""
    if not clean_path(path):
        raise Http404("Not a valid file path.")
    try:
        page = _visible_page(request, accession, version)
        file = study_file_get_visible(user=request.user, version=page.version, path=path)
    except StudyGone as gone:
        return tombstone(request, gone.study)
    except StudyNotFound:
        raise Http404("No such file.") from None
    except FileGone:
        context = {
            "status": 410,
            "title": "File removed",
            "message": f"This file of {accession} was removed from the public record.",
        }
        return render(request, "error.html", context, status=410)
    thumbnail = thumbnail_for_file(file)
    if thumbnail is None:
        raise Http404("This file has no thumbnail.")
    # The thumbnail follows from the content alone, so the content hash is a strong validator.
    etag = f'"thumb-{file.sha256}"'
    cache_control = "public, max-age=86400" if page.study.is_public else "private, no-cache"
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match and _etag_matches(if_none_match, etag):
        response = HttpResponseNotModified()
    else:
        with archive_storage().open(thumbnail.storage_key, "rb") as stream:
            response = HttpResponse(stream.read(), content_type="image/png")
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return response
