"""The metadata step in a real browser: authors added and removed in the page, with the keyboard, then saved;
without JavaScript the same buttons work through the server."""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.services import profile_update
from submissions.models import Submission
from submissions.services import submission_create_draft
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")


def _shot(page, output_path, name: str) -> None:
    path = Path(output_path) / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(path, SHOTS / f"{name}.png")


def _author(page, label: str):
    """The input labelled `label` among the rows shown (a removed row stays in the form, hidden and ticked)."""
    return page.locator("tr.author-row:visible").get_by_label(label)


@pytest.fixture
def ada(db):
    user = UserFactory(username="ada", first_name="Ada", last_name="Lovelace")
    profile_update(actor=user, orcid="0000-0002-1825-0097", affiliation="EMBL-EBI")
    return user


def test_authors_are_added_and_removed_without_a_page_load_then_saved(live_server, page, sign_in, ada, output_path):
    sign_in(page, ada)
    draft = submission_create_draft(owner=ada, metadata={"title": "Mitochondria in motion"})
    page.goto(f"{live_server.url}/submissions/{draft.pk}/metadata/")
    # The first author is offered from the profile.
    expect(page.get_by_label("Author 1: name")).to_have_value("Ada Lovelace")
    expect(page.get_by_label("Author 1: ORCID iD")).to_have_value("0000-0002-1825-0097")
    expect(page.get_by_label("Title")).to_have_attribute("aria-required", "true")
    _shot(page, output_path, "metadata_prefilled")
    loads = []
    page.on("framenavigated", lambda frame: loads.append(frame.url) if frame == page.main_frame else None)

    add = page.get_by_role("button", name="Add another author")
    page.get_by_label("Author 2: name").fill("Alan Turing")  # the empty row the page starts with
    add.click()
    expect(page.get_by_label("Author 3: name")).to_be_focused()
    page.keyboard.type("Grace Hopper")
    add.focus()
    page.keyboard.press("Enter")  # the keyboard works the button too
    expect(page.get_by_label("Author 4: name")).to_be_focused()
    page.keyboard.type("Katherine Johnson")
    expect(page.locator("#authors-status")).to_have_text("Author 4 added.")
    _shot(page, output_path, "metadata_authors_added")

    page.get_by_role("button", name="Remove author 2").click()
    expect(page.locator("#authors-status")).to_have_text("Author 2 removed.")
    # The rows after it move up one place, and the focus goes to the row that took its place.
    expect(_author(page, "Author 2: name")).to_have_value("Grace Hopper")
    expect(_author(page, "Author 2: name")).to_be_focused()
    expect(_author(page, "Author 3: name")).to_have_value("Katherine Johnson")
    _shot(page, output_path, "metadata_author_removed")
    assert loads == []  # none of it went to the server

    page.get_by_role("button", name="Save", exact=True).click()
    message = page.get_by_role("status").filter(has_text="Study details saved.")
    expect(message).to_contain_text("Still needed to submit: Description, Organism, Imaging method, Publication DOI.")
    expect(message.get_by_role("link", name="See everything still missing")).to_have_attribute(
        "href", f"/submissions/{draft.pk}/review/"
    )
    _shot(page, output_path, "metadata_saved")

    page.reload()
    names = [page.get_by_label(f"Author {n}: name").input_value() for n in (1, 2, 3)]
    assert names == ["Ada Lovelace", "Grace Hopper", "Katherine Johnson"]
    expect(page.get_by_label("Author 4: name")).to_have_value("")
    draft.refresh_from_db()
    assert [a["name"] for a in draft.metadata["authors"]] == names
    assert draft.metadata["authors"][0]["orcid"] == "0000-0002-1825-0097"
    page.set_viewport_size({"width": 390, "height": 844})
    _shot(page, output_path, "metadata_mobile")


def test_enter_in_a_field_saves_the_step_rather_than_adding_an_author(live_server, page, sign_in, ada):
    sign_in(page, ada)
    draft = submission_create_draft(owner=ada, metadata={})
    page.goto(f"{live_server.url}/submissions/{draft.pk}/metadata/")

    page.get_by_label("Title").fill("Organoids in time")
    page.get_by_label("Title").press("Enter")

    expect(page.get_by_role("status").filter(has_text="Study details saved.")).to_be_visible()
    assert Submission.objects.get(pk=draft.pk).metadata["title"] == "Organoids in time"
    expect(page.locator("tr.author-row:not([hidden])")).to_have_count(2)


def test_without_javascript_add_another_author_saves_and_remove_is_a_checkbox(
    live_server, browser, sign_in, ada, output_path
):
    context = browser.new_context(java_script_enabled=False)
    page = sign_in(context.new_page(), ada)
    draft = submission_create_draft(owner=ada, metadata={"title": "Mitochondria in motion"})
    page.goto(f"{live_server.url}/submissions/{draft.pk}/metadata/")

    page.get_by_label("Author 2: name").fill("Alan Turing")
    page.get_by_role("button", name="Add another author").click()
    page.wait_for_url(f"**/submissions/{draft.pk}/metadata/?add=author")
    expect(page.get_by_role("status").filter(has_text="Study details saved.")).to_be_visible()
    expect(page.get_by_label("Author 3: name")).to_be_focused()
    page.keyboard.type("Grace Hopper")
    page.get_by_label("Remove author 1").check()
    _shot(page, output_path, "metadata_no_js")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_label("Author 1: name")).to_have_value("Alan Turing")
    draft.refresh_from_db()
    assert [a["name"] for a in draft.metadata["authors"]] == ["Alan Turing", "Grace Hopper"]
    context.close()
