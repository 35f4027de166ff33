"""Search filters: each value with its count of public listed studies, only values with public hits, and the
home page's count equal to browsing all."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_study

pytestmark = pytest.mark.django_db


def _options(body: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', body, re.S)
    assert select, f"no <select> for {name}"
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))


def test_search_filters_show_each_value_with_its_count(anonymous_client):
    make_study(organism="Mus musculus", imaging_method="cryo-EM")
    make_study(organism="Mus musculus")
    make_study(organism="Homo sapiens", source="EMPIAR", licence="CC-BY-4.0")

    body = anonymous_client.get(reverse("search")).content.decode()

    assert _options(body, "organism") == ["Any organism", "Homo sapiens (1)", "Mus musculus (2)"]
    assert _options(body, "imaging_method") == ["Any method", "confocal microscopy (2)", "cryo-EM (1)"]
    assert _options(body, "licence") == ["Any licence", "CC-BY-4.0 (1)", "CC0-1.0 (2)"]
    year = timezone.localdate().year
    assert f'<option value="{year}">{year} (3)</option>' in body
    assert '<option value="Mus musculus">Mus musculus (2)</option>' in body


def test_p_hide_values_of_hidden_confidential_or_removed_studies_are_not_offered(anonymous_client, curator_client):
    make_study(organism="Mus musculus")
    make_study(organism="Danio rerio", hidden=True)
    make_study(organism="Xenopus laevis", status="confidential")
    make_study(organism="Arabidopsis thaliana", status="removed")

    for params in ({}, {"include_obsolete": "1"}):
        body = anonymous_client.get(reverse("search"), params).content.decode()
        assert _options(body, "organism") == ["Any organism", "Mus musculus (1)"]
    # The filters count the public archive for everyone: a curator's extra rows do not leak into them.
    assert _options(curator_client.get(reverse("search")).content.decode(), "organism") == [
        "Any organism",
        "Mus musculus (1)",
    ]


def test_p_obsolete_values_of_obsolete_studies_are_offered_and_counted_only_with_include_obsolete(anonymous_client):
    make_study(organism="Mus musculus")
    make_study(organism="Mus musculus", status="obsolete")
    make_study(organism="Rattus norvegicus", status="obsolete")

    active = anonymous_client.get(reverse("search")).content.decode()
    with_obsolete = anonymous_client.get(reverse("search"), {"include_obsolete": "1"}).content.decode()

    assert _options(active, "organism") == ["Any organism", "Mus musculus (1)"]
    assert _options(with_obsolete, "organism") == ["Any organism", "Mus musculus (2)", "Rattus norvegicus (1)"]


def test_search_keeps_a_chosen_value_nothing_carries_any_more(anonymous_client):
    make_study(organism="Mus musculus")

    response = anonymous_client.get(reverse("search"), {"organism": "Danio rerio"})

    body = response.content.decode()
    assert response.status_code == 200
    assert '<option value="Danio rerio" selected>Danio rerio</option>' in body
    assert "No studies found" in body


def test_search_filters_apply_on_change_with_a_script_and_keep_the_search_button(anonymous_client):
    make_study()

    body = anonymous_client.get(reverse("search")).content.decode()

    assert re.search(r'<form method="get" action="/search/"[^>]* data-facets', body)
    assert re.search(r'<script src="/static/js/search-facets[^"]*\.js" defer></script>', body)
    assert '<button type="submit" class="btn btn-primary flex-grow-1">Search</button>' in body
    assert "count the whole public archive" in body


def test_p_obsolete_home_page_count_is_the_number_browse_all_finds(anonymous_client):
    for _ in range(3):
        make_study()
    make_study(status="obsolete")
    make_study(hidden=True)
    make_study(status="confidential")
    make_study(status="removed")

    home = anonymous_client.get(reverse("home")).content.decode()
    browse_all = anonymous_client.get(reverse("search")).content.decode()

    counted = re.search(r'<div class="stat-value">(\d+)</div><div class="text-body-secondary">public stud', home)
    assert counted and counted.group(1) == "3"
    assert "3 studies found" in browse_all
    assert '<a href="/search/">Browse all studies</a>' in home
