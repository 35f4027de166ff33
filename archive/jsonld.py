"""schema.org `Dataset` descriptions of public studies, and the canonical address of their pages, for search engines."""

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from archive.downloads import content_type_of
from archive.metadata import StudyMetadata
from archive.models import Study, StudyVersion
from archive.selectors.dois import StudyDois, doi_url
from archive.selectors.files import active_files_head
from archive.templatetags.archive_tags import orcid_url
from core.links import path_reverser

# A study with more files than this is described by its manifest alone: thousands of entries would swamp the page.
DISTRIBUTION_FILES_MAX = 100

MANIFEST_NAME = "SHA-256 manifest of the files"


def canonical_url(request: HttpRequest, *, study: Study, version: StudyVersion, is_newest: bool) -> str:
    """Return the address to index for a page that shows `version` of `study`.

    The newest version's /v<n>/ page shows what the study page shows, so both name the study page. An older
    version is distinct content (its own metadata and files), so its page is its own canonical page, as Google
    advises for pages that are not duplicates.
    """
    if is_newest:
        return request.build_absolute_uri(reverse("study-detail", args=[study.accession]))
    return request.build_absolute_uri(reverse("study-version", args=[study.accession, version.number]))


def _creator(author: dict) -> dict:
    person = {"@type": "Person", "name": author.get("name", "")}
    if author.get("orcid"):
        orcid = orcid_url(author["orcid"])
        person["@id"] = orcid
        person["identifier"] = orcid
        person["sameAs"] = orcid
    if author.get("affiliation"):
        person["affiliation"] = {"@type": "Organization", "name": author["affiliation"]}
    return person


def _distribution(request: HttpRequest, *, study: Study, version: StudyVersion, files: list | None) -> list[dict]:
    """The manifest, then each active file of a small study (obsolete and removed ones are not the dataset).

    `files` is the version's `active_files_head` when the caller has it already (at least
    DISTRIBUTION_FILES_MAX + 1 of them, or all)."""
    route_args = [study.accession, version.number]
    downloads = [
        {
            "@type": "DataDownload",
            "name": MANIFEST_NAME,
            "contentUrl": request.build_absolute_uri(reverse("study-version-manifest", args=route_args)),
            "encodingFormat": "text/plain",
        }
    ]
    if files is None:
        files = active_files_head(version=version, limit=DISTRIBUTION_FILES_MAX)
    if len(files) > DISTRIBUTION_FILES_MAX:
        return downloads
    file_url = path_reverser("study-version-file", route_args)
    for path, size in files:
        downloads.append(
            {
                "@type": "DataDownload",
                "name": path,
                # The pinned version's address: it serves these bytes forever (P-PERMANENT).
                "contentUrl": request.build_absolute_uri(file_url(path)),
                "encodingFormat": content_type_of(path),
                "contentSize": f"{size} B",
            }
        )
    return downloads


def _identifiers(study: Study, doi: str | None) -> str | list:
    """The accession, and before it the DOI as schema.org's PropertyValue once registered (Google's Dataset guide)."""
    if not doi:
        return study.accession
    return [
        {"@type": "PropertyValue", "propertyID": "DOI", "value": doi, "url": doi_url(doi)},
        study.accession,
    ]


def study_dataset(
    *,
    request: HttpRequest,
    study: Study,
    version: StudyVersion,
    is_newest: bool,
    dois: StudyDois,
    files: list | None = None,
) -> dict:
    """Describe one version of a public study as a schema.org Dataset, under its page's canonical address.

    The DOI is the one of that address: the concept DOI for the study page, else the version's.
    """
    metadata = version.metadata
    url = canonical_url(request, study=study, version=version, is_newest=is_newest)
    doi = dois.for_page(version.number, pinned=not is_newest)
    dataset = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": url,
        "name": metadata.get("title", study.title),
        "description": metadata.get("description") or metadata.get("title", study.title),
        "identifier": _identifiers(study, doi),
        "url": url,
        "license": study.licence.url,
        "creator": [_creator(author) for author in metadata.get("authors") or []],
        "datePublished": study.release_date.isoformat(),
        "dateModified": version.created_at.date().isoformat(),
        "keywords": list(metadata.get("keywords") or []),
        "version": str(version.number),
        "isAccessibleForFree": True,
        "includedInDataCatalog": {"@type": "DataCatalog", "name": settings.PORTAL_NAME},
        "distribution": _distribution(request, study=study, version=version, files=files),
    }
    if doi:
        dataset["sameAs"] = doi_url(doi)
    if publication_url := StudyMetadata.from_stored(metadata).publication_url:
        # schema.org's `citation`: the article to cite besides the dataset, as Google's Dataset guide reads it.
        dataset["citation"] = {
            "@type": "ScholarlyArticle",
            "@id": publication_url,
            "identifier": publication_url,
            "url": publication_url,
        }
    if study.source:  # a brokered dataset names the resource it came from and its identifier there (P-LICENCE)
        dataset["isBasedOn"] = {
            "@type": "Dataset",
            "identifier": study.source_id,
            "provider": {"@type": "Organization", "name": study.source},
        }
    return dataset
