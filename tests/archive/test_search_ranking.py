"""Search: best match first among the newest SEARCH_COUNTED_RESULTS matches, ties newest first; counts stop there."""

import datetime
import re

import pytest
from django.db import connection

from tests.factories import make_study

pytestmark = pytest.mark.django_db


postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="ranking is PostgreSQL full text")


def _listed(client, query: str) -> list[str]:
    body = client.get("/search/", {"q": query}).content.decode()
    return list(dict.fromkeys(re.findall(r'href="/studies/([^/"]+)/"', body)))  # each row links its study twice


@postgresql_only
def test_search_ranks_a_title_match_above_a_newer_description_match(anonymous_client):
    in_title = make_study(title="Septin rings in budding yeast", files=[], release_date=datetime.date(2021, 5, 1))
    in_description = make_study(title="Cell wall growth", description="Septin is not imaged here.", files=[])

    assert _listed(anonymous_client, "septin") == [in_title.accession, in_description.accession]


def test_search_lists_equal_matches_newest_release_first_then_newest_accession(anonymous_client):
    oldest = make_study(title="Zebrafish fin regrowth", files=[], release_date=datetime.date(2020, 1, 1))
    first = make_study(title="Zebrafish fin regrowth", files=[])
    second = make_study(title="Zebrafish fin regrowth", files=[])

    assert _listed(anonymous_client, "zebrafish fin") == [second.accession, first.accession, oldest.accession]


def test_search_counts_results_up_to_the_cap_then_says_more_than(anonymous_client, settings):
    settings.SEARCH_COUNTED_RESULTS = 20
    settings.SEARCH_CACHE_SECONDS = 0
    for number in range(22):
        make_study(title=f"Zebrafish heart {number}", files=[])

    first = anonymous_client.get("/search/", {"q": "zebrafish"})
    beyond = anonymous_client.get("/search/", {"q": "zebrafish", "page": 2})
    api = anonymous_client.get("/api/v1/studies/", {"q": "zebrafish"})

    assert first.status_code == 200
    assert "More than 20 studies found" in first.content.decode()
    assert beyond.status_code == 400
    assert "the first 20 results fill 1 page(s)" in beyond.content.decode()
    assert api.json()["count"] == 22  # the API's count stays exact (the contract's `count`)


def test_search_counts_exactly_up_to_the_cap(anonymous_client, settings):
    settings.SEARCH_COUNTED_RESULTS = 21
    settings.SEARCH_CACHE_SECONDS = 0
    for number in range(21):
        make_study(title=f"Zebrafish heart {number}", files=[])
    make_study(title="Mouse kidney", files=[])

    second = anonymous_client.get("/search/", {"q": "zebrafish", "page": 2}).content.decode()

    assert "21 studies found, showing 21–21" in second


@postgresql_only
@pytest.mark.parametrize("first_window", [2**14, 1], ids=["newest-hold-enough", "wider-windows"])
def test_search_beyond_the_cap_ranks_the_newest_matches_only(anonymous_client, settings, first_window):
    settings.SEARCH_COUNTED_RESULTS, settings.SEARCH_FIRST_WINDOW, settings.SEARCH_CACHE_SECONDS = 2, first_window, 0
    best_but_oldest = make_study(title="Septin rings", files=[], release_date=datetime.date(2021, 5, 1))
    newer = [make_study(title="Cell wall", description="Septin is not imaged here.", files=[]) for _ in range(3)]
    for number in range(10):
        make_study(title=f"Mouse kidney {number}", files=[])  # newer still, matching nothing

    response = anonymous_client.get("/search/", {"q": "septin"})

    assert _listed(anonymous_client, "septin") == [study.accession for study in reversed(newer)]
    assert best_but_oldest.accession not in response.content.decode()
    assert "More than 2 studies found" in response.content.decode()


@postgresql_only
def test_search_with_few_matches_among_old_accessions_ranks_them_all(anonymous_client, settings):
    settings.SEARCH_COUNTED_RESULTS, settings.SEARCH_FIRST_WINDOW, settings.SEARCH_CACHE_SECONDS = 2, 1, 0
    in_title = make_study(title="Septin rings", files=[], release_date=datetime.date(2021, 5, 1))
    in_description = make_study(title="Cell wall", description="Septin is not imaged here.", files=[])
    for number in range(5):
        make_study(title=f"Mouse kidney {number}", files=[])

    response = anonymous_client.get("/search/", {"q": "septin"})

    assert _listed(anonymous_client, "septin") == [in_title.accession, in_description.accession]
    assert "2 studies found" in response.content.decode()
