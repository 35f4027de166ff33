"""A visitor narrows a search in a real browser: choosing a filter value reloads the results with it applied."""

import re
import shutil

import pytest

from tests.factories import make_study

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_p_obsolete_changing_a_filter_reloads_the_search_with_it_applied_and_counts_shown(
    live_server, page, output_path
):
    for number in range(2):
        make_study(title=f"Mouse kidney organoids {number}", organism="Mus musculus")
    make_study(title="Zebrafish heart regeneration", organism="Danio rerio")
    make_study(title="Superseded zebrafish fin atlas", organism="Danio rerio", status="obsolete")
    make_study(title="Hidden frog embryos", organism="Xenopus laevis", hidden=True)

    page.goto(live_server.url + "/search/")
    organism = page.get_by_label("Organism")
    options = organism.locator("option").all_inner_texts()
    assert options == ["Any organism", "Danio rerio (1)", "Mus musculus (2)"]
    assert page.get_by_text("3 studies found").is_visible()

    # No Search button pressed: the page reloads on the change alone.
    with page.expect_navigation():
        organism.select_option("Mus musculus")
    assert re.search(r"[?&]organism=Mus\+musculus", page.url)
    assert page.get_by_text("2 studies found").is_visible()
    assert page.get_by_text("Zebrafish heart regeneration").count() == 0
    assert page.get_by_label("Organism").input_value() == "Mus musculus"
    page.screenshot(path=f"{output_path}/search_facets.png", full_page=True)
    shutil.copy(f"{output_path}/search_facets.png", "/tmp/shots/search_facets.png")

    # Ticking "Include obsolete entries" applies at once too, and counts the obsolete entry in.
    page.get_by_label("Organism").select_option("")
    page.wait_for_url(re.compile(r"organism=(&|$)"))
    with page.expect_navigation():
        page.get_by_label("Include obsolete entries").check()
    assert page.get_by_label("Organism").locator("option").all_inner_texts() == [
        "Any organism",
        "Danio rerio (2)",
        "Mus musculus (2)",
    ]
    assert page.get_by_text("4 studies found").is_visible()
