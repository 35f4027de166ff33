"""Where a registered DOI is shown (issue 14): the accession page, citations, signposting, JSON-LD, DataCite XML,
RO-Crate, Croissant and the API; never while only allocated, and nowhere without DataCite settings.

The DOIs here are allocated by the real release and version services; DataCite's acceptance is the row's
`registered_at`, which the registration task sets (tests/archive/test_dois.py drives that task over HTTP).
"""

import json
from pathlib import Path

import bibtexparser
import pytest
import rispy
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from archive.exports.datacite import datacite_metadata
from archive.models import StudyDoi
from archive.services.accession import study_version_add
from archive.services.status import study_make_obsolete, study_remove
from tests.factories import make_curator, make_study, study_metadata

pytestmark = pytest.mark.django_db

XSD = Path(__file__).resolve().parent.parent / "data" / "xsd" / "datacite-kernel-4.5" / "metadata.xsd"
KERNEL = "{http://datacite.org/schema/kernel-4}"
PREFIX = "10.80001"


@pytest.fixture
def dois_on(settings):
    settings.DATACITE_PREFIX = PREFIX
    settings.DATACITE_REPOSITORY_ID = "TEST.ARCHIVE"
    settings.DATACITE_PASSWORD = "secret"
    # Never reached: the registration task runs on commit, and these tests' transactions never commit.
    settings.DATACITE_URL = "http://127.0.0.1:9"
    return settings


def _registered(study) -> None:
    """What DataCite's acceptance of every DOI of `study` leaves behind (archive.services.dois._register)."""
    StudyDoi.objects.filter(study=study).update(state="registered", registered_at=timezone.now())


def _dois(study) -> tuple[str, str]:
    accession = study.accession.lower()
    return f"{PREFIX}/{accession}", f"{PREFIX}/{accession}.v1"


def _links(response) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for value in response["Link"].split(", "):
        target, rel = value.split(">; rel=")[0].removeprefix("<"), value.split('rel="')[1].split('"')[0]
        found.setdefault(rel, []).append(target)
    return found


def _jsonld(page) -> dict:
    html = page.content.decode()
    start = html.index('<script type="application/ld+json">') + len('<script type="application/ld+json">')
    return json.loads(html[start : html.index("</script>", start)])


def test_an_allocated_doi_is_not_shown_until_datacite_registers_it(dois_on, anonymous_client):
    study = make_study()
    assert StudyDoi.objects.filter(study=study, registered_at__isnull=True).count() == 2

    page = anonymous_client.get(reverse("study-detail", args=[study.accession]))

    assert b"doi.org/10.80001" not in page.content
    assert _links(page)["cite-as"] == [f"http://testserver/studies/{study.accession}/"]
    assert anonymous_client.get(f"/api/v1/studies/{study.accession}/").json()["doi"] is None


def test_the_accession_page_shows_the_concept_and_version_doi(dois_on, anonymous_client):
    study = make_study()
    _registered(study)
    concept, version = _dois(study)

    page = anonymous_client.get(reverse("study-detail", args=[study.accession]))

    html = page.content.decode()
    assert f'DOI: <a href="https://doi.org/{concept}">https://doi.org/{concept}</a>' in html
    assert f'version 1: <a href="https://doi.org/{version}">' in html
    # "How to cite": the APA reference cites the concept DOI, as a link.
    citation = html[html.index('id="cite-heading"') :]
    assert f'<a href="https://doi.org/{concept}">https://doi.org/{concept}</a>' in citation
    assert _links(page)["cite-as"] == [f"https://doi.org/{concept}"]
    dataset = _jsonld(page)
    assert dataset["identifier"][0] == {
        "@type": "PropertyValue",
        "propertyID": "DOI",
        "value": concept,
        "url": f"https://doi.org/{concept}",
    }
    assert dataset["sameAs"] == f"https://doi.org/{concept}"


def test_p_permanent_a_version_page_cites_its_version_doi(dois_on, anonymous_client):
    study = make_study()
    _registered(study)
    _concept, version = _dois(study)

    page = anonymous_client.get(reverse("study-version", args=[study.accession, 1]))

    assert f'DOI: <a href="https://doi.org/{version}">' in page.content.decode()
    assert _links(page)["cite-as"] == [f"https://doi.org/{version}"]
    linkset = anonymous_client.get(reverse("study-version-linkset", args=[study.accession, 1])).json()["linkset"][0]
    assert linkset["anchor"] == f"http://testserver/studies/{study.accession}/v1/"
    assert linkset["cite-as"] == [{"href": f"https://doi.org/{version}"}]


def test_citations_carry_the_doi_of_what_they_cite(dois_on, anonymous_client):
    study = make_study()
    _registered(study)
    concept, version = _dois(study)

    bibtex = anonymous_client.get(reverse("study-version-citation", args=[study.accession, 1, "bib"]))
    ris = anonymous_client.get(reverse("study-version-citation", args=[study.accession, 1, "ris"]))
    csl = anonymous_client.get(reverse("study-version-citation", args=[study.accession, 1, "json"]))
    negotiated = anonymous_client.get(
        reverse("study-detail", args=[study.accession]), headers={"accept": "application/x-bibtex"}
    )

    assert bibtexparser.parse_string(bibtex.content.decode()).entries[0]["doi"] == version
    assert rispy.loads(ris.content.decode())[0]["doi"] == version
    assert csl.json()[0]["DOI"] == version
    assert bibtexparser.parse_string(negotiated.content.decode()).entries[0]["doi"] == concept


def test_the_datacite_record_is_identified_by_the_version_doi(dois_on, anonymous_client):
    study = make_study()
    _registered(study)
    _concept, version = _dois(study)

    for route, args in (("study-datacite", [study.accession]), ("study-version-datacite", [study.accession, 1])):
        xml = etree.fromstring(anonymous_client.get(reverse(route, args=args)).content)

        assert etree.XMLSchema(etree.parse(str(XSD))).validate(xml)
        identifier = xml.find(f"{KERNEL}identifier")
        assert (identifier.get("identifierType"), identifier.text) == ("DOI", version)


def test_ro_crate_and_croissant_are_identified_by_the_version_doi(dois_on, anonymous_client):
    study = make_study()
    _registered(study)
    _concept, version = _dois(study)

    crate = anonymous_client.get(reverse("study-version-ro-crate", args=[study.accession, 1]))
    croissant = anonymous_client.get(reverse("study-version-croissant", args=[study.accession, 1])).json()

    graph = json.loads(b"".join(crate.streaming_content))["@graph"]
    root = next(entity for entity in graph if entity["@id"] == "./")
    assert root["identifier"] == f"https://doi.org/{version}"
    assert croissant["identifier"] == f"https://doi.org/{version}"
    assert f"doi = {{{version}}}" in croissant["citeAs"]


def test_the_api_names_the_concept_doi_and_each_version_doi(dois_on, anonymous_client):
    study = make_study()
    _registered(study)
    concept, version = _dois(study)

    detail = anonymous_client.get(f"/api/v1/studies/{study.accession}/").json()
    pinned = anonymous_client.get(f"/api/v1/studies/{study.accession}/versions/1/").json()

    assert detail["doi"] == concept
    assert [item["doi"] for item in detail["versions"]] == [version]
    assert pinned["doi"] == version


def test_p_permanent_version_dois_stay_when_a_new_version_waits_for_its_own(dois_on, anonymous_client):
    study = make_study()
    _registered(study)
    concept, first = _dois(study)

    study_version_add(study=study, metadata=study_metadata("Corrected title"), files=[], note="Correction")

    detail = anonymous_client.get(f"/api/v1/studies/{study.accession}/").json()
    assert detail["doi"] == concept  # the concept DOI stays registered while DataCite is told of the change
    assert {item["number"]: item["doi"] for item in detail["versions"]} == {2: None, 1: first}
    newest = anonymous_client.get(reverse("study-detail", args=[study.accession])).content.decode()
    assert f"https://doi.org/{concept}" in newest and "version 2: <a" not in newest
    older = anonymous_client.get(reverse("study-version", args=[study.accession, 1]))
    assert _links(older)["cite-as"] == [f"https://doi.org/{first}"]


def test_p_remove_the_tombstone_names_no_doi(dois_on, anonymous_client):
    study = make_study()
    _registered(study)

    study_remove(study=study, actor=make_curator(), reason_category="retraction")

    tombstone = anonymous_client.get(reverse("study-detail", args=[study.accession]))
    assert tombstone.status_code == 410
    assert b"doi.org" not in tombstone.content  # the DOI resolves here; the tombstone says only what P-REMOVE allows
    assert "doi" not in anonymous_client.get(f"/api/v1/studies/{study.accession}/").json()


def test_without_datacite_settings_no_doi_is_shown_even_if_rows_remain(dois_on, anonymous_client, settings):
    study = make_study()
    _registered(study)
    settings.DATACITE_PREFIX = ""  # the portal's DataCite settings taken away

    page = anonymous_client.get(reverse("study-detail", args=[study.accession]))
    bibtex = anonymous_client.get(reverse("study-citation", args=[study.accession, "bib"])).content.decode()
    ris = anonymous_client.get(reverse("study-citation", args=[study.accession, "ris"])).content.decode()
    csl = anonymous_client.get(reverse("study-citation", args=[study.accession, "json"])).json()
    linkset = anonymous_client.get(reverse("study-linkset", args=[study.accession])).content.decode()
    api = anonymous_client.get(f"/api/v1/studies/{study.accession}/").json()

    assert b"DOI" not in page.content and "doi.org" not in page["Link"]
    assert "doi" not in bibtexparser.parse_string(bibtex).entries[0].fields_dict
    assert "doi" not in rispy.loads(ris)[0] and "DOI" not in csl[0]
    assert "doi.org" not in linkset
    assert api["doi"] is None and all(item["doi"] is None for item in api["versions"])


def test_the_study_page_reads_its_dois_in_one_query(dois_on, anonymous_client, settings):
    study = make_study()
    _registered(study)
    address = reverse("study-detail", args=[study.accession])
    anonymous_client.get(address)  # caches warmed alike for both counts

    with CaptureQueriesContext(connection) as with_dois:
        anonymous_client.get(address)
    settings.DATACITE_PREFIX = ""
    with CaptureQueriesContext(connection) as without:
        anonymous_client.get(address)

    assert len(with_dois) == len(without) + 1


def _obsolete_pair() -> tuple:
    """A study in two versions superseding an older one (P-OBSOLETE), with DOIs allocated for both."""
    study = make_study(title="Newer")
    study_version_add(study=study, metadata=study_metadata("Newer, corrected"), files=[], note="Correction")
    older = study_make_obsolete(
        study=make_study(title="Older"),
        actor=make_curator(),
        reason_category="superseded",
        superseded_by=study.accession,
    )
    return study, older


def _relations(client, route: str, args: list) -> set[tuple[str, str, str]]:
    xml = etree.fromstring(client.get(reverse(route, args=args)).content)
    assert etree.XMLSchema(etree.parse(str(XSD))).validate(xml)
    found = xml.findall(f"{KERNEL}relatedIdentifiers/{KERNEL}relatedIdentifier")
    return {(item.get("relationType"), item.get("relatedIdentifierType"), item.text) for item in found}


def test_p_obsolete_datacite_relations_name_the_registered_dois(dois_on, anonymous_client):
    study, older = _obsolete_pair()
    _registered(study)
    _registered(older)
    concept, first = _dois(study)
    older_concept, _older_first = _dois(older)

    newest = _relations(anonymous_client, "study-datacite", [study.accession])
    pinned = _relations(anonymous_client, "study-version-datacite", [study.accession, 1])
    obsolete = _relations(anonymous_client, "study-datacite", [older.accession])

    assert {("IsVersionOf", "DOI", concept), ("IsNewVersionOf", "DOI", first)} <= newest
    assert ("Obsoletes", "DOI", older_concept) in newest
    assert ("IsPreviousVersionOf", "DOI", f"{concept}.v2") in pinned
    assert ("IsObsoletedBy", "DOI", concept) in obsolete
    assert not {kind for _relation, kind, _value in newest | pinned | obsolete} - {"DOI"}  # no page URL left


def test_datacite_relations_stay_page_addresses_while_dois_are_allocated_or_off(dois_on, anonymous_client):
    study, older = _obsolete_pair()
    base = f"http://testserver/studies/{study.accession}/"
    expected = {
        ("IsVersionOf", "URL", base),
        ("IsNewVersionOf", "URL", f"{base}v1/"),
        ("Obsoletes", "URL", f"http://testserver/studies/{older.accession}/"),
    }

    allocated = _relations(anonymous_client, "study-datacite", [study.accession])
    _registered(study)
    _registered(older)
    dois_on.DATACITE_PREFIX = ""
    off = _relations(anonymous_client, "study-datacite", [study.accession])

    assert expected <= allocated and expected <= off


def test_a_datacite_record_reads_its_relations_dois_in_one_query(dois_on):
    """OAI-PMH's oai_datacite builds many records: neither versions nor obsolete neighbours may add queries."""
    study, older = _obsolete_pair()
    alone = make_study()
    counts = []
    for each in (study, older, alone):
        _registered(each)
        numbers = list(each.versions.values_list("number", flat=True))
        version = each.versions.get(number=max(numbers))
        datacite_metadata(study=each, version=version, numbers=numbers)  # the formats cache warmed alike
        with CaptureQueriesContext(connection) as queries:
            datacite_metadata(study=each, version=version, numbers=numbers)
        counts.append(len(queries))

    assert counts == [3, 3, 3]  # the neighbours, every DOI they and the versions have, the sizes
