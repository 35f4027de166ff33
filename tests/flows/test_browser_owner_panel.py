"""The owner's panel in a real browser: after the round-trip, what went wrong (or right) is where the owner looks."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.factories import make_study, stored_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def _assert_in_view(page, locator) -> None:
    """The element is shown and wholly inside the viewport (the browser scrolled there, not the test)."""
    expect(locator).to_be_in_viewport(ratio=1)
    box, view = locator.bounding_box(), page.viewport_size
    assert box["y"] >= 0 and box["y"] + box["height"] <= view["height"], (box, view)


def _shot(page, output_path, name: str, screen: str) -> None:
    """Save the viewport in the test's folder and in /tmp/shots (the desktop one without the screen's name)."""
    image = page.screenshot()
    Path(output_path).mkdir(parents=True, exist_ok=True)
    (Path(output_path) / f"{name}_{screen}.png").write_bytes(image)
    SHOTS.mkdir(exist_ok=True)
    (SHOTS / (f"{name}.png" if screen == "desktop" else f"{name}_{screen}.png")).write_bytes(image)


@pytest.mark.parametrize("screen", VIEWPORTS)
def test_owner_panel_refusals_and_messages_open_in_view(signed_in_page, live_server, submitter, output_path, screen):
    page = signed_in_page
    page.set_viewport_size(VIEWPORTS[screen])
    files = [stored_file(f"images/cell_{number:02}.tif", b"pixels %d" % number) for number in range(30)]
    study = make_study(owner=submitter, status="confidential", files=files)
    page.goto(f"{live_server.url}/studies/{study.accession}/")

    release = page.locator("#release-date-form")
    release.get_by_label("New release date").fill("2099-01-01")
    release.get_by_role("button", name="Change the release date").click()
    page.wait_for_url(re.compile(r"/release-date/$"))
    error = page.locator("#id_release-release_date_errors")
    expect(error).to_contain_text("The release date can be at most 2 years after submission")
    _assert_in_view(page, error)
    expect(page.locator("#id_release-release_date")).to_be_focused()
    _shot(page, output_path, "owner_error", screen)  # what the owner sees, not the whole page

    invite = page.locator("#collaborator-form")
    invite.get_by_label("Username or e-mail").fill(submitter.username)
    invite.get_by_role("button", name="Invite").click()
    error = page.locator("#id_collaborator-user_errors")
    expect(error).to_contain_text("The owner already sees the study.")
    _assert_in_view(page, error)
    expect(page.locator("#id_collaborator-user")).to_be_focused()

    page.locator("#release-now-form").get_by_label(re.compile("I understand")).check()
    page.locator("#release-now-form").get_by_role("button", name="Release now").click()
    page.wait_for_url(re.compile(rf"/studies/{study.accession}/#release-date$"))
    done = page.locator("#release-date").get_by_text(f"{study.accession} is released: it is public from now on.")
    _assert_in_view(page, done)
    _shot(page, output_path, "owner_released", screen)
