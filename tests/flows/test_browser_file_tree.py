"""A visitor browses a study's files as folders in a real browser: open a folder, page on, search inside."""

import re
import shutil
from pathlib import Path

import pytest

from archive.services.thumbnails import thumbnails_make_missing
from tests.factories import make_study, stored_file
from tests.flows.test_browser_public import _png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_opens_a_folder_pages_through_its_files_and_searches_the_study(live_server, page, output_path):
    files = [
        stored_file(f"raw/plate {p}/well_{w:02}.png", _png((40 * p, 5 * w, 90))) for p in (1, 2) for w in range(30)
    ]
    files += [stored_file("processed/masks.zip", b"masks"), stored_file("README.txt", b"Read me")]
    study = make_study(title="Organoid growth screen", files=files)
    thumbnails_make_missing()

    page.goto(f"{live_server.url}/studies/{study.accession}/")
    folders = page.get_by_role("table", name=re.compile("Folders in"))
    assert folders.get_by_role("row").count() == 3  # the heading and two folders
    folders.get_by_role("link", name="raw/").click()
    page.wait_for_url(re.compile(r"folder=raw%2F"))
    assert page.get_by_text("60 files").first.is_visible()
    page.screenshot(path=f"{output_path}/listing_folders.png", full_page=True)
    _keep(output_path, "listing_folders.png")
    page.get_by_role("table", name=re.compile("Folders in")).get_by_role("link", name="plate 2/").click()
    page.wait_for_url(re.compile(r"folder=raw%2Fplate"))
    crumbs = page.get_by_role("navigation", name="Folder")
    assert crumbs.get_by_role("link", name="raw").is_visible()
    assert crumbs.get_by_text("plate 2").is_visible()

    crumbs.get_by_role("link", name="raw").click()
    page.get_by_role("navigation", name="File pages").get_by_role("link", name="Next").click()
    page.wait_for_url(re.compile(r"after="))
    rows = page.get_by_role("table", name=re.compile("Files of")).get_by_role("row")
    assert rows.count() == 11  # 60 files: 50, then 10 (and the heading)
    page.get_by_role("navigation", name="File pages").get_by_role("link", name="First").click()

    page.get_by_role("searchbox", name="Find files by name or path").fill("WELL_07")
    page.get_by_role("button", name="Find").click()
    page.wait_for_url(re.compile(r"q=WELL_07"))
    found = page.get_by_role("table", name=re.compile("Files of")).get_by_role("row")
    assert found.count() == 3  # raw/plate 1/well_07.png and raw/plate 2/well_07.png, under raw/
    page.screenshot(path=f"{output_path}/listing_search.png", full_page=True)
    _keep(output_path, "listing_search.png")


def _keep(folder: str, name: str) -> None:
    shots = Path("/tmp/shots")
    shots.mkdir(exist_ok=True)
    shutil.copy(Path(folder) / name, shots / name)
