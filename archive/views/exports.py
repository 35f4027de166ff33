"""Machine-readable records of a study version (archive.exports), each reached through the one visibility selector.

The same records answer content negotiation on the accession page's own address (`negotiated_record_type`).
"""

import json

from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from archive.exports.citations import CITATION_FORMATS, citation_render, page_citation_item
from archive.exports.croissant import CroissantAddresses, croissant_document, listing_lines
from archive.exports.datacite import datacite_metadata, datacite_xml
from archive.exports.rocrate import CRATE_NAME, CrateAddresses, crate_chunks
from archive.exports.signposting import (
    DATACITE_XML,
    JSON_LD,
    LINKSET,
    linkset_document,
    page_address,
    page_signposts,
)
from archive.jsonld import study_dataset
from archive.models import Study, StudyVersion, UsageKind
from archive.selectors.dois import study_dois
from archive.selectors.downloads import folder_check
from archive.selectors.visibility import StudyPage, study_page_get
from archive.services.usage import usage_record
from archive.views.download_links import download_refused
from archive.views.visible import answers_unreachable
from core.errors import PolicyViolation

RECORD_TYPES = (DATACITE_XML, JSON_LD, *(citation.media_type for citation in CITATION_FORMATS))
CITATION_BY_EXTENSION = {citation.extension: citation for citation in CITATION_FORMATS}


def negotiated_record_type(request) -> str | None:
    """The record type the caller's Accept header prefers to the HTML page, if any (a browser prefers HTML)."""
    preferred = request.get_preferred_type(["text/html", "application/xhtml+xml", *RECORD_TYPES])
    return preferred if preferred in RECORD_TYPES else None


def _record(request, page: StudyPage, media_type: str, *, pinned: bool) -> str | bytes:
    dois = study_dois(page.study)
    if media_type == DATACITE_XML:
        numbers = [version.number for version in page.versions]
        record = datacite_metadata(study=page.study, version=page.version, numbers=numbers)
        return datacite_xml(record, doi=dois.of_version(page.version.number) or "")
    if media_type == JSON_LD:
        dataset = study_dataset(
            request=request, study=page.study, version=page.version, is_newest=page.is_newest, dois=dois
        )
        return json.dumps(dataset, ensure_ascii=False, indent=2)
    item = page_citation_item(request, study=page.study, version=page.version, pinned=pinned, dois=dois)
    return citation_render(item, media_type)


def record_response(request, accession: str, version: int | None, media_type: str) -> HttpResponse:
    """Answer `media_type`'s record of a study version the caller may see (404, or 410 for a removed study)."""

    def answer(page: StudyPage) -> HttpResponse:
        body = _record(request, page, media_type, pinned=version is not None)
        return HttpResponse(body, content_type=f"{media_type}; charset=utf-8")

    return _page_answer(request, accession, version, answer)


@answers_unreachable
def _page_answer(request, accession: str, version: int | None, answer) -> HttpResponse:
    """Call `answer(page)` for a version the caller may see (404, or 410 for a removed study), cached if public."""
    page = study_page_get(request.user, accession, version)
    response = answer(page)
    if response.status_code == 200:  # every metadata record counts as a view of the study (COUNTER investigation)
        usage_record(request, page.study, UsageKind.INVESTIGATION)
    response["Cache-Control"] = "public, max-age=300" if page.study.is_public else "private, no-cache"
    return response


@require_safe
def study_datacite_xml(request, accession: str, version: int | None = None):
    """The DataCite kernel-4 XML of a version (the newest without a number)."""
    return record_response(request, accession, version, DATACITE_XML)


@require_safe
def study_linkset(request, accession: str, version: int | None = None):
    """The page's signposts as an RFC 9264 linkset (FAIR Signposting level 2)."""

    def answer(page: StudyPage) -> HttpResponse:
        where = {"study": page.study, "version": page.version, "pinned": version is not None}
        signposts = page_signposts(request, **where, dois=study_dois(page.study))
        document = linkset_document(signposts, anchor=page_address(request, **where))
        return JsonResponse(document, content_type=LINKSET, json_dumps_params={"indent": 2})

    return _page_answer(request, accession, version, answer)


@require_safe
def study_citation(request, accession: str, extension: str, version: int | None = None):
    """The citation of a version as a file for reference managers: .bib, .ris or .json (CSL-JSON)."""
    citation = CITATION_BY_EXTENSION.get(extension)
    if citation is None:
        raise Http404("No such citation format.")
    response = record_response(request, accession, version, citation.media_type)
    if response.status_code == 200:
        name = accession if version is None else f"{accession}-v{version}"
        response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    return response


def _version_route(request, name: str, version: StudyVersion, *extra) -> str:
    """The absolute address of a pinned version's route: what it names never changes (P-PERMANENT)."""
    return request.build_absolute_uri(reverse(name, args=[version.study.accession, version.number, *extra]))


def _file_prefix(request, version: StudyVersion) -> str:
    """The address a file's quoted path completes, reversed once rather than once per file."""
    return _version_route(request, "study-version-file", version, "_")[:-1]


def crate_addresses(request, *, study: Study, version: StudyVersion) -> CrateAddresses:
    """What a version's crate names: the same in its ro-crate-metadata.json and inside its download.zip."""
    return CrateAddresses(
        page=_version_route(request, "study-version", version),
        file_prefix=_file_prefix(request, version),
        doi=study_dois(study).of_version(version.number) or "",
    )


@require_safe
def study_ro_crate(request, accession: str, version: int | None = None):
    """The RO-Crate 1.2 metadata of a version (or of `?folder=`, as its ZIP carries it): its files with sizes,
    checksums and File List attributes, streamed."""

    def answer(page: StudyPage) -> HttpResponse:
        try:
            folder = folder_check(request.GET.get("folder", ""))
        except PolicyViolation as error:
            return download_refused(request, error)
        addresses = crate_addresses(request, study=page.study, version=page.version)
        chunks = crate_chunks(
            study=page.study, version=page.version, user=request.user, addresses=addresses, folder=folder
        )
        body = (chunk.encode() for chunk in chunks)
        response = StreamingHttpResponse(body, content_type="application/ld+json; charset=utf-8")
        # The name `wget --content-disposition` saves a download list's `?folder=` crate under, as in the ZIP.
        response["Content-Disposition"] = f'inline; filename="{CRATE_NAME}"'
        return response

    return _page_answer(request, accession, version, answer)


@require_safe
def study_croissant(request, accession: str, version: int | None = None):
    """The ML Croissant 1.0 description of a version, its files a record set read from its files.csv."""

    def answer(page: StudyPage) -> HttpResponse:
        addresses = CroissantAddresses(
            page=_version_route(request, "study-version", page.version),
            listing=_version_route(request, "study-version-files-csv", page.version),
            file_prefix=_file_prefix(request, page.version),
        )
        item = page_citation_item(
            request, study=page.study, version=page.version, pinned=True, dois=study_dois(page.study)
        )
        document = croissant_document(
            study=page.study, version=page.version, user=request.user, addresses=addresses, citation_item=item
        )
        return JsonResponse(document, content_type="application/ld+json", json_dumps_params={"indent": 2})

    return _page_answer(request, accession, version, answer)


@require_safe
def study_files_csv(request, accession: str, version: int | None = None):
    """The listing of a version's downloadable files as CSV (path, url, size, sha256, content_type, attributes)."""

    def answer(page: StudyPage) -> HttpResponse:
        lines = listing_lines(version=page.version, user=request.user, file_prefix=_file_prefix(request, page.version))
        response = StreamingHttpResponse((line.encode() for line in lines), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{accession}-v{page.version.number}-files.csv"'
        return response

    return _page_answer(request, accession, version, answer)
