"""The files step of an upload area of 1,000 top folders in a real browser (issue 13 point 6): one page of folders,
a labelled pager used from the keyboard, a folder opened to its subfolders, and a whole folder chosen."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from submissions.services import submission_create_draft
from tests.flows.shots import shot
from tests.submissions.move_helpers import uploads_bulk_add

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_p_move_on_submit_files_step_pages_1000_folders_and_chooses_one_whole(
    signed_in_page, live_server, submitter, output_path
):
    page = signed_in_page
    draft = submission_create_draft(owner=submitter, metadata={"title": "Many plates"})
    uploads_bulk_add(submitter, 0, 2_000, path=lambda i: f"plate{i % 1000:04d}/well{i // 1000}/img{i:05d}.tif")
    page.goto(live_server.url + reverse("submissions:step", args=[draft.pk, "files"]))

    folders = page.locator('input[name="folders"]')
    expect(folders).to_have_count(100)
    pager = page.get_by_role("navigation", name="Pages of folders")
    expect(pager).to_contain_text("Page 1 of 10")
    pager.get_by_role("link", name="Next").focus()
    page.keyboard.press("Enter")
    expect(pager).to_contain_text("Page 2 of 10")
    expect(folders.first).to_have_value("plate0100")
    shot(page, output_path, "files-step-folders-page-2")

    page.get_by_role("link", name="Open plate0100/").click()
    expect(page.get_by_role("navigation", name="Folder shown")).to_contain_text("plate0100")
    expect(folders).to_have_count(3)  # the folder itself and its two subfolders
    page.locator('input[name="folders"][value="plate0100"]').check()
    expect(page.locator("input.file-box:checked")).to_have_count(2)  # the folder ticks its files shown
    shot(page, output_path, "files-step-folder-opened")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#chosen-total")).to_contain_text("Chosen: 2 files")
    chosen = sorted(draft.files.values_list("path", flat=True))
    assert chosen == ["plate0100/well0/img00100.tif", "plate0100/well1/img01100.tif"]
