"""DataCite kernel-4 metadata of study versions: valid against the official XSD and DataCite's JSON schema."""

from pathlib import Path

import pytest
from datacite import schema45
from django.urls import reverse
from lxml import etree

from archive.services.accession import study_version_add
from archive.services.status import files_set_status
from tests.factories import make_curator, make_study, stored_file, study_metadata

pytestmark = pytest.mark.django_db

XSD = Path(__file__).resolve().parent.parent / "data" / "xsd" / "datacite-kernel-4.5" / "metadata.xsd"
NS = {"d": "http://datacite.org/schema/kernel-4"}


@pytest.fixture(scope="module")
def datacite_schema():
    return etree.XMLSchema(etree.parse(str(XSD)))


def _record(client, study, version=None):
    args = [study.accession] if version is None else [study.accession, version]
    response = client.get(reverse("study-datacite" if version is None else "study-version-datacite", args=args))
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/vnd.datacite.datacite+xml; charset=utf-8"
    return etree.fromstring(response.content)


def _described_study():
    return make_study(
        organism_taxon_id="9606",
        imaging_method_fbbi_id="FBbi:00000251",
        publication_doi="10.1038/s41592-021-01234-5",
        keywords=["mitochondria", "live imaging"],
        files=[stored_file("images/cell_01.tif", b"TIFF pixels"), stored_file("README.txt", b"About")],
    )


def test_datacite_xml_is_valid_against_the_kernel_4_xsd(anonymous_client, datacite_schema):
    study = _described_study()

    root = _record(anonymous_client, study)

    assert datacite_schema.validate(root), datacite_schema.error_log


def test_datacite_xml_carries_the_deposited_metadata(anonymous_client, settings):
    study = _described_study()

    root = _record(anonymous_client, study)

    page = f"http://testserver/studies/{study.accession}/v1/"
    assert root.findtext("d:identifier", namespaces=NS) == page
    assert root.find("d:identifier", NS).get("identifierType") == "URL"
    assert root.findtext("d:titles/d:title", namespaces=NS) == "Mitochondrial dynamics in HeLa cells"
    creators = root.findall("d:creators/d:creator", NS)
    assert [c.findtext("d:creatorName", namespaces=NS) for c in creators] == ["Ada Lovelace", "Rosalind Franklin"]
    orcid = creators[0].find("d:nameIdentifier", NS)
    assert (orcid.text, orcid.get("nameIdentifierScheme")) == ("https://orcid.org/0000-0002-1825-0097", "ORCID")
    assert creators[0].findtext("d:affiliation", namespaces=NS) == "EMBL-EBI"
    assert root.findtext("d:publisher", namespaces=NS) == settings.PORTAL_NAME
    assert root.findtext("d:publicationYear", namespaces=NS) == str(study.release_date.year)
    assert root.find("d:resourceType", NS).get("resourceTypeGeneral") == "Dataset"
    subjects = {s.text: s.attrib for s in root.findall("d:subjects/d:subject", NS)}
    assert subjects["Homo sapiens"]["subjectScheme"] == "NCBI Taxonomy"
    assert subjects["Homo sapiens"]["valueURI"].endswith("?id=9606")
    assert subjects["confocal microscopy"]["subjectScheme"] == "FBbi"
    assert "mitochondria" in subjects
    rights = root.find("d:rightsList/d:rights", NS)
    assert rights.get("rightsIdentifier") == study.licence.spdx_id
    assert rights.get("rightsURI") == study.licence.url
    assert [s.text for s in root.findall("d:sizes/d:size", NS)] == ["2 files", f"{len(b'TIFF pixels') + 5} bytes"]
    assert "image/tiff" in [f.text for f in root.findall("d:formats/d:format", NS)]
    related = {(r.get("relationType"), r.text) for r in root.findall("d:relatedIdentifiers/d:relatedIdentifier", NS)}
    assert ("IsSupplementTo", "10.1038/s41592-021-01234-5") in related
    assert ("IsVersionOf", f"http://testserver/studies/{study.accession}/") in related


def test_datacite_of_each_version_names_the_versions_beside_it(anonymous_client, datacite_schema, settings):
    study = _described_study()
    study_version_add(study=study, metadata=study_metadata("Second version"), files=[stored_file("new.txt", b"new")])
    base = f"http://testserver/studies/{study.accession}"

    first, second = _record(anonymous_client, study, 1), _record(anonymous_client, study, 2)

    def relations(root):
        return {(r.get("relationType"), r.text) for r in root.findall("d:relatedIdentifiers/d:relatedIdentifier", NS)}

    assert ("IsPreviousVersionOf", f"{base}/v2/") in relations(first)
    assert ("IsNewVersionOf", f"{base}/v1/") in relations(second)
    assert second.findtext("d:version", namespaces=NS) == "2"
    assert datacite_schema.validate(second), datacite_schema.error_log


def test_datacite_sizes_leave_out_removed_files(anonymous_client):
    study = make_study(files=[stored_file("kept.tif", b"kept"), stored_file("gone.tif", b"gone!")])
    files_set_status(
        version=study.versions.get(),
        paths=["gone.tif"],
        status="removed",
        actor=make_curator(),
        reason_category="other",
    )

    root = _record(anonymous_client, study)

    assert [s.text for s in root.findall("d:sizes/d:size", NS)] == ["1 file", "4 bytes"]


def test_datacite_json_passes_the_datacite_json_schema():
    from archive.exports.datacite import datacite_metadata

    study = _described_study()
    record = datacite_metadata(study=study, version=study.versions.get(), numbers=[1])

    assert list(schema45.validator.iter_errors(record)) == []


@pytest.mark.parametrize("status", ["confidential", "removed"])
def test_datacite_of_a_study_the_public_may_not_see_is_not_served(anonymous_client, status):
    study = make_study(status=status)

    response = anonymous_client.get(reverse("study-datacite", args=[study.accession]))

    assert response.status_code == {"confidential": 404, "removed": 410}[status]


def test_datacite_of_a_confidential_study_is_served_to_its_owner_privately(submitter_client, submitter):
    study = make_study(owner=submitter, status="confidential")

    response = submitter_client.get(reverse("study-datacite", args=[study.accession]))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"


def test_p_obsolete_datacite_relates_an_obsolete_entry_and_the_one_that_supersedes_it(
    anonymous_client, datacite_schema
):
    from archive.services.status import study_make_obsolete

    newer = make_study(title="Newer")
    older = study_make_obsolete(
        study=make_study(title="Older"),
        actor=make_curator(),
        reason_category="superseded",
        superseded_by=newer.accession,
    )

    def relations(root):
        return {(r.get("relationType"), r.text) for r in root.findall("d:relatedIdentifiers/d:relatedIdentifier", NS)}

    old_root, new_root = _record(anonymous_client, older), _record(anonymous_client, newer)
    assert ("IsObsoletedBy", f"http://testserver/studies/{newer.accession}/") in relations(old_root)
    assert ("Obsoletes", f"http://testserver/studies/{older.accession}/") in relations(new_root)
    assert datacite_schema.validate(old_root), datacite_schema.error_log
