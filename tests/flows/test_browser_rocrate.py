"""The accession page's machine-readable links open the version's RO-Crate and Croissant in a browser."""

import json
import os
from pathlib import Path

import pytest

from tests.factories import make_study

pytestmark = pytest.mark.django_db(transaction=True)


def test_machine_readable_links_open_the_crate_and_croissant(page, live_server, tmp_path):
    study = make_study()
    page.goto(f"{live_server.url}/studies/{study.accession}/")
    section = page.locator("#cite-heading").locator("xpath=..")
    section.scroll_into_view_if_needed()
    for shots in {tmp_path, Path(os.environ.get("SCREENSHOT_DIR", "/tmp/shots"))}:
        shots.mkdir(parents=True, exist_ok=True)
        section.screenshot(path=shots / "rocrate_links.png")

    with page.expect_response(lambda r: r.url.endswith("/v1/ro-crate-metadata.json")) as crate:
        page.get_by_role("link", name="RO-Crate").click()
    assert crate.value.status == 200
    assert json.loads(crate.value.body())["@context"] == "https://w3id.org/ro/crate/1.2/context"
    page.go_back()
    with page.expect_response(lambda r: r.url.endswith("/v1/croissant.json")) as croissant:
        page.get_by_role("link", name="ML Croissant").click()
    assert json.loads(croissant.value.body())["recordSet"][0]["name"] == "files"
