"""schema.org `Dataset` descriptions of public studies, for search engines and dataset finders."""

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from archive.models import Study, StudyVersion


def _creator(author: dict) -> dict:
    person = {"@type": "Person", "name": author.get("name", "")}
    if author.get("orcid"):
        orcid_url = f"https://orcid.org/{author['orcid']}"
        person["@id"] = orcid_url
        person["identifier"] = orcid_url
    if author.get("affiliation"):
        person["affiliation"] = {"@type": "Organization", "name": author["affiliation"]}
    return person


def study_dataset(*, request: HttpRequest, study: Study, version: StudyVersion) -> dict:
    """Describe one version of a public study as a schema.org Dataset."""
    metadata = version.metadata
    url = request.build_absolute_uri(reverse("study-detail", args=[study.accession]))
    manifest_url = request.build_absolute_uri(reverse("study-version-manifest", args=[study.accession, version.number]))
    dataset = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": url,
        "name": metadata.get("title", study.title),
        "description": metadata.get("description") or metadata.get("title", study.title),
        "identifier": study.accession,
        "url": url,
        "license": study.licence.url,
        "creator": [_creator(author) for author in metadata.get("authors") or []],
        "datePublished": study.release_date.isoformat(),
        "dateModified": version.created_at.date().isoformat(),
        "keywords": list(metadata.get("keywords") or []),
        "version": str(version.number),
        "isAccessibleForFree": True,
        "includedInDataCatalog": {"@type": "DataCatalog", "name": settings.PORTAL_NAME},
        "distribution": [
            {
                "@type": "DataDownload",
                "name": "SHA-256 manifest of the files",
                "contentUrl": manifest_url,
                "encodingFormat": "text/plain",
            }
        ],
    }
    if study.source:  # a brokered dataset names the resource it came from and its identifier there (P-LICENCE)
        dataset["isBasedOn"] = {
            "@type": "Dataset",
            "identifier": study.source_id,
            "provider": {"@type": "Organization", "name": study.source},
        }
    return dataset
