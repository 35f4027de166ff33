"""Accession pages, file downloads and checksum manifests."""

import functools

from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from archive.downloads import file_response
from archive.exports.signposting import file_signposts, link_header
from archive.models import UsageKind
from archive.selectors.downloads import folder_check
from archive.selectors.files import FileGone, study_file_get_visible
from archive.selectors.manifest import manifest_blocks
from archive.services.usage import usage_record
from archive.views.download_links import download_refused
from archive.views.exports import negotiated_record_type, record_response
from archive.views.study_page import study_page_response
from archive.views.visible import answers_unreachable, visible_version
from core.errors import PolicyViolation

# A file handed over whole or in part, or the redirect to the object store that hands it over.
DELIVERED = (200, 206, 302)


@require_safe
def study_detail(request, accession: str, version: int | None = None):
    """The accession page, or the record an Accept header asks for (a citation, DataCite XML, JSON-LD)."""
    media_type = negotiated_record_type(request)
    if media_type:
        response = record_response(request, accession, version, media_type)
    else:
        response = study_page_response(request, accession, version)
    patch_vary_headers(response, ["Accept"])
    return response


def clean_path(path: str) -> bool:
    """True when `path` is a plain relative path: no dot segments, empty segments or control characters."""
    if not path or path.startswith("/") or any(ord(c) < 32 or ord(c) == 127 for c in path):
        return False
    return all(segment not in ("", ".", "..") for segment in path.split("/"))


def file_gone(request):
    """Answer 410 for a file removed from the public record (P-REMOVE)."""
    context = {"status": 410, "title": "File removed", "message": "This file was removed from the public record."}
    return render(request, "error.html", context, status=410)


def with_visible_file(view):
    """Resolve a file URL through the visibility selectors and call `view(request, study=, file=)`.

    Obsolete files stay public; a removed file or study answers 410, anything
    the caller may not see 404 (P-OBSOLETE, P-REMOVE).
    """

    @functools.wraps(view)
    @answers_unreachable
    def resolved(request, accession: str, path: str, version: int | None = None):
        if not clean_path(path):
            raise Http404("Not a valid file path.")
        study, study_version = visible_version(request, accession, version)
        try:
            file = study_file_get_visible(user=request.user, version=study_version, path=path)
        except FileGone:
            return file_gone(request)
        return view(request, study=study, file=file)

    return resolved


@require_safe
@with_visible_file
def study_file(request, *, study, file):
    """Download one file of a visible study, with its signposts (FAIR Signposting level 1)."""
    response = file_response(request, file, public=study.is_public)
    if response.status_code in DELIVERED:
        usage_record(request, study, UsageKind.REQUEST)
    response["Link"] = link_header(file_signposts(request, study=study, version=file.version))
    return response


def manifest_response(*, version, user, folder: str = "") -> StreamingHttpResponse:
    """The `sha256sum -c` manifest of the files of `version` (under `folder`) that `user` may download, streamed."""
    response = StreamingHttpResponse(
        manifest_blocks(version=version, user=user, folder=folder), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="manifest.sha256"'
    return response


@require_safe
@answers_unreachable
def study_manifest(request, accession: str, version: int | None = None):
    """List `<sha256>  <path>` for the downloadable files of a version, for `sha256sum -c`."""
    study, study_version = visible_version(request, accession, version)
    try:
        folder = folder_check(request.GET.get("folder", ""))
    except PolicyViolation as error:
        return download_refused(request, error)
    response = manifest_response(version=study_version, user=request.user, folder=folder)
    response["Cache-Control"] = "public, max-age=300" if study.is_public else "private, no-cache"
    return response
