"""Every OAI-PMH page costs the same number of queries whatever the archive's size (docs/design.md §8)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive.services.status import study_hide
from tests.factories import make_curator, make_study
from tests.harvest.oai import token, valid

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
