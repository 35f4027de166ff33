"""Reviewer links: one confidential study, read-only, for whoever holds the secret URL (DESIGN §3, §5.2).

Every answer is private and `noindex`, carries no JSON-LD and sends no Referer,
so the token neither lands in a shared cache nor leaks through a followed link.
"""

from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from archive.downloads import file_response
from archive.models import FileStatus
from archive.selectors import (
    FileGone,
    StudyGone,
    StudyNotFound,
    study_file_get_visible,
    study_files,
    study_files_page,
    study_get_by_reviewer_token,
    study_version_get,
)
from archive.services import reviewer_link_record_access
from archive.views.studies import FILES_PER_PAGE, _clean_path, _manifest_line, tombstone


def _private(response):
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _opened(token: str):
    """Return the study and link a token opens; Http404 hides whether it is unknown, revoked or expired."""
    try:
        return study_get_by_reviewer_token(token)
    except StudyNotFound:
        raise Http404("No such reviewer link.") from None


def _review_context(request, *, token: str, study, link) -> dict:
    """The context of the read-only study page: the newest version, without author names when anonymised."""
    version = study_version_get(study=study)
    requested = request.GET.get("page", "")
    # Reviewers are never curators here: removed files stay out of the list, as for the public.
    files, files_size = study_files_page(
        version=version, user=None, page=int(requested) if requested.isdigit() else 1, per_page=FILES_PER_PAGE
    )
    metadata = version.metadata
    return {
        "token": token,
        "study": study,
        "version": version,
        "metadata": metadata,
        "anonymised": link.anonymised,
        "authors": [] if link.anonymised else metadata.get("authors") or [],
        "keywords": metadata.get("keywords") or [],
        "expires_at": link.expires_at,
        "page_obj": Paginator(files, FILES_PER_PAGE).page(files.start // FILES_PER_PAGE + 1),
        "files_count": files.total,
        "files_size": files_size or 0,
        "study_url": request.build_absolute_uri(reverse("study-detail", args=[study.accession])),
    }


@require_safe
def review(request, token: str):
    try:
        study, link = _opened(token)
    except StudyGone as gone:
        return _private(tombstone(request, gone.study))
    reviewer_link_record_access(link=link)
    context = _review_context(request, token=token, study=study, link=link)
    return _private(render(request, "archive/review_detail.html", context))


@require_safe
def review_file(request, token: str, path: str):
    """Download one file of the newest version of the study the link opens, and of no other study."""
    if not _clean_path(path):
        raise Http404("Not a valid file path.")
    try:
        study, _link = _opened(token)
        file = study_file_get_visible(user=None, version=study_version_get(study=study), path=path)
    except StudyGone as gone:
        return _private(tombstone(request, gone.study))
    except StudyNotFound:
        raise Http404("No such file.") from None
    except FileGone:
        context = {"status": 410, "title": "File removed", "message": "This file was removed from the record."}
        return _private(render(request, "error.html", context, status=410))
    response = file_response(request, file, public=False)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_safe
def review_manifest(request, token: str):
    """The `sha256sum -c` manifest of the newest version of the study the link opens."""
    try:
        study, _link = _opened(token)
    except StudyGone as gone:
        return _private(tombstone(request, gone.study))
    files = (
        study_files(version=study_version_get(study=study), user=None)
        .exclude(status=FileStatus.REMOVED)
        .values_list("sha256", "path")
    )
    lines = (_manifest_line(sha256, path) for sha256, path in files.iterator(chunk_size=2000))
    response = StreamingHttpResponse(lines, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="manifest.sha256"'
    return _private(response)
