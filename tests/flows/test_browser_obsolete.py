"""An obsolete entry superseded by another, in a real browser: its banner links to the entry that replaces it
(P-OBSOLETE); and the portal's icon loads, from the page's link and from /favicon.ico."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from curation.services.actions import studies_curate
from tests.factories import make_curator, make_study

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")


def test_p_obsolete_banner_links_to_the_superseding_entry(page, live_server, output_path):
    old = make_study(title="Zebrafish heart atlas, first release")
    new = make_study(title="Zebrafish heart atlas, corrected and extended")
    studies_curate(
        actor=make_curator(),
        action="obsolete",
        studies=[old],
        reason_category="superseded",
        note="The corrected atlas replaces it.",
        superseded_by=new.accession,
    )

    page.goto(f"{live_server.url}/studies/{old.accession}/")
    banner = page.get_by_role("status").filter(has_text="Obsolete entry")
    expect(banner).to_contain_text("Reason: Superseded.")
    link = banner.get_by_role("link", name=new.accession)
    expect(link).to_be_visible()
    image = page.screenshot()
    Path(output_path).mkdir(parents=True, exist_ok=True)
    (Path(output_path) / "obsolete_link.png").write_bytes(image)
    SHOTS.mkdir(exist_ok=True)
    (SHOTS / "obsolete_link.png").write_bytes(image)

    link.click()
    page.wait_for_url(re.compile(rf"/studies/{new.accession}/$"))
    expect(page.get_by_role("heading", name="Zebrafish heart atlas, corrected and extended")).to_be_visible()


def test_favicon_loads_from_the_page_and_from_favicon_ico(page, live_server):
    page.goto(f"{live_server.url}/")
    icon = page.locator('link[rel="icon"]').get_attribute("href")
    assert page.request.get(live_server.url + icon).headers["content-type"].startswith("image/svg+xml")

    answer = page.goto(f"{live_server.url}/favicon.ico")
    assert answer.status == 200 and answer.url == live_server.url + icon
    page.set_viewport_size({"width": 256, "height": 256})
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / "favicon.png")
