"""The owner shares a confidential study with an anonymous reviewer, in a real browser, from the accession page."""

import re

import pytest
from playwright.sync_api import expect

from archive.models import ReviewerLink
from tests.factories import make_study

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def owner_page(signed_in_page, live_server):
    page = signed_in_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    return page


def test_owner_makes_an_anonymised_reviewer_link_and_a_reviewer_opens_it(
    owner_page, live_server, submitter, browser, output_path
):
    page, shots = owner_page, output_path
    study = make_study(owner=submitter, status="confidential", title="Mitochondrial fission in live HeLa cells")

    page.goto(f"{live_server.url}/studies/{study.accession}/")
    expect(page.get_by_role("heading", name="Reviewer links")).to_be_visible()
    expect(page.get_by_text("No reviewer links yet.")).to_be_visible()
    page.screenshot(path=f"{shots}/1-owner-tools.png", full_page=True)

    page.get_by_label("Hide author names (for anonymous review)").check()
    page.get_by_role("button", name="Create a reviewer link").click()
    page.wait_for_url(re.compile(rf"/studies/{study.accession}/#reviewer-links$"))
    expect(page.get_by_text("it will not be shown again")).to_be_visible()
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    url = page.evaluate("navigator.clipboard.readText()")
    assert re.fullmatch(rf"{re.escape(live_server.url)}/review/[A-Za-z0-9_-]{{40,}}/", url)
    assert page.get_by_label("New reviewer link").input_value() == url
    page.locator("#reviewer-links").screenshot(path=f"{shots}/2-link-created.png")
    page.screenshot(path=f"{shots}/2-link-created-page.png", full_page=True)

    reviewer = browser.new_context()
    try:
        review = reviewer.new_page()
        assert review.goto(url).status == 200
        expect(review.get_by_role("heading", name="Mitochondrial fission in live HeLa cells")).to_be_visible()
        expect(review.get_by_text("Authors are hidden for anonymous review.")).to_be_visible()
        assert review.get_by_text("Ada Lovelace").count() == 0
        assert review.get_by_text("Rosalind Franklin").count() == 0
        review.screenshot(path=f"{shots}/3-reviewer-view.png", full_page=True)
    finally:
        reviewer.close()

    # The owner's page no longer shows the URL, but counts the reviewer's visit; revoking stops the link.
    page.reload()
    assert page.get_by_label("New reviewer link").count() == 0
    expect(page.get_by_text("Opened 1 time")).to_be_visible()
    page.get_by_role("button", name=re.compile("^Revoke")).click()
    expect(page.get_by_text("The reviewer link is revoked")).to_be_visible()
    page.locator("#reviewer-links").screenshot(path=f"{shots}/4-link-revoked.png")
    assert ReviewerLink.objects.get(study=study).revoked_at is not None
    fresh = browser.new_context()
    try:
        assert fresh.new_page().goto(url).status == 404
    finally:
        fresh.close()


def test_p_release_date_refused_on_the_page_then_released_now(owner_page, live_server, submitter, output_path):
    page, shots = owner_page, output_path
    study = make_study(owner=submitter, status="confidential")
    page.goto(f"{live_server.url}/studies/{study.accession}/")
    section = page.locator("#release-date")
    expect(section.get_by_label("New release date")).to_have_value(study.release_date.isoformat())

    section.get_by_label("New release date").fill("2099-01-01")
    section.get_by_role("button", name="Change the release date").click()
    expect(section.get_by_text("The release date can be at most 2 years after submission")).to_be_visible()
    section.screenshot(path=f"{shots}/1-release-date-refused.png")
    study.refresh_from_db()
    assert study.status == "confidential"

    section.get_by_label("I understand that the study becomes public at once").check()
    section.get_by_role("button", name="Release now").click()
    expect(page.get_by_text(f"{study.accession} is released: it is public from now on.")).to_be_visible()
    expect(section.get_by_text("is fixed")).to_be_visible()
    page.screenshot(path=f"{shots}/2-released.png", full_page=True)
    study.refresh_from_db()
    assert study.status == "released"
