"""The public statistics page in a real browser: Chart.js draws each chart under the CSP, the numbers are in
tables beneath. The screenshot goes to SCREENSHOT_DIR (else the test's folder)."""

import os

import pytest
from playwright.sync_api import expect

from tests.factories import make_study

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_statistics_page_draws_its_charts_with_their_numbers_as_tables(page, live_server, output_path):
    make_study(title="Zebrafish heart regeneration", organism="Danio rerio")
    make_study(title="Mouse cortex", organism="Mus musculus")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(live_server.url + "/statistics/")

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.screenshot(path=f"{os.environ.get('SCREENSHOT_DIR', output_path)}/statistics.png", full_page=True)
    canvases = page.locator("canvas")
    assert canvases.count() >= 1
    drawn = page.evaluate("[...document.querySelectorAll('canvas')].map(c => Boolean(window.Chart?.getChart(c)))")
    assert all(drawn), f"charts not drawn: {drawn}"
    expect(page.get_by_role("table").first).to_be_visible()
    expect(page.get_by_role("rowheader", name="Danio rerio")).to_be_visible()
    assert errors == []
