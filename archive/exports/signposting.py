"""FAIR Signposting (https://signposting.org/FAIR/), levels 1 and 2, for accession pages and their files.

Level 1: `Link` headers on the accession page (cite-as, type, author, license, describedby: DataCite, JSON-LD,
RO-Crate and Croissant by profile, citations; item, linkset) and on each file (collection, license). Level 2:
the same links as an RFC 9264 linkset document. A study of more than ITEMS_MAX files names only its manifest
as an item: a header, or a linkset fetched by every crawler, cannot hold millions of files.
"""

from dataclasses import dataclass

from django.urls import reverse

from archive.downloads import content_type_of
from archive.exports.citations import BIBTEX, CSL_JSON, RIS
from archive.metadata import StudyMetadata
from archive.models import Study, StudyVersion
from archive.selectors.dois import StudyDois, doi_url
from archive.selectors.files import active_files_head
from archive.templatetags.archive_tags import orcid_url

ITEMS_MAX = 100
LINKSET = "application/linkset+json"
DATACITE_XML = "application/vnd.datacite.datacite+xml"
JSON_LD = "application/ld+json"
RO_CRATE_PROFILE, CROISSANT_PROFILE = "https://w3id.org/ro/crate/1.2", "http://mlcommons.org/croissant/1.0"
SCHEMA_DATASET, SCHEMA_ABOUT_PAGE = "https://schema.org/Dataset", "https://schema.org/AboutPage"


@dataclass(frozen=True)
class Signpost:
    href: str
    rel: str
    type: str = ""
    profile: str = ""  # the profile a JSON-LD description conforms to (RO-Crate, Croissant)

    def header_value(self) -> str:
        value = f'<{self.href}>; rel="{self.rel}"'
        value += f'; type="{self.type}"' if self.type else ""
        return value + (f'; profile="{self.profile}"' if self.profile else "")


def _routes(study: Study, version: StudyVersion, pinned: bool):
    """Reverse a route of the page's address space: the version's own (pinned) or the study's."""
    args = [study.accession, version.number] if pinned else [study.accession]
    prefix = "study-version-" if pinned else "study-"
    return lambda name, *extra: reverse(prefix + name, args=[*args, *extra])


def _page_path(study: Study, version: StudyVersion, pinned: bool) -> str:
    if pinned:
        return reverse("study-version", args=[study.accession, version.number])
    return reverse("study-detail", args=[study.accession])


def page_address(request, *, study: Study, version: StudyVersion, pinned: bool) -> str:
    """The absolute address of the accession page the signposts are of (the linkset's anchor)."""
    return request.build_absolute_uri(_page_path(study, version, pinned))


def page_signposts(
    request, *, study: Study, version: StudyVersion, pinned: bool, dois: StudyDois, files: list | None = None
) -> list[Signpost]:
    """The typed links of an accession page, absolute, in the order FAIR Signposting lists them.

    `files` is the version's `active_files_head` when the caller has it already (at least ITEMS_MAX + 1, or all).

    `cite-as` is the DOI of what the page shows once registered (FAIR Signposting prefers the persistent
    identifier), else the page's own address.
    """
    route = _routes(study, version, pinned)
    absolute = request.build_absolute_uri
    page = page_address(request, study=study, version=version, pinned=pinned)
    doi = dois.for_page(version.number, pinned=pinned)
    metadata = StudyMetadata.from_stored(version.metadata)
    cite_as = Signpost(doi_url(doi) if doi else page, "cite-as")
    signposts = [cite_as, Signpost(SCHEMA_DATASET, "type"), Signpost(SCHEMA_ABOUT_PAGE, "type")]
    signposts += [Signpost(orcid_url(author.orcid), "author") for author in metadata.authors if author.orcid]
    signposts.append(Signpost(study.licence.url, "license"))
    signposts += [
        Signpost(absolute(route("datacite")), "describedby", DATACITE_XML),
        Signpost(page, "describedby", JSON_LD),
        Signpost(absolute(route("ro-crate")), "describedby", JSON_LD, RO_CRATE_PROFILE),
        Signpost(absolute(route("croissant")), "describedby", JSON_LD, CROISSANT_PROFILE),
        *(Signpost(absolute(route("citation", ext)), "describedby", kind) for ext, kind in _CITATIONS),
    ]
    if files is None:
        files = active_files_head(version=version, limit=ITEMS_MAX)
    if len(files) > ITEMS_MAX:
        signposts.append(Signpost(absolute(route("manifest")), "item", "text/plain"))
    else:
        signposts += [Signpost(absolute(route("file", path)), "item", content_type_of(path)) for path, _size in files]
    signposts.append(Signpost(absolute(route("linkset")), "linkset", LINKSET))
    return signposts


_CITATIONS = (("bib", BIBTEX), ("ris", RIS), ("json", CSL_JSON))


def file_signposts(request, *, study: Study, version: StudyVersion) -> list[Signpost]:
    """A file's links to the dataset it belongs to (its version's page, which never changes) and to its licence."""
    page = request.build_absolute_uri(_page_path(study, version, pinned=True))
    return [Signpost(page, "collection", "text/html"), Signpost(study.licence.url, "license")]


def link_header(signposts: list[Signpost]) -> str:
    return ", ".join(signpost.header_value() for signpost in signposts)


def linkset_document(signposts: list[Signpost], *, anchor: str) -> dict:
    """The RFC 9264 JSON linkset of a page's signposts, anchored at the page (`page_address`)."""
    context: dict[str, list] = {}
    for signpost in signposts:
        if signpost.rel == "linkset":
            continue
        target = {"href": signpost.href} | ({"type": signpost.type} if signpost.type else {})
        target |= {"profile": signpost.profile} if signpost.profile else {}
        context.setdefault(signpost.rel, []).append(target)
    return {"linkset": [{"anchor": anchor, **context}]}
