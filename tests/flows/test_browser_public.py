"""A visitor in a real browser: home → search → accession page → file download."""

import hashlib
import io
import re

import pytest
from PIL import Image

from tests.factories import make_study, stored_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (96, 96), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def test_visitor_finds_a_study_and_downloads_a_file(live_server, page, output_path):
    image = _png((30, 160, 90))
    study = make_study(
        title="Zebrafish heart regeneration atlas",
        organism="Danio rerio",
        imaging_method="light-sheet fluorescence microscopy",
        files=[stored_file("hearts/fish_01.png", image), stored_file("README.txt", b"Read me")],
    )
    make_study(title="Arabidopsis root tip growth", organism="Arabidopsis thaliana")
    shots = output_path

    page.goto(live_server.url + "/")
    page.screenshot(path=f"{shots}/1-home.png", full_page=True)
    page.get_by_role("searchbox").first.fill("zebrafish")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/"))
    page.screenshot(path=f"{shots}/2-search.png", full_page=True)
    assert page.get_by_text("Arabidopsis root tip growth").count() == 0

    page.get_by_role("link", name=re.compile("Zebrafish heart regeneration atlas")).first.click()
    page.wait_for_url(re.compile(rf"/studies/{study.accession}/$"))
    page.screenshot(path=f"{shots}/3-study.png", full_page=True)
    assert page.get_by_role("heading", name="Zebrafish heart regeneration atlas").is_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("fish_01.png")).first.click()
    downloaded = download_info.value
    assert downloaded.suggested_filename == "fish_01.png"
    with open(downloaded.path(), "rb") as saved:
        assert hashlib.sha256(saved.read()).hexdigest() == hashlib.sha256(image).hexdigest()
