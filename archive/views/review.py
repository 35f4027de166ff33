"""Reviewer links: one confidential study, read-only, for whoever holds the secret URL (docs/design.md §2, §5.2).

Every answer is never stored by a cache (`never_cache`: private, no-store), is `noindex`, carries
no JSON-LD and sends no Referer, so the token neither lands in a cache nor leaks through a followed link.
"""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from archive.downloads import file_response
from archive.selectors.downloads import folder_check
from archive.selectors.files import FileGone, study_file_get_visible
from archive.selectors.visibility import study_get_by_reviewer_token, study_version_get
from archive.services.access import reviewer_link_record_access
from archive.views.download_links import RouteSpace, download_refused
from archive.views.file_listing import file_listing_get
from archive.views.studies import clean_path, file_gone, manifest_response
from archive.views.study_page import study_page_context
from archive.views.visible import answers_unreachable
from core.errors import PolicyViolation
from core.links import path_reverser


@never_cache
@require_safe
@answers_unreachable(private=True)
def review(request, token: str):
    study, link = study_get_by_reviewer_token(token)
    reviewer_link_record_access(link=link)
    version = study_version_get(study=study)
    # Reviewers are never curators here: removed files stay out of the list, as for the public.
    listing, listing_form = file_listing_get(request, version=version, user=None)
    context = study_page_context(
        request,
        study=study,
        version=version,
        listing=listing,
        listing_form=listing_form,
        file_url=path_reverser("review-file", [token]),
        manifest_url=reverse("review-manifest", args=[token]),
        download_routes=RouteSpace.for_reviewer(token),
        anonymised=link.anonymised,
    )
    context["expires_at"] = link.expires_at
    status = 400 if listing_form.errors else 200
    return render(request, "archive/review_detail.html", context, status=status)


@never_cache
@require_safe
@answers_unreachable(private=True)
def review_file(request, token: str, path: str):
    """Download one file of the newest version of the study the link opens, and of no other study."""
    if not clean_path(path):
        raise Http404("Not a valid file path.")
    study, _link = study_get_by_reviewer_token(token)
    try:
        file = study_file_get_visible(user=None, version=study_version_get(study=study), path=path)
    except FileGone:
        return file_gone(request)
    return file_response(request, file, public=False)


@never_cache
@require_safe
@answers_unreachable(private=True)
def review_manifest(request, token: str):
    """The `sha256sum -c` manifest of the newest version of the study the link opens."""
    study, _link = study_get_by_reviewer_token(token)
    try:
        folder = folder_check(request.GET.get("folder", ""))
    except PolicyViolation as error:
        return download_refused(request, error)
    return manifest_response(version=study_version_get(study=study), user=None, folder=folder)
