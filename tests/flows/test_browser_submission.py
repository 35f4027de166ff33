"""A submitter in a real browser: upload a folder, fill the wizard, submit, watch the move, share with a reviewer."""

import datetime
import os
import re

import pytest
from django.conf import settings
from django.utils import timezone
from django_q.conf import Conf
from playwright.sync_api import expect

from archive.models import Study
from submissions import scope
from submissions.models import Submission, SubmissionState
from submissions.services import submission_create_draft, submission_files_move, submission_submit
from tests.submissions.move_helpers import ready_draft
from uploads.models import UploadFile
from uploads.services.upload import upload_file_put

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOLDER_FILES = {
    "experiment/plate1/A01.tif": 60_000,
    "experiment/plate1/A02.tif": 80_000,
    "experiment/notes.txt": 1_000,
}
FILE_LIST = "Files\tchannel\twell\nplate1/A01.tif\tDAPI\tA01\nplate1/A02.tif\tGFP\tA02\n"


def _continue(page):
    page.get_by_role("button", name="Save and continue →").click()


def test_submitter_uploads_a_folder_submits_it_and_shares_the_study_with_a_reviewer(
    signed_in_page, live_server, submitter, tmp_path, output_path, browser
):
    page, shots = signed_in_page, output_path
    local = tmp_path / "local"
    for relative, size in FOLDER_FILES.items():
        (local / relative).parent.mkdir(parents=True, exist_ok=True)
        (local / relative).write_bytes(os.urandom(size))
    file_list = tmp_path / "file-list.tsv"
    # Paths in the File List are as the upload area stores them, folder included.
    file_list.write_text(FILE_LIST.replace("plate1/", "experiment/plate1/"))

    page.goto(live_server.url + "/uploads/")
    page.locator("#uppy-dashboard input[type=file][webkitdirectory]").set_input_files(local / "experiment")
    page.get_by_role("button", name=f"Upload {len(FOLDER_FILES)} files").click()
    expect(page.locator("#upload-status")).to_contain_text(f"{len(FOLDER_FILES)} files uploaded", timeout=30_000)
    assert UploadFile.objects.filter(area__owner=submitter).count() == len(FOLDER_FILES)

    page.get_by_role("link", name="Submissions", exact=True).click()
    expect(page.get_by_text("You have no submissions yet.")).to_be_visible()
    page.screenshot(path=f"{shots}/1-submissions-empty.png", full_page=True)
    page.get_by_role("button", name="New submission").click()

    # Step 1: the study's metadata.
    expect(page.get_by_role("heading", name="Step 1: Study details")).to_be_visible()
    page.get_by_label("Title").fill("Mitochondrial fission in live HeLa cells")
    page.get_by_label("Description").fill("Confocal time-lapse of mitochondria in HeLa cells, two plates of wells.")
    page.get_by_label("Keywords").fill("mitochondria, live imaging")
    page.get_by_label("Author 1: name").fill("Ada Lovelace")
    page.get_by_label("Author 1: affiliation").fill("EMBL-EBI")
    page.get_by_label("Author 1: ORCID iD").fill("0000-0002-1825-0098")  # a wrong check digit first
    page.get_by_label("Organism", exact=True).fill("Homo sapiens")
    page.get_by_label("NCBI Taxonomy id").fill("9606")
    page.get_by_label("Imaging method", exact=True).fill("confocal microscopy")
    page.get_by_label("FBbi id").fill("FBbi:00000251")
    page.get_by_label("Publication DOI").fill("10.1038/s41592-021-01234-5")
    page.get_by_label("Biosample").fill("HeLa cells, wild type")
    _continue(page)
    expect(page.locator("#authors-errors")).to_contain_text("Author 1 (Ada Lovelace)")
    expect(page.get_by_label("Title")).to_have_value(
        "Mitochondrial fission in live HeLa cells"
    )  # nothing typed is lost
    page.screenshot(path=f"{shots}/2-step-metadata-error.png", full_page=True)
    page.get_by_label("Author 1: ORCID iD").fill("0000-0002-1825-0097")
    page.screenshot(path=f"{shots}/2-step-metadata.png", full_page=True)
    _continue(page)

    # Step 2: a whole folder and a File List.
    expect(page.get_by_role("heading", name="Step 2: Files")).to_be_visible()
    page.locator('input[name="folders"][value="experiment"]').check()
    expect(page.locator("input.file-box:checked")).to_have_count(len(FOLDER_FILES))  # the folder ticks its files
    page.get_by_label("File List (optional)").set_input_files(file_list)
    _continue(page)
    expect(page.locator("#file-list-report")).to_contain_text("channel, well")
    expect(page.locator("#file-list-report")).to_contain_text("experiment/notes.txt")  # a file without a row
    expect(page.get_by_text(f"Chosen: {len(FOLDER_FILES)} files")).to_be_visible()
    page.screenshot(path=f"{shots}/3-step-files.png", full_page=True)
    _continue(page)

    # Step 3: the scope form; "no human material" answers the questions about people.
    expect(page.get_by_role("heading", name="Step 3: Scope")).to_be_visible()
    page.locator('input[name="human_material"][value="no"]').check()
    expect(page.locator('input[name="publication_consent"][value="not_applicable"]')).to_be_checked()
    page.locator('input[name="primary_medical_use"][value="no"]').check()
    page.locator('input[name="public_release_consent"][value="yes"]').check()
    page.screenshot(path=f"{shots}/4-step-scope.png", full_page=True)
    _continue(page)

    # Step 4: both acknowledgements; the licence is shown, not chosen.
    expect(page.get_by_role("heading", name="Step 4: Agreements")).to_be_visible()
    expect(page.get_by_text("CC0-1.0", exact=True)).to_be_visible()
    page.get_by_label(re.compile("disclosed to the public")).check()
    page.get_by_label(re.compile("right to submit")).check()
    page.screenshot(path=f"{shots}/5-step-agreements.png", full_page=True)
    _continue(page)

    # Step 5: a release date a month ahead, so the study stays confidential and can be shared with a reviewer.
    expect(page.get_by_role("heading", name="Step 5: Release date")).to_be_visible()
    release = timezone.localdate() + datetime.timedelta(days=30)
    page.get_by_label(re.compile("^On a date")).check()
    page.get_by_label("Release date").fill(release.isoformat())
    page.screenshot(path=f"{shots}/6-step-release.png", full_page=True)
    _continue(page)

    # Step 6: review, then submit.
    expect(page.get_by_role("heading", name="Step 6: Review and submit")).to_be_visible()
    expect(page.get_by_text("gets its accession at once")).to_be_visible()
    expect(page.get_by_text("No DICOM file with patient-identifying attributes was found.")).to_be_visible()
    page.screenshot(path=f"{shots}/7-step-review.png", full_page=True)
    page.get_by_role("button", name="Submit").click()

    # The status page: the accession and the move's progress (tests run the move at once).
    page.wait_for_url(re.compile(r"/submissions/\d+/$"))
    submission = Submission.objects.get(owner=submitter)
    study = Study.objects.get(owner=submitter)
    assert submission.state == SubmissionState.ACCEPTED and submission.accession == study.accession
    expect(page.locator("#accession")).to_have_text(study.accession)
    expect(page.locator("#move-text")).to_contain_text(f"{len(FOLDER_FILES)} of {len(FOLDER_FILES)} files")
    page.screenshot(path=f"{shots}/8-status.png", full_page=True)
    assert UploadFile.objects.filter(area__owner=submitter).count() == 0  # moved, not copied

    page.get_by_role("link", name=f"Open {study.accession}").click()
    page.wait_for_url(re.compile(rf"/studies/{study.accession}/$"))
    expect(page.get_by_role("heading", name="Mitochondrial fission in live HeLa cells")).to_be_visible()
    expect(page.get_by_text(re.compile("Confidential until"))).to_be_visible()
    expect(page.get_by_role("button", name="Start a new version")).to_be_visible()
    page.screenshot(path=f"{shots}/9-study-as-owner.png", full_page=True)

    # A reviewer link, made by the owner's session through the API, opened in a fresh context with no login.
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == settings.CSRF_COOKIE_NAME)
    made = page.request.post(
        f"{live_server.url}/api/v1/studies/{study.accession}/reviewer-links/",
        data={"anonymised": True},
        headers={"X-CSRFToken": csrf, "Referer": live_server.url + "/"},
    )
    assert made.status == 201, made.text()
    reviewer = browser.new_context()
    try:
        review = reviewer.new_page()
        review.goto(made.json()["url"])
        expect(review.get_by_role("heading", name="Mitochondrial fission in live HeLa cells")).to_be_visible()
        expect(review.get_by_text("You are viewing a confidential study through a reviewer link")).to_be_visible()
        assert review.get_by_text("Ada Lovelace").count() == 0  # anonymised
        review.screenshot(path=f"{shots}/10-reviewer-link.png", full_page=True)
        assert review.goto(f"{live_server.url}/studies/{study.accession}/").status == 404  # the link opens only itself
    finally:
        reviewer.close()


def test_p_scope_refusal_in_the_browser_points_to_the_ega(signed_in_page, live_server, submitter, output_path):
    page = signed_in_page
    draft = submission_create_draft(owner=submitter, metadata={"title": "Diagnostic CT scans"})
    page.goto(f"{live_server.url}/submissions/{draft.pk}/scope/")
    page.locator('input[name="human_material"][value="yes"]').check()
    page.locator('input[name="primary_medical_use"][value="yes"]').check()
    for question in ("identifiable_individual", "identifying_phenotypic_data", "publication_consent"):
        page.locator(f'input[name="{question}"][value="no"]').check()
    page.locator('input[name="public_release_consent"][value="yes"]').check()
    expect(page.locator("#scope-refusal-hint")).to_be_visible()  # said at once, refused only when confirmed
    _continue(page)
    expect(page.locator("#scope-refusal-confirm")).to_contain_text("Nothing is recorded yet")
    page.get_by_role("button", name="Close the submission as refused").click()
    refusal = page.locator("#scope-refusal")
    expect(refusal).to_contain_text("outside the archive's scope")
    expect(refusal.get_by_role("link", name=scope.EGA_URL)).to_be_visible()
    page.screenshot(path=f"{output_path}/scope-refused.png", full_page=True)
    draft.refresh_from_db()
    assert draft.state == SubmissionState.REFUSED


def test_status_page_follows_the_move_until_the_study_is_ready(
    signed_in_page, live_server, submitter, output_path, monkeypatch
):
    """The move is left queued (no cluster runs here) so that the page shows it unfinished, then polls to the end."""
    monkeypatch.setattr(Conf, "SYNC", False)
    page = signed_in_page
    submission, _ = ready_draft(submitter, {"images/a.tif": b"a" * 5000, "images/b.tif": b"b" * 3000})
    submission = submission_submit(submission=submission, actor=submitter)
    page.goto(f"{live_server.url}/submissions/{submission.pk}/")
    expect(page.locator("#accession")).to_have_text(submission.accession)
    expect(page.locator("#move-text")).to_contain_text("0 of 2 files")
    expect(page.get_by_role("link", name=f"Open {submission.accession}")).to_be_hidden()
    page.screenshot(path=f"{output_path}/status-moving.png", full_page=True)
    submission_files_move(submission_id=submission.pk)
    expect(page.locator("#move-text")).to_contain_text("2 of 2 files", timeout=10_000)
    expect(page.locator("#state-badge")).to_have_text("Accepted")
    page.get_by_role("link", name=f"Open {submission.accession}").click()
    page.wait_for_url(re.compile(rf"/studies/{submission.accession}/$"))
    page.screenshot(path=f"{output_path}/status-moved-study.png", full_page=True)
    submission_create_draft(owner=submitter, metadata={"title": "Zebrafish fin regeneration"})
    page.get_by_role("link", name="Submissions", exact=True).click()
    expect(page.get_by_role("row", name=re.compile("Zebrafish fin regeneration"))).to_contain_text("Resume")
    expect(page.get_by_role("link", name=submission.accession)).to_be_visible()
    page.screenshot(path=f"{output_path}/submissions-list.png", full_page=True)


def test_files_step_keeps_ticks_when_changing_page(signed_in_page, live_server, submitter, output_path):
    """Ticks made on one page of a long upload list are saved before the next page opens."""
    for number in range(120):
        upload_file_put(owner=submitter, relative_path=f"screen/well_{number:03}.tif", content=b"x" * (number + 1))
    draft = submission_create_draft(owner=submitter, metadata={"title": "A screen"})
    page = signed_in_page
    page.goto(f"{live_server.url}/submissions/{draft.pk}/files/")
    page.get_by_label("screen/well_000.tif").check()
    page.get_by_label("screen/well_001.tif").check()
    page.get_by_role("navigation", name="Pages of files").get_by_role("link", name="Next").focus()
    page.keyboard.press("Enter")  # the keyset pager's links work from the keyboard
    page.wait_for_url(re.compile(r"after=screen%2Fwell_099.tif"))
    expect(page.get_by_text("Chosen: 2 files")).to_be_visible()
    page.get_by_label("screen/well_119.tif").check()
    page.screenshot(path=f"{output_path}/files-page-2.png", full_page=True)
    _continue(page)
    page.wait_for_url(re.compile(r"/scope/$"))
    assert sorted(draft.files.values_list("path", flat=True)) == [
        "screen/well_000.tif",
        "screen/well_001.tif",
        "screen/well_119.tif",
    ]
