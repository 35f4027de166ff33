"""The accession page: its context (shared with the reviewer page) and the owner's controls on it.

`archive/views/sharing.py` handles the owner's forms and renders this page again when one is refused.
"""

from collections.abc import Callable

from django.contrib import messages
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from archive.exports.citations import citation_apa_html, page_citation_item
from archive.exports.signposting import ITEMS_MAX, link_header, page_signposts
from archive.forms import CollaboratorForm, ReleaseDateForm, ReleaseNowForm, ReviewerLinkForm
from archive.jsonld import DISTRIBUTION_FILES_MAX, canonical_url, study_dataset
from archive.metadata import StudyMetadata
from archive.models import Study, StudyStatus, StudyVersion, UsageKind
from archive.release_dates import release_date_bounds
from archive.selectors.dois import StudyDois, doi_url, study_dois
from archive.selectors.downloads import Download
from archive.selectors.file_tree import FileListing
from archive.selectors.files import active_files_head, file_attribute_columns
from archive.selectors.statistics import study_usage
from archive.selectors.visibility import (
    reviewer_links_for,
    study_access_manageable_by,
    study_collaborators,
    study_page_get,
)
from archive.services.usage import usage_record
from archive.views.download_links import RouteSpace, download_offer
from archive.views.file_listing import file_listing_context, file_listing_get
from archive.views.visible import answers_unreachable
from core.links import path_reverser
from core.roles import user_is_curator


def study_page_context(
    request,
    *,
    study: Study,
    version: StudyVersion,
    listing: FileListing,
    listing_form,
    file_url: Callable[[str], str],
    manifest_url: str,
    download_routes: RouteSpace,
    anonymised: bool = False,
    thumbnail_url: Callable[[str], str] | None = None,
) -> dict:
    """The context the study page and the reviewer page share (templates/archive/includes/).

    `file_url(path)` gives each listed file its download address, so the same file
    table serves accession routes and reviewer-link routes; `thumbnail_url(path)` its thumbnail's, if it has one
    (reviewer pages have no thumbnail route yet). Anonymised pages name no authors, nor the
    publication that would name them. The file table has a column per File List attribute on the page
    (each row's `attribute_values` are (column, value) pairs, so a phone's card can name each value).
    """
    attribute_columns = file_attribute_columns(listing.files.rows)
    for file in listing.files.rows:
        file.download_url = file_url(file.path)
        file.thumbnail_url = thumbnail_url(file.path) if thumbnail_url and file.has_thumbnail else ""
        file.attribute_values = [(name, file.attributes.get(name, "")) for name in attribute_columns]
    metadata = StudyMetadata.from_stored(version.metadata)
    folder = listing.folder
    downloads = download_offer(
        request,
        download=Download(version=version, user=download_routes.user, folder=folder.path),
        routes=download_routes,
        files_count=folder.files_count,
        files_size=folder.total_size,
    )
    return {
        "study": study,
        "version": version,
        "metadata": metadata,
        "anonymised": anonymised,
        "authors": [] if anonymised else list(metadata.authors),
        "publication_doi": "" if anonymised else metadata.publication_doi,
        "keywords": list(metadata.keywords),
        "attribute_columns": attribute_columns,
        **file_listing_context(listing),
        "listing_form": listing_form,
        "manifest_url": manifest_url,
        "downloads": downloads,
        "study_url": request.build_absolute_uri(reverse("study-detail", args=[study.accession])),
    }


def _doi_context(dois: StudyDois, *, number: int, pinned: bool) -> dict:
    """The page's DOI (templates/archive/includes/study_header.html); the study's page names its version's too."""
    page_doi, version_doi = dois.for_page(number, pinned=pinned), dois.of_version(number)
    return {
        "doi_url": doi_url(page_doi) if page_doi else "",
        "version_doi_url": doi_url(version_doi) if version_doi and not pinned else "",
    }


def requested_page(request) -> int:
    requested = request.GET.get("page", "")
    return int(requested) if requested.isdigit() else 1


@answers_unreachable
def study_page_response(request, accession: str, version: int | None = None, *, owner_forms: dict | None = None):
    """Render the accession page; `owner_forms` shows the owner's refused forms again (archive/views/sharing.py)."""
    page = study_page_get(request.user, accession, version)
    study, study_version = page.study, page.version
    listing, listing_form = file_listing_get(request, version=study_version, user=request.user)
    if not listing_form.errors:
        usage_record(request, study, UsageKind.INVESTIGATION)
    # A pinned version keeps its downloads and manifest pinned too.
    if version is None:
        routes, route_args = ("study-file", "study-manifest", "study-thumbnail"), [study.accession]
    else:
        routes = ("study-version-file", "study-version-manifest", "study-version-thumbnail")
        route_args = [study.accession, study_version.number]
    context = study_page_context(
        request,
        study=study,
        version=study_version,
        listing=listing,
        listing_form=listing_form,
        file_url=path_reverser(routes[0], route_args),
        manifest_url=reverse(routes[1], args=route_args),
        download_routes=RouteSpace.for_version(study_version, user=request.user),
        thumbnail_url=path_reverser(routes[2], route_args),
    )
    curator = user_is_curator(request.user)
    dois = study_dois(study)  # one query, shared by the header, the citation, the JSON-LD and the signposts
    owner = request.user.is_authenticated and study.owner_id == request.user.pk
    # Search engines may index only entries that are public and not hidden (P-HIDE).
    indexable = study.is_public and study.searchable
    # One read of the small study's files for the JSON-LD and the signposts that name them one by one.
    head = active_files_head(version=study_version, limit=max(ITEMS_MAX, DISTRIBUTION_FILES_MAX))
    context |= {
        "versions": page.versions,
        "superseded_by": page.superseded_by,
        "superseded_by_visible": page.superseded_by_visible,
        "is_newest": page.is_newest,
        "pinned_version": version is not None,
        "is_curator": curator,
        "show_hidden_banner": not study.searchable and (curator or owner),
        "indexable": indexable,
        "usage": study_usage(study),
        **_doi_context(dois, number=study_version.number, pinned=version is not None),
    }
    if indexable:
        context["jsonld"] = study_dataset(
            request=request, study=study, version=study_version, is_newest=page.is_newest, dois=dois, files=head
        )
        if version is not None:  # a /v<n>/ page names the one address to index for what it shows
            context["canonical_url"] = canonical_url(
                request, study=study, version=study_version, is_newest=page.is_newest
            )
    cited = page_citation_item(request, study=study, version=study_version, pinned=version is not None, dois=dois)
    context["citation_html"] = citation_apa_html(cited)
    context |= owner_tools_context(request, study=study, forms=owner_forms)
    response = render(request, "archive/study_detail.html", context, status=400 if listing_form.errors else 200)
    pinned = version is not None
    signposts = page_signposts(request, study=study, version=study_version, pinned=pinned, dois=dois, files=head)
    response["Link"] = link_header(signposts)
    if context["owner_tools"] and context["owner_tools"]["created_link"]:
        add_never_cache_headers(response)  # it shows a new reviewer link's secret URL, once
    return response


# The owner's panel's sections (templates/archive/includes/study_owner_tools.html). A message about what was
# done in one carries its owner_section_tags and is shown there, where the owner is looking after the round-trip.
OWNER_SECTIONS = ("release-date", "reviewer-links", "collaborators")


def owner_section_tags(section: str) -> str:
    """The extra_tags of a message shown in `section`; templates/base.html leaves "in-section" ones out."""
    return f"in-section {section}"


def _section_messages(request) -> dict[str, list]:
    """The messages for each section of the owner's panel, keyed by its id with underscores (for templates)."""
    keys = {owner_section_tags(section): section.replace("-", "_") for section in OWNER_SECTIONS}
    found = {key: [] for key in keys.values()}
    for message in messages.get_messages(request):
        if message.extra_tags in keys:
            found[keys[message.extra_tags]].append(message)
    return found


# The plain token exists only in the answer to its creation; the session carries it to
# the one page view that shows it, and that view forgets it.
CREATED_LINK_KEY = "archive.reviewer_link_created"


def release_form(request, study: Study, data=None) -> ReleaseDateForm:
    today = timezone.localdate()
    _earliest, latest = release_date_bounds(submitted_at=study.created_at)
    return ReleaseDateForm(
        data,
        initial={"release_date": study.release_date},
        today=today,
        latest=latest,
        curator=user_is_curator(request.user),
    )


def _created_link(request, study: Study) -> dict | None:
    created = request.session.get(CREATED_LINK_KEY)
    if created is None or created["accession"] != study.accession:
        return None
    del request.session[CREATED_LINK_KEY]
    return created


def owner_tools_context(request, *, study: Study, forms: dict | None = None) -> dict:
    """The context of templates/archive/includes/study_owner_tools.html; `owner_tools` is None for other callers.

    `forms` holds refused forms to show again, keyed like the defaults below.
    """
    if not study_access_manageable_by(request.user, study):
        return {"owner_tools": None}
    forms = forms or {}
    _earliest, latest = release_date_bounds(submitted_at=study.created_at)
    tools = {
        "now": timezone.now(),
        "confidential": study.status == StudyStatus.CONFIDENTIAL,
        "latest": latest,
        "links": reviewer_links_for(study=study, actor=request.user),
        "created_link": _created_link(request, study),
        "collaborators": study_collaborators(study=study).order_by("username"),
        "link_form": forms.get("link") or ReviewerLinkForm(),
        "collaborator_form": forms.get("collaborator") or CollaboratorForm(),
        "release_form": forms.get("release") or release_form(request, study),
        "release_now_form": forms.get("release_now") or ReleaseNowForm(),
        "messages": _section_messages(request),
    }
    return {"owner_tools": tools}
