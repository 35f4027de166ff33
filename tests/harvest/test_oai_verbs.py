"""OAI-PMH 2.0 at /oai: each verb, both metadata formats, sets, selective harvesting and resumption (docs/design.md §8).

Every answer is checked against the official OAI-PMH.xsd with oai_dc.xsd and DataCite kernel 4.5 inside it.
"""

import datetime
from urllib.parse import urlencode

import pytest
import time_machine
from django.urls import reverse

from archive.services.accession import study_version_add
from archive.services.status import study_hide, study_remove
from harvest.protocol import record_identifier
from tests.factories import make_curator, make_study, study_metadata
from tests.harvest.oai import NS, error_code, identifiers, oai_get, token, valid

pytestmark = pytest.mark.django_db

MOMENT = datetime.datetime(2026, 3, 2, 10, 15, 30, tzinfo=datetime.UTC)


def _id(study) -> str:
    return f"oai:testserver:{study.accession}"


def test_identify_names_the_repository_its_granularity_and_persistent_deletions(client, settings):
    settings.PORTAL_NAME = "Test archive"
    with time_machine.travel(MOMENT, tick=False):
        make_study()
    make_study()

    root = oai_get(client, verb="Identify")

    identify = root.find("oai:Identify", NS)
    assert identify.findtext("oai:repositoryName", namespaces=NS) == "Test archive"
    assert identify.findtext("oai:baseURL", namespaces=NS) == "http://testserver/oai"
    assert identify.findtext("oai:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("oai:earliestDatestamp", namespaces=NS) == "2026-03-02T10:15:30Z"
    assert identify.findtext("oai:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert root.find("oai:request", NS).attrib == {"verb": "Identify"}


def test_list_metadata_formats_offers_oai_dc_and_oai_datacite_for_the_repository_and_a_record(client):
    study = make_study()
    for arguments in ({}, {"identifier": _id(study)}):
        root = oai_get(client, verb="ListMetadataFormats", **arguments)
        formats = {
            element.findtext("oai:metadataPrefix", namespaces=NS): element.findtext(
                "oai:metadataNamespace", namespaces=NS
            )
            for element in root.iterfind(".//oai:metadataFormat", NS)
        }
        assert formats == {"oai_dc": NS["oai_dc"], "oai_datacite": NS["datacite"]}


def test_get_record_oai_dc_describes_the_newest_version(client, settings):
    settings.PORTAL_NAME = "Test archive"
    study = make_study(
        title="Zebrafish heart regeneration",
        organism="Danio rerio",
        imaging_method="light-sheet fluorescence microscopy",
        keywords=["heart", "regeneration"],
        publication_doi="10.1234/heart.5",
    )

    root = oai_get(client, verb="GetRecord", identifier=_id(study), metadataPrefix="oai_dc")

    record = root.find("oai:GetRecord/oai:record", NS)
    assert record.find("oai:header", NS).get("status") is None
    assert record.findtext("oai:header/oai:identifier", namespaces=NS) == _id(study)
    assert [e.text for e in record.iterfind("oai:header/oai:setSpec", NS)] == [
        "organism:Danio_rerio",
        "imaging_method:light-sheet_fluorescence_microscopy",
        "licence:CC0-1.0",
    ]
    dc = record.find("oai:metadata/oai_dc:dc", NS)
    values = {}
    for element in dc:
        values.setdefault(etree_name(element), []).append(element.text)
    assert values["title"] == ["Zebrafish heart regeneration"]
    assert values["creator"] == ["Ada Lovelace", "Rosalind Franklin"]
    assert values["subject"] == ["Danio rerio", "light-sheet fluorescence microscopy", "heart", "regeneration"]
    assert values["publisher"] == ["Test archive"]
    assert values["date"] == [study.release_date.isoformat()]
    assert values["type"] == ["Dataset"]
    assert values["identifier"] == [f"http://testserver/studies/{study.accession}/"]
    assert values["rights"] == ["https://creativecommons.org/publicdomain/zero/1.0/"]
    assert values["relation"] == ["https://doi.org/10.1234/heart.5"]
    assert root.find("oai:request", NS).attrib == {
        "verb": "GetRecord",
        "identifier": _id(study),
        "metadataPrefix": "oai_dc",
    }


def etree_name(element) -> str:
    return element.tag.rpartition("}")[2]


def test_get_record_oai_datacite_is_the_kernel_4_resource(client):
    study = make_study(title="Mouse cortex connectome")
    study_version_add(study=study, metadata=study_metadata("Mouse cortex connectome, v2"), files=[], note="v2")

    root = oai_get(client, verb="GetRecord", identifier=_id(study), metadataPrefix="oai_datacite")

    resource = root.find(".//oai:metadata/datacite:resource", NS)
    assert resource.findtext("datacite:titles/datacite:title", namespaces=NS) == "Mouse cortex connectome, v2"
    assert resource.findtext("datacite:version", namespaces=NS) == "2"
    assert resource.findtext("datacite:identifier", namespaces=NS).endswith(f"/studies/{study.accession}/v2/")


def test_p_hide_a_hidden_study_is_a_deleted_record_without_metadata_or_sets(client):
    study = make_study(title="Zyxo hidden", organism="Mus musculus")
    study_hide(study=study, actor=make_curator(), reason_category="error", note="Erroneous")

    root = oai_get(client, verb="GetRecord", identifier=_id(study), metadataPrefix="oai_dc")

    header = root.find(".//oai:header", NS)
    assert header.get("status") == "deleted"
    assert header.findall("oai:setSpec", NS) == []
    assert root.find(".//oai:metadata", NS) is None
    listed = oai_get(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert identifiers(listed) == [_id(study)]
    assert b"Zyxo hidden" not in client.get(reverse("oai"), {"verb": "ListRecords", "metadataPrefix": "oai_dc"}).content
    sets = oai_get(client, verb="ListSets")
    assert "organism:Mus_musculus" not in [e.text for e in sets.iterfind(".//oai:setSpec", NS)]


def test_p_remove_a_removed_study_stays_as_a_deleted_record(client):
    study = make_study(title="Zyxo retracted")
    study_remove(study=study, actor=make_curator(), reason_category="retraction", note="Retracted")

    for verb, extra in (("GetRecord", {"identifier": _id(study)}), ("ListRecords", {})):
        root = oai_get(client, verb=verb, metadataPrefix="oai_datacite", **extra)
        assert [h.get("status") for h in root.iterfind(".//oai:header", NS)] == ["deleted"]
        assert root.find(".//oai:metadata", NS) is None
    listed = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert identifiers(listed) == [_id(study)]


def test_p_remove_confidential_and_never_released_removed_studies_are_never_mentioned(client):
    confidential = make_study(status="confidential", title="Zyxo secret")
    removed_unreleased = make_study(status="confidential", title="Zyxo never out")
    study_remove(study=removed_unreleased, actor=make_curator(), reason_category="error", note="Wrong")
    released = make_study()

    answers = {}
    for study in (confidential, removed_unreleased):
        root = oai_get(client, verb="GetRecord", identifier=_id(study), metadataPrefix="oai_dc")
        answers[study.accession] = (error_code(root), root.findtext("oai:error", namespaces=NS))
        formats = oai_get(client, verb="ListMetadataFormats", identifier=_id(study))
        assert error_code(formats) == "idDoesNotExist"
    unknown = oai_get(client, verb="GetRecord", identifier="oai:testserver:S-BIAD999999", metadataPrefix="oai_dc")
    assert set(answers.values()) == {(error_code(unknown), unknown.findtext("oai:error", namespaces=NS))}
    assert error_code(unknown) == "idDoesNotExist"
    for verb in ("ListIdentifiers", "ListRecords"):
        root = oai_get(client, verb=verb, metadataPrefix="oai_dc")
        assert identifiers(root) == [_id(released)]


def test_list_identifiers_pages_by_resumption_token_with_a_cursor_and_an_empty_last_token(client, settings):
    settings.OAI_IDENTIFIERS_PAGE_SIZE = 2
    studies = [make_study() for _ in range(5)]
    seen, cursors = [], []
    root = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    while True:
        seen += identifiers(root)
        resumption = token(root)
        cursors.append(resumption.get("cursor"))
        if not resumption.text:
            break
        root = oai_get(client, verb="ListIdentifiers", resumptionToken=resumption.text)
        assert root.find("oai:request", NS).attrib == {"verb": "ListIdentifiers", "resumptionToken": resumption.text}
    assert seen == [_id(study) for study in studies]
    assert cursors == ["0", "2", "4"]


def test_a_list_that_fits_one_page_has_no_resumption_token(client):
    make_study()
    root = oai_get(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert len(root.findall(".//oai:record", NS)) == 1
    assert token(root) is None


def test_from_and_until_select_by_datestamp_inclusively_at_both_granularities(client):
    days = {}
    for day in (1, 2, 3):
        with time_machine.travel(datetime.datetime(2026, 3, day, 12, 0, 5, tzinfo=datetime.UTC), tick=False):
            days[day] = _id(make_study())

    def listed(**dates) -> list[str]:
        root = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **dates)
        return identifiers(root) if error_code(root) is None else [error_code(root)]

    assert listed(**{"from": "2026-03-02"}) == [days[2], days[3]]
    assert listed(until="2026-03-02") == [days[1], days[2]]
    assert listed(**{"from": "2026-03-02", "until": "2026-03-02"}) == [days[2]]
    assert listed(**{"from": "2026-03-02T12:00:05Z", "until": "2026-03-02T12:00:05Z"}) == [days[2]]
    assert listed(**{"from": "2026-03-02T12:00:06Z"}) == [days[3]]
    assert listed(until="2026-03-01T12:00:04Z") == ["noRecordsMatch"]
    assert listed(until="9999-12-31T23:59:59Z") == list(days.values())


def test_a_set_selects_records_by_organism_imaging_method_or_licence(client):
    zebrafish = make_study(organism="Danio rerio", imaging_method="confocal microscopy")
    mouse = make_study(organism="Mus musculus (C57BL/6)", imaging_method="confocal microscopy")

    sets = oai_get(client, verb="ListSets")
    listed = {
        e.findtext("oai:setSpec", namespaces=NS): e.findtext("oai:setName", namespaces=NS)
        for e in sets.iterfind(".//oai:set", NS)
    }
    assert listed["organism:Mus_musculus_(C57BL~2F6)"] == "Mus musculus (C57BL/6)"
    assert listed["imaging_method:confocal_microscopy"] == "confocal microscopy"
    assert {"organism", "imaging_method", "licence", "licence:CC0-1.0"} <= listed.keys()

    def in_set(spec: str) -> list[str]:
        return identifiers(oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=spec))

    assert in_set("organism:Mus_musculus_(C57BL~2F6)") == [_id(mouse)]
    assert in_set("imaging_method:confocal_microscopy") == [_id(zebrafish), _id(mouse)]
    assert in_set("licence:CC0-1.0") == [_id(zebrafish), _id(mouse)]
    assert in_set("organism") == [_id(zebrafish), _id(mouse)]
    root = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="organism:Homo_sapiens")
    assert error_code(root) == "noRecordsMatch"


def test_list_sets_names_a_newly_released_studys_values_at_once_not_when_the_facets_expire(client):
    make_study(organism="Danio rerio", imaging_method="confocal microscopy")
    oai_get(client, verb="ListSets")  # search's facets, counted and cached now
    make_study(organism="Xenopus laevis", imaging_method="light sheet microscopy", source="EMPIAR", licence="CC-BY-4.0")

    sets = [e.text for e in oai_get(client, verb="ListSets").iterfind(".//oai:setSpec", NS)]

    assert {"organism:Xenopus_laevis", "imaging_method:light_sheet_microscopy", "licence:CC-BY-4.0"} <= set(sets)
    assert sets.index("organism:Danio_rerio") < sets.index("organism:Xenopus_laevis")  # in order, each once
    assert len(sets) == len(set(sets))


def test_post_with_form_arguments_answers_as_get(client):
    study = make_study()
    form = urlencode({"verb": "GetRecord", "identifier": _id(study), "metadataPrefix": "oai_dc"})
    response = client.post(reverse("oai"), form, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert identifiers(valid(response.content)) == [_id(study)]
    refused = client.post(reverse("oai"), b"<verb>Identify</verb>", content_type="text/xml")
    assert error_code(valid(refused.content)) == "badVerb"


def test_record_identifier_is_oai_host_accession(settings):
    settings.PORTAL_URL = "https://bioimage.example.org:8443"
    assert record_identifier("S-BIAD7") == "oai:bioimage.example.org:S-BIAD7"
