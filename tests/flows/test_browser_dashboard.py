"""A curator in a real browser opens the dashboard from the admin index, then decides a submission in review."""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from submissions.models import SubmissionState
from tests.curation.review_helpers import in_review_for_dicom, in_review_for_scope, submitted
from tests.factories import make_study, stored_file
from uploads.services.upload import upload_file_put

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def curator_page(page, sign_in, curator):
    sign_in(page, curator)
    page.set_viewport_size({"width": 1400, "height": 900})
    return page


@pytest.fixture
def busy_archive(submitter, other_user):
    """Half a year of studies and submissions, a review queue and upload files close to their deletion."""
    now = timezone.now()
    for months_ago in range(6, 0, -1):
        with time_machine.travel(now - datetime.timedelta(days=30 * months_ago), tick=False):
            for i in range(months_ago % 3 + 1):
                make_study(files=[stored_file(f"m{months_ago}/{i}.tif", bytes([months_ago, i]) * 4000 * months_ago)])
            submitted(submitter, title=f"Study {months_ago}", contents={f"s{months_ago}.tif": b"s" * 1000})
    with time_machine.travel(now - datetime.timedelta(days=40), tick=False):
        in_review_for_dicom(submitter)
    with time_machine.travel(now - datetime.timedelta(days=3), tick=False):
        scope_entry = in_review_for_scope(submitter)
    for days in (80, 85, 88):
        with time_machine.travel(now - datetime.timedelta(days=days), tick=False):
            upload_file_put(owner=other_user, relative_path=f"old/{days}.tif", content=b"o" * days * 100)
    return scope_entry


def test_curator_opens_the_dashboard_from_the_admin_and_decides_a_review(
    curator_page, live_server, busy_archive, output_path
):
    page = curator_page
    page.goto(live_server.url + "/admin/")
    page.screenshot(path=f"{output_path}/1-admin-index.png", full_page=True)
    page.get_by_role("link", name="Curator dashboard").click()
    page.wait_for_url(re.compile(r"/curation/dashboard/$"))
    expect(page.get_by_role("heading", name="Curator dashboard")).to_be_visible()
    # Chart.js draws into each canvas; wait until every chart exists before the screenshot.
    page.wait_for_function("() => document.querySelectorAll('canvas').length === Object.keys(Chart.instances).length")
    expect(page.get_by_text("No fixity checks yet.")).to_be_visible()
    page.screenshot(path=f"{output_path}/2-dashboard.png", full_page=True)

    page.get_by_role("link", name=re.compile("submissions waiting")).click()
    page.wait_for_url(re.compile(r"/curation/review/$"))
    page.screenshot(path=f"{output_path}/3-review-queue.png", full_page=True)
    titles = page.locator("tbody tr td:first-child").all_inner_texts()
    assert [t.split(": ", 1)[1] for t in titles] == ["Confocal slices in DICOM", "Patient-derived organoids"]

    page.get_by_role("link", name=re.compile("Patient-derived organoids")).click()
    page.screenshot(path=f"{output_path}/4-review-entry.png", full_page=True)
    page.get_by_label("Reason").select_option(label="Identifiable human data: consent for publication not demonstrated")
    page.get_by_label("Message", exact=False).last.fill("Consent forms are not enough for publication.")
    page.get_by_role("button", name="Refuse").click()
    page.wait_for_url(re.compile(r"/curation/review/$"))
    expect(page.get_by_text("refused")).to_be_visible()
    page.screenshot(path=f"{output_path}/5-after-refusal.png", full_page=True)
    busy_archive.refresh_from_db()
    assert busy_archive.state == SubmissionState.REFUSED


def test_proposer_proposes_a_project_and_a_curator_scores_and_decides_it(
    curator_page, live_server, sign_in, submitter, browser, output_path
):
    proposer = sign_in(browser.new_page(viewport={"width": 1200, "height": 900}), submitter)
    proposer.goto(live_server.url + "/projects/")
    proposer.screenshot(path=f"{output_path}/1-no-projects.png", full_page=True)
    proposer.get_by_role("link", name="Propose a project").click()
    proposer.get_by_label("Project name").fill("Fly brain atlas")
    proposer.get_by_label("Description").fill("A reference atlas of the adult fly brain at synaptic resolution.")
    proposer.get_by_label(re.compile("Lasting reuse")).check()
    proposer.get_by_label("Expected volume (GB)").fill("4000")
    proposer.get_by_label("Expected number of datasets").fill("12")
    proposer.get_by_label("Expected number of images").fill("250000")
    proposer.get_by_label("Timeline").fill("First datasets in spring, the rest over two years.")
    proposer.get_by_label("Funding status").fill("Five-year grant, secured.")
    proposer.screenshot(path=f"{output_path}/2-proposal-form.png", full_page=True)
    proposer.get_by_role("button", name="Send the proposal").click()
    proposer.wait_for_url(re.compile(r"/projects/\d+/$"))
    expect(proposer.get_by_text("Proposed, waiting for a decision").first).to_be_visible()
    proposer.screenshot(path=f"{output_path}/3-proposal-status.png", full_page=True)
    project_url = proposer.url

    curator = curator_page
    curator.goto(live_server.url + "/admin/")
    curator.get_by_role("link", name="Structured projects").click()
    curator.get_by_role("link", name="Score and decide").click()
    for name, score in (("Volume", "4"), ("Curation", "2"), ("Metadata work", "3"), ("Funding", "1"), ("Impact", "5")):
        curator.get_by_label(re.compile(f"^{name}:?$")).select_option(score)
    curator.get_by_role("button", name="Save the scores").click()
    expect(curator.get_by_text("+2.50")).to_be_visible()
    curator.get_by_label(re.compile("Accepted subject to dedicated funding")).check()
    curator.get_by_label("Note").fill("Welcome, once the storage grant is confirmed.")
    curator.screenshot(path=f"{output_path}/4-score-and-decide.png", full_page=True)
    curator.get_by_role("button", name="Save the decision").click()
    expect(curator.get_by_text("Decision saved")).to_be_visible()

    proposer.goto(project_url)
    expect(proposer.get_by_text("Welcome, once the storage grant is confirmed.")).to_be_visible()
    proposer.screenshot(path=f"{output_path}/5-decided.png", full_page=True)
