"""Every OAI-PMH page costs the same number of queries whatever the archive's size (docs/design.md §8)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from archive.models import StudyDoi
from archive.services.accession import study_version_add
from archive.services.status import study_hide, study_make_obsolete
from tests.factories import make_curator, make_study, study_metadata
from tests.harvest.oai import NS, oai_get, token, valid

pytestmark = pytest.mark.django_db

PAGE = 3


def _queries_per_page(client, arguments: dict) -> list[int]:
    """The queries of the first, a middle and the last page of a list, following its tokens."""
    counts = []
    while True:
        with CaptureQueriesContext(connection) as queries:
            root = valid(client.get(reverse("oai"), arguments).content)
        counts.append(len(queries))
        resumption = token(root)
        if resumption is None or not resumption.text:
            return [counts[0], counts[len(counts) // 2], counts[-1]]
        arguments = {"verb": arguments["verb"], "resumptionToken": resumption.text}


LISTS = {
    "ListIdentifiers": {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"},
    "ListRecords": {"verb": "ListRecords", "metadataPrefix": "oai_dc"},
    "ListRecords in a set, from a date": {
        "verb": "ListRecords",
        "metadataPrefix": "oai_dc",
        "set": "organism:Homo_sapiens",
        "from": "2000-01-01",
    },
}


def test_a_page_costs_the_same_queries_for_5_and_50_studies(client, settings):
    settings.OAI_PAGE_SIZE = settings.OAI_IDENTIFIERS_PAGE_SIZE = PAGE
    studies = [make_study(files=[]) for _ in range(5)]
    study_hide(study=studies[1], actor=make_curator(), reason_category="error")  # a tombstone among the records
    small = {name: _queries_per_page(client, arguments) for name, arguments in LISTS.items()}
    for _ in range(45):
        make_study(files=[])

    large = {name: _queries_per_page(client, arguments) for name, arguments in LISTS.items()}

    assert large == small
    assert max(max(counts) for counts in large.values()) <= 3


def _dois_on(settings) -> None:
    """DOIs on, as in tests/archive/test_doi_display.py: the services allocate them."""
    settings.DATACITE_PREFIX, settings.DATACITE_REPOSITORY_ID, settings.DATACITE_PASSWORD = "10.80001", "T.A", "s"
    settings.DATACITE_URL = "http://127.0.0.1:9"  # never reached: these tests' transactions never commit


def _registered_dois() -> None:
    """What DataCite's acceptance of every allocated DOI leaves behind."""
    StudyDoi.objects.update(state="registered", registered_at=timezone.now())


def _record_metadata(root) -> dict[str, bytes]:
    return {
        record.findtext("oai:header/oai:identifier", namespaces=NS): etree.tostring(record.find("oai:metadata", NS))
        for record in root.iterfind(".//oai:record", NS)
    }


@pytest.mark.parametrize(
    "prefix, dois", [("oai_dc", False), ("oai_datacite", False), ("oai_datacite", True)], ids=["dc", "datacite", "dois"]
)
def test_a_page_of_records_costs_the_same_queries_for_2_and_20_studies(client, settings, prefix, dois):
    """Each record's parts are read for the whole page at once (harvest.selectors.record_parts), each the same as
    GetRecord reads it alone: its versions, root folder, formats, obsolete neighbours and DOIs."""
    settings.OAI_PAGE_SIZE = 20
    if dois:
        _dois_on(settings)

    def page() -> tuple[int, dict[str, bytes]]:
        with CaptureQueriesContext(connection) as captured:
            root = valid(client.get(reverse("oai"), {"verb": "ListRecords", "metadataPrefix": prefix}).content)
        assert token(root) is None  # one page
        return len(captured), _record_metadata(root)

    older = make_study(title="The first account")
    newer = make_study(files=[], title="The corrected account")
    study_make_obsolete(study=older, actor=make_curator(), reason_category="superseded", superseded_by=newer.accession)
    _registered_dois()
    few, _records = page()
    for _ in range(17):
        make_study()  # with files: each version's formats are still to be read
    study_version_add(study=make_study(), metadata=study_metadata("Second version"), files=[], note="v2")
    _registered_dois()
    cache.clear()  # every version's formats unread again

    many, records = page()

    assert many == few
    assert len(records) == 20
    for identifier in (f"oai:testserver:{study.accession}" for study in (older, newer)):
        alone = oai_get(client, verb="GetRecord", identifier=identifier, metadataPrefix=prefix)
        assert _record_metadata(alone)[identifier] == records[identifier]
        assert (f">10.80001/{identifier.rsplit(':', 1)[1].lower()}<".encode() in records[identifier]) == dois
