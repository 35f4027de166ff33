"""Whole-study and folder downloads: `download.zip` and `download-list.txt`, on accession and reviewer-link routes.

Each view resolves the study through the visibility selector (or the reviewer link), then calls
archive.selectors.downloads. `?folder=raw/` narrows a download to one folder; `?format=` picks the list's
client (aria2c by default, wget or curl).
"""

import functools

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from archive.downloads import attachment_disposition
from archive.exports.rocrate import VersionCrate
from archive.models import Study, UsageKind
from archive.selectors.downloads import (
    Download,
    ZipTooLarge,
    download_get,
    download_list_lines,
    download_zip,
    list_format_check,
)
from archive.selectors.visibility import study_get_by_reviewer_token, study_version_get
from archive.services.usage import usage_record
from archive.views.download_links import RouteSpace, download_offer, download_refused
from archive.views.exports import crate_addresses
from archive.views.visible import answers_unreachable, visible_version
from core.errors import PolicyViolation


def _accession_lookup(request, *, accession: str, version: int | None = None):
    study, study_version = visible_version(request, accession, version)
    return study, study_version, RouteSpace.for_version(study_version, user=request.user)


def _reviewer_lookup(request, *, token: str):
    study, _link = study_get_by_reviewer_token(token)
    return study, study_version_get(study=study), RouteSpace.for_reviewer(token)


def _resolved(view):
    """Call `view(request, study=, download=, routes=)` with what `lookup(request, **kwargs)` resolves.

    `lookup` goes through the visibility selector or the reviewer link and returns (study, version, route
    space); the views below answer what it cannot reach (`answers_unreachable`). An unknown folder is 404,
    a malformed folder or format 400 naming the rule.
    """

    @functools.wraps(view)
    def resolved(request, lookup, **kwargs):
        study, version, routes = lookup(request, **kwargs)
        try:
            download = download_get(version=version, user=routes.user, folder=request.GET.get("folder", ""))
            response = view(request, study=study, download=download, routes=routes)
        except PolicyViolation as error:
            return download_refused(request, error)
        if response.status_code == 200:  # the ZIP or the list counts as one request (COUNTER)
            usage_record(request, study, UsageKind.REQUEST)
        return response

    return resolved


def _crate_of(request, *, study: Study, download: Download, routes: RouteSpace) -> VersionCrate | None:
    """The RO-Crate a ZIP carries: the same document as the version's ro-crate-metadata.json, for its folder.

    None on a reviewer link: the crate names the authors (which an anonymised link hides) and the accession's
    addresses, which a reviewer cannot open.
    """
    if routes.private:
        return None
    version = download.version
    addresses = crate_addresses(request, study=study, version=version)
    return VersionCrate(study=study, version=version, user=download.user, addresses=addresses, folder=download.folder)


@_resolved
def _zip(request, *, study: Study, download: Download, routes: RouteSpace):
    try:
        stream = download_zip(download, crate=_crate_of(request, study=study, download=download, routes=routes))
    except ZipTooLarge as error:
        context = {"message": error.message, "offer": download_offer(request, download=download, routes=routes)}
        return render(request, "archive/download_too_large.html", context, status=error.status)
    # HEAD tells the size without reading a byte of the files.
    response = StreamingHttpResponse(stream if request.method != "HEAD" else (), content_type="application/zip")
    response["Content-Length"] = str(len(stream))
    response["Content-Disposition"] = attachment_disposition(f"{download.name}.zip")
    public = study.is_public and not routes.private
    response["Cache-Control"] = "public, max-age=300" if public else "private, no-store"
    return response


@_resolved
def _list(request, *, study: Study, download: Download, routes: RouteSpace):
    list_format = request.GET.get("format", "aria2c")
    list_format_check(list_format)
    addresses = routes.addresses(request, download.folder)
    lines = download_list_lines(download, addresses=addresses, list_format=list_format)
    response = StreamingHttpResponse((line.encode() for line in lines), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = attachment_disposition(f"{download.name}.txt")
    # Signed object-store URLs and a reviewer's token are not for shared caches.
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@answers_unreachable
def study_download_zip(request, accession: str, version: int | None = None):
    """A streamed ZIP of a visible version (or `?folder=`) that keeps the folders, with its manifest."""
    return _zip(request, _accession_lookup, accession=accession, version=version)


@require_safe
@answers_unreachable
def study_download_list(request, accession: str, version: int | None = None):
    """The download list of a visible version (or `?folder=`) for aria2c, wget or curl (`?format=`)."""
    return _list(request, _accession_lookup, accession=accession, version=version)


@never_cache
@require_safe
@answers_unreachable(private=True)
def review_download_zip(request, token: str):
    """The streamed ZIP of the newest version of the study a reviewer link opens."""
    return _zip(request, _reviewer_lookup, token=token)


@never_cache
@require_safe
@answers_unreachable(private=True)
def review_download_list(request, token: str):
    """The download list of the newest version of the study a reviewer link opens, in its route space."""
    return _list(request, _reviewer_lookup, token=token)
