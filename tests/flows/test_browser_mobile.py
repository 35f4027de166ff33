"""A reader on a phone (390 × 844 px): home, search, an accession page and My studies fit the screen, with
nothing off to the side; result and file tables become one labelled card per row; the navigation collapses
into its toggler and opens from it. Full-page screenshots go to SCREENSHOT_DIR (else the test's folder).
"""

import datetime
import io
import os
import re

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from archive.tasks import thumbnails_make_missing
from tests.factories import make_study, stored_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LONG_PATH = "zebrafish-heart-regeneration/light-sheet/2024-03-14_fish-07_ventricle_timelapse_channel-GFP.png"


@pytest.fixture
def phone(page, output_path):
    """The browser page at a phone's size, and a function that saves a full-page screenshot by name."""
    page.set_viewport_size(PHONE)
    shots = os.environ.get("SCREENSHOT_DIR", output_path)
    page.shot = lambda name: page.screenshot(path=f"{shots}/mobile_{name}.png", full_page=True)
    return page


@pytest.fixture
def atlas(submitter):
    image = io.BytesIO()
    Image.new("RGB", (120, 90), (30, 160, 90)).save(image, format="PNG")
    study = make_study(
        owner=submitter,
        title="Zebrafish heart regeneration atlas: light-sheet time-lapses of the ventricle after cryoinjury",
        organism="Danio rerio",
        imaging_method="light-sheet fluorescence microscopy",
        files=[
            stored_file(LONG_PATH, image.getvalue(), {"channel": "GFP", "timepoint": "72 hpi", "fish": "07"}),
            stored_file("README.txt", b"Read me", {"channel": "", "timepoint": "", "fish": ""}),
        ],
    )
    thumbnails_make_missing()
    return study


def _assert_fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide: something sticks out to the side"


def _assert_on_screen(locator) -> None:
    """The element is shown whole within the phone's width (not cut off, nor in a table scrolled sideways)."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (locator, box)


def test_home_and_search_fit_a_phone_with_one_card_per_study(phone, live_server, atlas):
    make_study(title="Arabidopsis root tip growth", organism="Arabidopsis thaliana")

    phone.goto(live_server.url + "/")
    _assert_fits(phone)
    _assert_on_screen(phone.get_by_role("row", name=re.compile(atlas.accession)).get_by_text("Danio rerio"))
    phone.shot("home")

    phone.goto(live_server.url + "/search/?q=zebrafish")
    _assert_fits(phone)
    card = phone.get_by_role("row", name=re.compile(atlas.accession))
    for cell in ("Danio rerio", "light-sheet fluorescence microscopy", "CC0-1.0"):
        _assert_on_screen(card.get_by_text(cell))
    _assert_on_screen(card.locator('[data-label="Organism"]'))
    phone.shot("search")


def test_accession_page_fits_a_phone_with_its_file_table_as_cards(phone, live_server, atlas):
    phone.goto(f"{live_server.url}/studies/{atlas.accession}/")
    _assert_fits(phone)
    card = phone.get_by_role("row", name=re.compile("fish-07"))
    for cell in ("72 hpi", "GFP"):
        _assert_on_screen(card.get_by_text(cell, exact=True))
    _assert_on_screen(card.locator('[data-label="timepoint"]'))
    _assert_on_screen(card.get_by_role("link", name=re.compile("Download")))
    phone.shot("study")


def test_my_studies_fits_a_phone(phone, live_server, sign_in, submitter, atlas):
    make_study(
        owner=submitter,
        status="confidential",
        title="Embargoed organoids",
        release_date=timezone.localdate() + datetime.timedelta(days=95),
    )
    sign_in(phone, submitter)

    phone.goto(live_server.url + "/my/studies/")
    _assert_fits(phone)
    card = phone.get_by_role("row", name=re.compile("Embargoed organoids"))
    _assert_on_screen(card.get_by_text("Confidential"))
    _assert_on_screen(card.get_by_text("in 3 months"))
    _assert_on_screen(card.get_by_role("button", name=re.compile("New version")))
    phone.shot("my_studies")


def test_navigation_collapses_into_its_toggler_and_opens_from_it(phone, live_server, sign_in, submitter):
    sign_in(phone, submitter)
    phone.goto(live_server.url + "/")
    my_studies = phone.get_by_role("link", name="My studies")
    expect(my_studies).to_be_hidden()

    phone.get_by_role("button", name="Show navigation").click()
    expect(my_studies).to_be_visible()
    _assert_fits(phone)
    phone.shot("navigation")
    my_studies.click()
    phone.wait_for_url(re.compile(r"/my/studies/$"))


def test_a_table_wider_than_the_phone_says_it_scrolls_and_takes_the_keyboard(phone, live_server, sign_in, submitter):
    from uploads.services.upload import upload_file_put

    upload_file_put(owner=submitter, relative_path=LONG_PATH, content=b"pixels")
    sign_in(phone, submitter)

    phone.goto(live_server.url + "/uploads/")
    _assert_fits(phone)
    overflowing = phone.evaluate(
        "[...document.querySelectorAll('.table-responsive')].filter(b => b.scrollWidth > b.clientWidth + 1).length"
    )
    hints = phone.locator(".table-scroll-hint:not([hidden])")
    assert overflowing >= 1, "the upload table no longer overflows a phone: give this test a wider table"
    expect(hints).to_have_count(overflowing)
    expect(hints.first).to_have_text(re.compile("Scroll sideways"))
    expect(phone.locator(".table-responsive[tabindex='0'][role='region']")).to_have_count(overflowing)
    phone.shot("uploads")

    phone.set_viewport_size({"width": 1400, "height": 900})
    expect(phone.locator(".table-scroll-hint:not([hidden])")).to_have_count(0)
