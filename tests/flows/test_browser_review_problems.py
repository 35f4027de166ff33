"""A submitter in a real browser sees every problem on the review step, before pressing Submit, each with its step."""

import pytest
from playwright.sync_api import expect

from submissions.services import submission_create_draft, submission_file_list_check
from tests.submissions.move_helpers import file_contents, ready_draft

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_p_move_on_submit_review_step_lists_every_problem_with_its_step_and_submit_waits(
    signed_in_page, live_server, submitter, output_path
):
    page = signed_in_page
    draft = submission_create_draft(owner=submitter, metadata={"title": "Half-done HeLa study"})
    submission_file_list_check(
        submission=draft, actor=submitter, name="list.tsv", content=b"Files\tchannel\nraw/cell_01.tif\tDAPI\n"
    )

    page.goto(f"{live_server.url}/submissions/{draft.pk}/review/")
    problems = page.locator("#submit-problems li")
    expect(problems).to_have_count(10)
    for text in (
        "Description: This field is needed to submit.",
        "Publication DOI: Give the DOI of the related publication",
        "Scope: Answer the clinical-scope form first.",
        "Acknowledgements: Make both acknowledgements before submitting.",
        "Release date: Choose a release date.",
        "File List: The File List names files that are not in the submission: raw/cell_01.tif",
        "Files: Choose at least one file.",
    ):
        expect(problems.filter(has_text=text)).to_have_count(1)
    submit = page.get_by_role("button", name="Submit", exact=True)
    expect(submit).to_be_disabled()
    expect(page.locator("#submit-blocked")).to_have_text("Fix the 10 problems listed above to submit.")
    page.screenshot(path=f"{output_path}/review-problems.png", full_page=True)

    page.get_by_role("link", name="Fix it (Scope)").click()
    expect(page.get_by_role("heading", name="Step 3: Scope")).to_be_visible()

    ready, _ = ready_draft(submitter, file_contents(1))
    page.goto(f"{live_server.url}/submissions/{ready.pk}/review/")
    expect(page.locator("#submit-problems")).to_have_count(0)
    expect(page.get_by_role("button", name="Submit", exact=True)).to_be_enabled()
    page.screenshot(path=f"{output_path}/review-ready.png", full_page=True)
