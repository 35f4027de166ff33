"""DataCite metadata (kernel 4.5) of a study version, built with the `datacite` package (issue 14, docs/design.md §8).

The JSON is DataCite's REST "attributes" shape, checked by `datacite.schema45.validate`; the XML is what
`schema45.tostring` makes of it. A study without a DOI is identified by its version's address instead, since
the kernel requires an identifier.
"""

from dataclasses import dataclass

from datacite import schema45
from django.conf import settings
from django.urls import reverse
from lxml import etree

from archive.exports.datacite_reads import RecordReads, record_reads
from archive.metadata import NCBI_TAXONOMY_BROWSER, StudyMetadata
from archive.models import Study, StudyVersion
from archive.selectors.file_tree import Folder
from core.links import portal_url

SCHEMA_VERSION = "http://datacite.org/schema/kernel-4"
ORCID_SCHEME = "https://orcid.org"
FBBI_SCHEME = "http://purl.obolibrary.org/obo/fbbi.owl"
SPDX_SCHEME = "https://spdx.org/licenses/"


@dataclass(frozen=True)
class VersionAddresses:
    """Where a version lives: its page, and the pages of the versions beside it."""

    page: str
    study_page: str
    others: dict[int, str]


def _study_page(accession: str) -> str:
    return portal_url(reverse("study-detail", args=[accession]))


def version_addresses(study: Study, version: StudyVersion, numbers: list[int]) -> VersionAddresses:
    def page(number: int) -> str:
        return portal_url(reverse("study-version", args=[study.accession, number]))

    return VersionAddresses(
        page=page(version.number),
        study_page=_study_page(study.accession),
        others={number: page(number) for number in numbers if number != version.number},
    )


def _creator(author) -> dict:
    creator = {"name": author.name, "nameType": "Personal"}
    if author.orcid:
        creator["nameIdentifiers"] = [
            {
                "nameIdentifier": f"{ORCID_SCHEME}/{author.orcid}",
                "nameIdentifierScheme": "ORCID",
                "schemeUri": ORCID_SCHEME,
            }
        ]
    if author.affiliation:
        creator["affiliation"] = [{"name": author.affiliation}]
    return creator


def _subjects(metadata: StudyMetadata) -> list[dict]:
    subjects = []
    if metadata.organism:
        organism = {"subject": metadata.organism}
        if metadata.organism_taxon_id:
            organism |= {
                "subjectScheme": "NCBI Taxonomy",
                "schemeUri": NCBI_TAXONOMY_BROWSER,
                "valueUri": metadata.organism_taxon_url,
            }
        subjects.append(organism)
    if metadata.imaging_method:
        method = {"subject": metadata.imaging_method}
        if metadata.imaging_method_fbbi_id:
            method |= {"subjectScheme": "FBbi", "schemeUri": FBBI_SCHEME, "valueUri": metadata.imaging_method_fbbi_url}
        subjects.append(method)
    return subjects + [{"subject": keyword} for keyword in metadata.keywords]


def _sizes(root: Folder) -> list[str]:
    # The root folder's counts, made with the version: no sum over millions of rows per record (OAI-PMH lists many).
    files = root.files_count
    return [f"{files} file{'' if files == 1 else 's'}", f"{root.total_size} bytes"]


def _relation(relation: str, address: str, doi: str | None) -> dict:
    # A registered DOI is the persistent identifier; the page's address until DataCite has accepted one.
    if doi:
        return {"relatedIdentifier": doi, "relatedIdentifierType": "DOI", "relationType": relation}
    return {"relatedIdentifier": address, "relatedIdentifierType": "URL", "relationType": relation}


def _related(
    study: Study, version: StudyVersion, metadata: StudyMetadata, addresses: VersionAddresses, reads: RecordReads
) -> list:
    dois, concepts = reads.dois, reads.concepts
    related = [_relation("IsVersionOf", addresses.study_page, dois.concept)]
    for number, address in sorted(addresses.others.items()):
        relation = "IsNewVersionOf" if number < version.number else "IsPreviousVersionOf"
        related.append(_relation(relation, address, dois.of_version(number)))
    for pk, accession in reads.neighbours:
        relation = "IsObsoletedBy" if pk == study.superseded_by_id else "Obsoletes"
        related.append(_relation(relation, _study_page(accession), concepts.get(pk)))
    if metadata.publication_doi:
        related.append(
            {
                "relatedIdentifier": metadata.publication_doi,
                "relatedIdentifierType": "DOI",
                "relationType": "IsSupplementTo",
            }
        )
    return related


def datacite_metadata(
    *, study: Study, version: StudyVersion, numbers: list[int], reads: RecordReads | None = None
) -> dict:
    """Describe `version` of `study` as DataCite kernel-4 JSON; `numbers` are the study's version numbers, `reads`
    what `record_reads` read for many records at once (read here when not given)."""
    reads = reads or record_reads([(study, version)])[version.pk]
    metadata = StudyMetadata.from_stored(version.metadata)
    addresses = version_addresses(study, version, numbers)
    licence = study.licence
    record = {
        "creators": [_creator(author) for author in metadata.authors] or [{"name": study.owner.get_username()}],
        "titles": [{"title": metadata.title or study.title}],
        "publisher": {"name": settings.PORTAL_NAME},
        "publicationYear": str(study.release_date.year),
        "types": {"resourceTypeGeneral": "Dataset", "resourceType": "Bioimage dataset"},
        "subjects": _subjects(metadata),
        "dates": [
            {"date": study.release_date.isoformat(), "dateType": "Available"},
            {"date": version.created_at.date().isoformat(), "dateType": "Updated"},
        ],
        "alternateIdentifiers": [{"alternateIdentifier": study.accession, "alternateIdentifierType": "Accession"}],
        "relatedIdentifiers": _related(study, version, metadata, addresses, reads),
        "sizes": _sizes(reads.root),
        "formats": reads.formats,
        "version": str(version.number),
        "rightsList": [
            {
                "rights": licence.name,
                "rightsUri": licence.url,
                "rightsIdentifier": licence.spdx_id,
                "rightsIdentifierScheme": "SPDX",
                "schemeUri": SPDX_SCHEME,
            }
        ],
        "descriptions": [{"description": metadata.description, "descriptionType": "Abstract"}]
        if metadata.description
        else [],
        "url": addresses.page,
        "schemaVersion": SCHEMA_VERSION,
    }
    if metadata.funding:
        record["descriptions"].append({"description": metadata.funding, "descriptionType": "Other"})
    return {key: value for key, value in record.items() if value}


def datacite_xml(record: dict, *, doi: str = "") -> bytes:
    """Serialise DataCite JSON as kernel-4 XML; without a DOI the version's address is its identifier."""
    if doi:
        return schema45.tostring({**record, "doi": doi}).encode()
    root = schema45.dump_etree(record)
    identifier = etree.Element(f"{{{SCHEMA_VERSION}}}identifier", identifierType="URL")
    identifier.text = record["url"]
    root.insert(0, identifier)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
