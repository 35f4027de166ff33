"""Accession pages, file downloads and checksum manifests."""

import functools
from collections.abc import Callable

from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from archive.downloads import file_response
from archive.jsonld import canonical_url, study_dataset
from archive.models import FileStatus, Study, StudyVersion
from archive.selectors.files import FileGone, study_file_get_visible, study_files, study_files_page
from archive.selectors.paging import CountedPage
from archive.selectors.visibility import StudyGone, StudyNotFound, study_get_visible, study_page_get, study_version_get
from archive.views.sharing import owner_tools_context
from core.roles import user_is_curator

FILES_PER_PAGE = 50


def tombstone(request, study: Study):
    """Answer 410 for a removed entry: accession, date and reason category only (P-REMOVE)."""
    context = {
        "accession": study.accession,
        "removed_at": study.status_changed_at,
        "reason": study.get_status_reason_display() if study.status_reason else "",
    }
    return render(request, "archive/tombstone.html", context, status=410)


def _visible_version(request, accession: str, number: int | None) -> tuple[Study, StudyVersion]:
    """Return a study the caller sees and its version `number`, raising Http404 or the StudyGone of a removed entry.

    Downloads and manifests need that one version, not the page's list of every version with its metadata.
    """
    try:
        study = study_get_visible(request.user, accession)
        return study, study_version_get(study=study, number=number)
    except StudyNotFound:
        raise Http404("No such study or version.") from None


def study_page_context(
    request,
    *,
    study: Study,
    version: StudyVersion,
    files: CountedPage,
    files_size: int | None,
    file_url: Callable[[str], str],
    manifest_url: str,
    anonymised: bool = False,
) -> dict:
    """The context the study page and the reviewer page share (templates/archive/includes/).

    `file_url(path)` gives each listed file its download address, so the same file
    table serves accession routes and reviewer-link routes. Anonymised pages name no authors.
    """
    for file in files.rows:
        file.download_url = file_url(file.path)
    metadata = version.metadata
    return {
        "study": study,
        "version": version,
        "metadata": metadata,
        "anonymised": anonymised,
        "authors": [] if anonymised else metadata.get("authors") or [],
        "keywords": metadata.get("keywords") or [],
        "page_obj": Paginator(files, FILES_PER_PAGE).page(files.start // FILES_PER_PAGE + 1),
        "files_count": files.total,
        "files_size": files_size or 0,
        "manifest_url": manifest_url,
        "study_url": request.build_absolute_uri(reverse("study-detail", args=[study.accession])),
    }


def requested_page(request) -> int:
    requested = request.GET.get("page", "")
    return int(requested) if requested.isdigit() else 1


@require_safe
def study_detail(request, accession: str, version: int | None = None):
    return study_page_response(request, accession, version)


def study_page_response(request, accession: str, version: int | None = None, *, owner_forms: dict | None = None):
    """Render the accession page; `owner_forms` shows the owner's refused forms again (archive/views/sharing.py)."""
    try:
        page = study_page_get(request.user, accession, version)
    except StudyGone as gone:
        return tombstone(request, gone.study)
    except StudyNotFound:
        raise Http404("No such study or version.") from None
    study, study_version = page.study, page.version
    files, files_size = study_files_page(
        version=study_version, user=request.user, page=requested_page(request), per_page=FILES_PER_PAGE
    )
    # A pinned version keeps its downloads and manifest pinned too.
    if version is None:
        routes, route_args = ("study-file", "study-manifest"), [study.accession]
    else:
        routes, route_args = ("study-version-file", "study-version-manifest"), [study.accession, study_version.number]
    context = study_page_context(
        request,
        study=study,
        version=study_version,
        files=files,
        files_size=files_size,
        file_url=lambda path: reverse(routes[0], args=[*route_args, path]),
        manifest_url=reverse(routes[1], args=route_args),
    )
    curator = user_is_curator(request.user)
    owner = request.user.is_authenticated and study.owner_id == request.user.pk
    # Search engines may index only entries that are public and not hidden (P-HIDE).
    indexable = study.is_public and study.searchable
    context |= {
        "versions": page.versions,
        "is_newest": page.is_newest,
        "pinned_version": version is not None,
        "is_curator": curator,
        "show_hidden_banner": not study.searchable and (curator or owner),
        "indexable": indexable,
    }
    if indexable:
        context["jsonld"] = study_dataset(request=request, study=study, version=study_version, is_newest=page.is_newest)
        if version is not None:  # a /v<n>/ page names the one address to index for what it shows
            context["canonical_url"] = canonical_url(
                request, study=study, version=study_version, is_newest=page.is_newest
            )
    context |= owner_tools_context(request, study=study, forms=owner_forms)
    response = render(request, "archive/study_detail.html", context)
    if context["owner_tools"] and context["owner_tools"]["created_link"]:
        add_never_cache_headers(response)  # it shows a new reviewer link's secret URL, once
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
    def resolved(request, accession: str, path: str, version: int | None = None):
        if not clean_path(path):
            raise Http404("Not a valid file path.")
        try:
            study, study_version = _visible_version(request, accession, version)
            file = study_file_get_visible(user=request.user, version=study_version, path=path)
        except StudyGone as gone:
            return tombstone(request, gone.study)
        except StudyNotFound:
            raise Http404("No such file.") from None
        except FileGone:
            return file_gone(request)
        return view(request, study=study, file=file)

    return resolved


@require_safe
@with_visible_file
def study_file(request, *, study, file):
    """Download one file of a visible study."""
    return file_response(request, file, public=study.is_public)


def _manifest_line(sha256: str, path: str) -> str:
    # GNU coreutils format; names with a backslash or newline are escaped and the line marked with "\".
    if "\\" in path or "\n" in path:
        escaped = path.replace("\\", "\\\\").replace("\n", "\\n")
        return "\\" + sha256 + "  " + escaped + "\n"
    return f"{sha256}  {path}\n"


def manifest_response(*, version, user) -> StreamingHttpResponse:
    """The `sha256sum -c` manifest of the files of `version` that `user` may download."""
    files = study_files(version=version, user=user).exclude(status=FileStatus.REMOVED).values_list("sha256", "path")
    # Streamed so that a study with many thousands of files is never held in memory.
    lines = (_manifest_line(sha256, path) for sha256, path in files.iterator(chunk_size=2000))
    response = StreamingHttpResponse(lines, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="manifest.sha256"'
    return response


@require_safe
def study_manifest(request, accession: str, version: int | None = None):
    """List `<sha256>  <path>` for the downloadable files of a version, for `sha256sum -c`."""
    try:
        study, study_version = _visible_version(request, accession, version)
    except StudyGone as gone:
        return tombstone(request, gone.study)
    response = manifest_response(version=study_version, user=request.user)
    response["Cache-Control"] = "public, max-age=300" if study.is_public else "private, no-cache"
    return response
