"""The submission wizard (issue #5 point 1): each step saves, validates through the services, is the owner's."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from archive.models import Study
from curation.review.services import submission_changes_request
from submissions import scope
from submissions.models import (
    DisclosureAcknowledgement,
    ProjectProposal,
    ProjectState,
    ScopeCertification,
    Submission,
    SubmissionState,
)
from submissions.services import (
    submission_acknowledge,
    submission_certify_scope,
    submission_create_draft,
    submission_file_list_check,
    submission_files_set,
    submission_metadata_update,
    submission_submit,
)
from tests.curation.review_helpers import dicom_bytes
from tests.factories import study_metadata
from tests.submissions.move_helpers import ACCEPTED_ANSWERS, ready_draft
from uploads.services.upload import upload_file_put

pytestmark = pytest.mark.django_db

STEPS = ("metadata", "files", "scope", "agreements", "release", "review")


def step_url(submission, step: str) -> str:
    return reverse("submissions:step", args=[submission.pk, step])


@pytest.fixture
def draft(submitter):
    return submission_create_draft(owner=submitter, metadata={"title": "Draft study"})


def _metadata_post(**overrides) -> dict:
    data = {
        "title": "Mitochondria in motion",
        "description": "Live-cell confocal time-lapse.",
        "organism": "Homo sapiens",
        "organism_taxon_id": "9606",
        "imaging_method": "confocal microscopy",
        "imaging_method_fbbi_id": "FBbi:00000251",
        "keywords": "mitochondria, live imaging",
        "funding": "Wellcome 123",
        "publication_doi": "10.1038/s41592-021-01234-5",
        "no_publication_reason": "",
        "biosample": "HeLa cells",
        "specimen": "Live, unstained",
        "image_acquisition": "Zeiss LSM 980, 63x",
        "authors-TOTAL_FORMS": "2",
        "authors-INITIAL_FORMS": "0",
        "authors-0-name": "Ada Lovelace",
        "authors-0-affiliation": "EMBL-EBI",
        "authors-0-orcid": "0000-0002-1825-0097",
        "authors-1-name": "",
        "go": "next",
    }
    data.update(overrides)
    return data


# --- the list, a new draft, and who may open them ------------------------------------


def test_list_needs_login_and_shows_only_own_submissions(anonymous_client, submitter_client, submitter, other_user):
    response = anonymous_client.get("/submissions/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    submission_create_draft(owner=submitter, metadata={"title": "My own draft"})
    submission_create_draft(owner=other_user, metadata={"title": "Someone else's draft"})
    page = submitter_client.get("/submissions/").content.decode()
    assert "My own draft" in page and "Someone else" not in page and "New submission" in page


def test_new_submission_creates_a_draft_and_opens_the_first_step(submitter_client, submitter):
    response = submitter_client.post("/submissions/new/")
    submission = Submission.objects.get(owner=submitter)
    assert submission.state == SubmissionState.DRAFT
    assert response.status_code == 302 and response["Location"] == step_url(submission, "metadata")


def test_other_users_get_404_on_every_page_of_a_submission(other_client, draft):
    urls = [step_url(draft, step) for step in STEPS] + [
        f"/submissions/{draft.pk}/",
        f"/submissions/{draft.pk}/progress/",
    ]
    for url in urls:
        assert other_client.get(url).status_code == 404, url
        assert other_client.post(url, {"title": "Hijacked"}).status_code in (404, 405), url
    draft.refresh_from_db()
    assert draft.metadata == {"title": "Draft study"}


def test_unknown_step_is_404(submitter_client, draft):
    assert submitter_client.get(step_url(draft, "payment")).status_code == 404


# --- step 1: metadata ------------------------------------------------------------------


def test_metadata_step_saves_every_field_and_goes_to_files(submitter_client, draft):
    response = submitter_client.post(step_url(draft, "metadata"), _metadata_post())
    assert response.status_code == 302 and response["Location"] == step_url(draft, "files")
    draft.refresh_from_db()
    assert draft.metadata["title"] == "Mitochondria in motion"
    assert draft.metadata["authors"] == [
        {"name": "Ada Lovelace", "affiliation": "EMBL-EBI", "orcid": "0000-0002-1825-0097"}
    ]
    assert draft.metadata["keywords"] == ["mitochondria", "live imaging"]
    assert draft.metadata["imaging_method_fbbi_id"] == "FBbi:00000251"
    page = submitter_client.get(step_url(draft, "metadata")).content.decode()
    assert 'value="Ada Lovelace"' in page and "mitochondria, live imaging" in page


def test_metadata_step_bad_input_shows_each_message_and_changes_nothing(submitter_client, draft):
    response = submitter_client.post(
        step_url(draft, "metadata"),
        _metadata_post(organism_taxon_id="human", **{"authors-0-orcid": "0000-0002-1825-0098"}),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter the NCBI Taxonomy id as digits" in page
    assert "Author 1 (Ada Lovelace)" in page  # the ORCID check digit, named by author
    assert "Nothing was saved" in page
    draft.refresh_from_db()
    assert draft.metadata == {"title": "Draft study"}


def test_metadata_step_removes_an_author_and_names_an_accepted_project(submitter_client, submitter, draft):
    submission_metadata_update(
        submission=draft,
        actor=submitter,
        metadata={"title": "T", "authors": [{"name": "Ada Lovelace"}, {"name": "Alan Turing"}]},
    )
    project = ProjectProposal.objects.create(
        proposer=submitter,
        name="Cell atlas",
        description="d",
        category="lasting_reuse",
        expected_volume_gb=1,
        expected_datasets=1,
        expected_images=1,
        timeline="2027",
        state=ProjectState.ACCEPTED,
        created_at=timezone.now(),
    )
    data = _metadata_post(
        project=str(project.pk),
        go="stay",
        **{
            "authors-TOTAL_FORMS": "3",
            "authors-INITIAL_FORMS": "2",
            "authors-0-name": "Ada Lovelace",
            "authors-0-orcid": "",
            "authors-1-name": "Alan Turing",
            "authors-1-DELETE": "on",
            "authors-2-name": "",
        },
    )
    response = submitter_client.post(step_url(draft, "metadata"), data)
    assert response.status_code == 302 and response["Location"] == step_url(draft, "metadata")
    draft.refresh_from_db()
    assert [a["name"] for a in draft.metadata["authors"]] == ["Ada Lovelace"]
    assert draft.project == project


# --- step 2: files -------------------------------------------------------------------


@pytest.fixture
def uploads(submitter):
    paths = ["exp/plate1/a.tif", "exp/plate1/b.tif", "exp/plate2/c.tif", "notes.txt"]
    return {path: upload_file_put(owner=submitter, relative_path=path, content=path.encode() * 10) for path in paths}


def test_files_step_lists_uploads_with_folders_sizes_and_totals(submitter_client, draft, uploads):
    page = submitter_client.get(step_url(draft, "files")).content.decode()
    for path in uploads:
        assert path in page
    assert _folders_shown(page) == ["exp"] and "3 files" in page  # the root's folders; a folder opens to its own
    assert "Chosen: 0 files" in page
    opened = submitter_client.get(step_url(draft, "files") + "?folder=exp").content.decode()
    assert _folders_shown(opened) == ["exp", "exp/plate1", "exp/plate2"] and "2 files" in opened


def _folders_shown(html: str) -> list[str]:
    return re.findall(r'name="folders" value="([^"]+)"', html)


def test_files_step_whole_folder_then_unticking_it_drops_its_files(submitter_client, draft, uploads):
    shown = [str(u.pk) for u in uploads.values()]
    folders = ["exp", "exp/plate1", "exp/plate2"]
    base = {"files_shown": shown, "folders_shown": folders, "go": "stay"}
    response = submitter_client.post(step_url(draft, "files"), {**base, "folders": ["exp/plate1"]})
    assert response.status_code == 302
    assert sorted(draft.files.values_list("path", flat=True)) == ["exp/plate1/a.tif", "exp/plate1/b.tif"]
    page = submitter_client.get(step_url(draft, "files") + "?folder=exp").content.decode()
    assert "Chosen: 2 files" in page
    # The page says which folders it showed wholly chosen, so that a save on the way to another page reads them.
    assert re.findall(r'name="folders_whole" value="([^"]+)"', page) == ["exp/plate1"]
    # The page now shows the folder's files ticked; unticking the folder drops them even so.
    plate1 = [str(uploads[p].pk) for p in ("exp/plate1/a.tif", "exp/plate1/b.tif")]
    submitter_client.post(
        step_url(draft, "files"),
        {**base, "folders_whole": ["exp/plate1"], "files": [*plate1, str(uploads["notes.txt"].pk)], "folders": []},
    )
    assert list(draft.files.values_list("path", flat=True)) == ["notes.txt"]


def test_files_step_keeps_files_chosen_on_other_pages(submitter_client, draft, uploads):
    notes, c = uploads["notes.txt"], uploads["exp/plate2/c.tif"]
    submitter_client.post(step_url(draft, "files"), {"files_shown": [notes.pk], "files": [notes.pk], "go": "stay"})
    # Another page (here: a folder filter) shows only c; notes stays chosen.
    response = submitter_client.post(
        step_url(draft, "files") + "?folder=exp/plate2", {"files_shown": [c.pk], "files": [c.pk], "go": "next"}
    )
    assert response["Location"] == step_url(draft, "scope")
    assert sorted(draft.files.values_list("path", flat=True)) == ["exp/plate2/c.tif", "notes.txt"]


def test_p_upload_private_files_step_refuses_another_users_upload_and_changes_nothing(
    submitter_client, draft, uploads, other_user
):
    theirs = upload_file_put(owner=other_user, relative_path="theirs.tif", content=b"secret")
    notes = uploads["notes.txt"]
    submitter_client.post(step_url(draft, "files"), {"files_shown": [notes.pk], "files": [notes.pk]})
    response = submitter_client.post(
        step_url(draft, "files"), {"files_shown": [theirs.pk, notes.pk], "files": [theirs.pk]}
    )
    assert response.status_code == 400
    assert "Choose files from your own upload area" in response.content.decode()
    assert list(draft.files.values_list("path", flat=True)) == ["notes.txt"]


def test_files_step_file_list_reports_missing_and_extra_rows(submitter_client, draft, uploads):
    chosen = [uploads["exp/plate1/a.tif"].pk, uploads["exp/plate1/b.tif"].pk]
    file_list = b"Files\tchannel\nexp/plate1/a.tif\tDAPI\nexp/plate9/z.tif\tGFP\n"
    response = submitter_client.post(
        step_url(draft, "files"),
        {
            "files_shown": chosen,
            "files": chosen,
            "file_list": SimpleUploadedFile("files.tsv", file_list),
            "go": "next",
        },
    )
    # It stays to report, at the report: rows naming files not chosen are a problem, not a success.
    assert response.status_code == 302 and response["Location"] == step_url(draft, "files") + "#file-list-report"
    page = submitter_client.get(step_url(draft, "files")).content.decode()
    assert "files.tsv" in page and "channel" in page
    assert "1 row names files that are not chosen" in page and "exp/plate9/z.tif" in page
    assert "1 chosen file has no row" in page and "exp/plate1/b.tif" in page
    assert draft.files.get(path="exp/plate1/a.tif").attributes == {"channel": "DAPI"}


def test_files_step_malformed_file_list_is_refused_and_the_file_choice_stays(submitter_client, draft, uploads):
    notes = uploads["notes.txt"]
    submitter_client.post(step_url(draft, "files"), {"files_shown": [notes.pk], "files": [notes.pk]})
    c = uploads["exp/plate2/c.tif"]
    response = submitter_client.post(
        step_url(draft, "files"),
        {"files_shown": [notes.pk, c.pk], "files": [c.pk], "file_list": SimpleUploadedFile("l.csv", b"Path,x\na,b\n")},
    )
    assert response.status_code == 400
    assert "needs a column headed" in response.content.decode()
    assert list(draft.files.values_list("path", flat=True)) == ["notes.txt"]  # the files did not change either
    assert draft.file_list == {}


# --- step 3: scope -------------------------------------------------------------------


def test_p_scope_accepted_answers_are_stored_then_shown_read_only(submitter_client, draft):
    response = submitter_client.post(step_url(draft, "scope"), {**ACCEPTED_ANSWERS, "go": "next"})
    assert response["Location"] == step_url(draft, "agreements")
    certification = ScopeCertification.objects.get(submission=draft)
    assert (certification.form_version, certification.answers) == (scope.SCOPE_FORM_VERSION, ACCEPTED_ANSWERS)
    page = submitter_client.get(step_url(draft, "scope")).content.decode()
    assert "Your answers (scope-v1, certification 1" in page and 'type="radio"' not in page
    assert 'href="?change=1"' in page
    # The read-only page's Continue moves on and records nothing.
    moved = submitter_client.post(step_url(draft, "scope"), {"go": "next"})
    assert moved["Location"] == step_url(draft, "agreements")
    assert ScopeCertification.objects.filter(submission=draft).count() == 1


def test_p_scope_recertifying_in_the_wizard_keeps_every_certification(submitter_client, draft):
    submitter_client.post(step_url(draft, "scope"), {**ACCEPTED_ANSWERS, "go": "next"})
    change = submitter_client.get(step_url(draft, "scope") + "?change=1").content.decode()
    assert "You are changing the answers of certification 1" in change
    assert re.search(r'name="human_material" value="no"[^>]*checked', change)  # starts from the answers in force
    cell_line = {
        **ACCEPTED_ANSWERS,
        "human_material": "yes",
        "identifiable_individual": "no",
        "identifying_phenotypic_data": "no",
    }
    response = submitter_client.post(step_url(draft, "scope"), {**cell_line, "go": "stay"})
    assert response.status_code == 302
    assert [(c.number, c.answers) for c in draft.scope_certifications.order_by("number")] == [
        (1, ACCEPTED_ANSWERS),
        (2, cell_line),
    ]
    page = submitter_client.get(step_url(draft, "scope")).content.decode()
    assert "certification 2" in page and "earlier certifications of this submission stay on record" in page


def test_p_scope_page_explains_the_policy(submitter_client, draft):
    page = submitter_client.get(step_url(draft, "scope")).content.decode()
    assert "Out of scope:" in page and "https://ega-archive.org/" in page
    for question in scope.QUESTIONS:
        assert f'name="{question.id}"' in page


def test_p_scope_refusal_asks_for_confirmation_first_and_records_nothing(submitter_client, draft):
    answers = {**ACCEPTED_ANSWERS, "public_release_consent": "no"}
    response = submitter_client.post(step_url(draft, "scope"), {**answers, "go": "next"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "These answers would close the submission as refused" in page and "Nothing is recorded yet" in page
    assert "European Genome-phenome Archive" in page and "https://ega-archive.org/" in page
    assert 'name="confirm_refusal" value="yes"' in page and 'name="revise"' in page
    assert '<input type="hidden" name="public_release_consent" value="no">' in page  # the answers go with it
    draft.refresh_from_db()
    assert draft.state == SubmissionState.DRAFT and not draft.scope_certifications.exists()
    # Going back shows the form with the answers given, still recording nothing.
    back = submitter_client.post(step_url(draft, "scope"), {**answers, "revise": "1"})
    assert back.status_code == 200
    assert re.search(r'name="public_release_consent" value="no"[^>]*checked', back.content.decode())
    assert not draft.scope_certifications.exists()


def test_p_scope_confirmed_refusal_shows_the_ega_pointer_and_closes_the_submission(submitter_client, draft):
    answers = {**ACCEPTED_ANSWERS, "primary_medical_use": "yes"}
    response = submitter_client.post(step_url(draft, "scope"), {**answers, "confirm_refusal": "yes"}, follow=True)
    page = response.content.decode()
    assert "This dataset cannot be accepted" in page and "?change=1" not in page
    assert "European Genome-phenome Archive" in page and "https://ega-archive.org/" in page
    draft.refresh_from_db()
    assert draft.state == SubmissionState.REFUSED
    assert draft.scope_certifications.get().outcome == "refused"
    assert submitter_client.get(step_url(draft, "metadata"))["Location"] == f"/submissions/{draft.pk}/"
    status = submitter_client.get(f"/submissions/{draft.pk}/").content.decode()
    assert "Refused" in status and "ega-archive.org" in status


def test_p_scope_inconsistent_answers_show_the_message_and_store_nothing(submitter_client, draft):
    response = submitter_client.post(step_url(draft, "scope"), {**ACCEPTED_ANSWERS, "identifiable_individual": "yes"})
    assert response.status_code == 400
    assert "concerns human data only" in response.content.decode()
    unanswered = submitter_client.post(step_url(draft, "scope"), {"human_material": "no"})
    assert unanswered.status_code == 400 and "This field is required" in unanswered.content.decode()
    assert not ScopeCertification.objects.filter(submission=draft).exists()


# --- step 4: agreements ----------------------------------------------------------------


def test_p_disclosure_both_boxes_are_needed(submitter_client, draft):
    page = submitter_client.get(step_url(draft, "agreements")).content.decode()
    assert "CC0-1.0" in page and 'name="licence"' not in page  # shown, not choosable (P-LICENCE)
    for data, message in (
        ({"right_to_submit": "on"}, "disclosed to the public"),
        ({"public_disclosure": "on"}, "right to submit"),
    ):
        response = submitter_client.post(step_url(draft, "agreements"), data)
        assert response.status_code == 400 and message in response.content.decode()
        assert not DisclosureAcknowledgement.objects.filter(submission=draft).exists()
    response = submitter_client.post(
        step_url(draft, "agreements"), {"public_disclosure": "on", "right_to_submit": "on", "go": "next"}
    )
    assert response["Location"] == step_url(draft, "release")
    assert DisclosureAcknowledgement.objects.get(submission=draft).right_to_submit
    assert "You made both acknowledgements" in submitter_client.get(step_url(draft, "agreements")).content.decode()


# --- step 5: release date ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"when": "on_submission"}, (0, "")),
        ({"when": "on_date", "release_date": "2029-11-25"}, (731, "")),  # exactly two years
        ({"when": "beyond", "release_date": "2030-01-01", "reason": "Patent pending"}, (768, "Patent pending")),
    ],
)
def test_p_release_date_choices_are_saved(submitter_client, submitter, draft, time_machine, data, expected):
    time_machine.move_to(datetime.datetime(2027, 11, 25, 12, tzinfo=datetime.UTC))
    submitter_client.force_login(submitter)  # the session of today would have expired by then
    response = submitter_client.post(step_url(draft, "release"), {**data, "go": "next"})
    assert response.status_code == 302 and response["Location"] == step_url(draft, "review")
    draft.refresh_from_db()
    days, reason = expected
    assert (draft.release_date - datetime.date(2027, 11, 25)).days == days
    assert draft.release_date_reason == reason
    assert draft.release_on_submission == (data["when"] == "on_submission")
    # Reopened, the step shows the saved choice in the ISO form a date picker reads.
    page = submitter_client.get(step_url(draft, "release")).content.decode()
    assert f'value="{draft.release_date.isoformat()}"' in page


def test_p_release_date_page_states_the_bound_from_the_setting(
    submitter_client, submitter, draft, settings, time_machine
):
    time_machine.move_to(datetime.datetime(2027, 11, 25, 12, tzinfo=datetime.UTC))
    submitter_client.force_login(submitter)
    settings.RELEASE_DATE_MAX_YEARS = 3
    page = submitter_client.get(step_url(draft, "release")).content.decode()
    assert "to 3 years after submission (25 November 2030)" in page and "two years" not in page


def test_p_release_date_range_is_shown_and_enforced(submitter_client, submitter, draft, time_machine):
    time_machine.move_to(datetime.datetime(2027, 11, 25, 12, tzinfo=datetime.UTC))
    submitter_client.force_login(submitter)
    page = submitter_client.get(step_url(draft, "release")).content.decode()
    assert "25 November 2027" in page and "25 November 2029" in page and "Release on submission" in page
    for data, message in (
        ({"when": "on_date", "release_date": "2029-11-26"}, "at most 2 years after submission"),
        ({"when": "on_date", "release_date": "2027-11-24"}, "cannot be in the past"),
        ({"when": "beyond", "release_date": "2030-01-01"}, "Give the reason"),
        ({"when": "on_date"}, "Choose the date"),
    ):
        response = submitter_client.post(step_url(draft, "release"), data)
        assert response.status_code == 400 and message in response.content.decode(), data
    draft.refresh_from_db()
    assert draft.release_date is None


# --- step 6: review and submit --------------------------------------------------------


def test_review_lists_what_is_missing_and_submit_refuses_with_links_to_the_steps(submitter_client, draft):
    response = submitter_client.post(step_url(draft, "review"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "nothing was submitted" in page
    assert "Description: This field is needed to submit." in page
    assert step_url(draft, "metadata") in page
    draft.refresh_from_db()
    assert draft.state == SubmissionState.DRAFT


def test_p_move_on_submit_review_page_lists_every_problem_with_its_step_before_the_disabled_submit(
    submitter_client, submitter, draft
):
    submission_file_list_check(
        submission=draft, actor=submitter, name="list.tsv", content=b"Files\tchannel\nrun/z.tif\tDAPI\n"
    )
    response = submitter_client.get(step_url(draft, "review"))
    assert response.status_code == 200
    page = response.content.decode()
    problems_block = page[page.index('id="submit-problems"') : page.index("</ul>", page.index('id="submit-problems"'))]
    listed = re.findall(r"<li>(.*?)</li>", problems_block, re.DOTALL)
    expected = [
        ("Description", "This field is needed to submit.", "metadata"),
        ("Publication DOI", "Give the DOI of the related publication, or the reason there is none.", "metadata"),
        ("Scope", "Answer the clinical-scope form first.", "scope"),
        ("Acknowledgements", "Make both acknowledgements before submitting.", "agreements"),
        ("Release date", "Choose a release date.", "release"),
        ("File List", "The File List names files that are not in the submission: run/z.tif", "files"),
        ("Files", "Choose at least one file.", "files"),
    ]
    for label, message, step in expected:
        item = next(item for item in listed if f"{label}:" in item and message in item)
        assert f'href="{step_url(draft, step)}"' in item
    assert len(listed) == 10  # also organism, imaging method and authors
    assert page.index('id="submit-problems"') < page.index('id="submit-button"')
    assert re.search(r'<button[^>]*id="submit-button"[^>]*disabled', page)
    assert "Fix the 10 problems listed above to submit." in page


def test_review_screens_dicom_files_and_says_a_curator_will_review(submitter_client, submitter):
    submission, _ = ready_draft(submitter, {"scan/ct.dcm": dicom_bytes(PatientName="Doe^Jane", PatientID="P1")})
    page = submitter_client.get(step_url(submission, "review")).content.decode()
    assert "1 DICOM file carries patient-identifying attributes" in page
    assert "scan/ct.dcm" in page and "PatientName" in page
    assert "waits for a curator" in page
    submission.refresh_from_db()
    assert submission.screening == []  # shown, not kept: submitting keeps the screening


def test_p_scope_review_page_get_screens_the_files_and_writes_nothing(submitter_client, submitter):
    submission, _ = ready_draft(submitter, {"scan/ct.dcm": dicom_bytes(PatientName="Doe^Jane", PatientID="P1")})
    with CaptureQueriesContext(connection) as queries:
        page = submitter_client.get(step_url(submission, "review")).content.decode()
    assert "1 DICOM file carries patient-identifying attributes" in page
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []


def test_submit_accessions_moves_and_the_status_page_shows_progress_and_the_study(
    submitter_client, submitter, django_capture_on_commit_callbacks
):
    submission, _ = ready_draft(submitter, {"images/a.tif": b"a" * 100, "images/b.tif": b"b" * 50})
    page = submitter_client.get(step_url(submission, "review")).content.decode()
    assert "gets its accession at once" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = submitter_client.post(step_url(submission, "review"))
    assert response["Location"] == f"/submissions/{submission.pk}/"
    submission.refresh_from_db()
    study = Study.objects.get()
    assert submission.state == SubmissionState.ACCEPTED and submission.accession == study.accession
    status = submitter_client.get(response["Location"]).content.decode()
    assert study.accession in status and "2 of 2 files" in status and f"/studies/{study.accession}/" in status
    progress = submitter_client.get(f"/submissions/{submission.pk}/progress/").json()
    assert progress | {"state": "accepted", "finished": True} == progress
    assert (progress["done"], progress["total"], progress["bytes_done"], progress["bytes_total"]) == (2, 2, 150, 150)
    assert progress["study_url"] == f"/studies/{study.accession}/"
    # Submitted: the wizard is closed and sends the owner to the status page.
    assert submitter_client.get(step_url(submission, "metadata"))["Location"] == f"/submissions/{submission.pk}/"


def test_status_page_while_files_move_shows_the_accession_and_polls(submitter_client, submitter):
    submission, _ = ready_draft(submitter, {"images/a.tif": b"a" * 100})
    submission = submission_submit(submission=submission, actor=submitter)  # the move task is not run
    page = submitter_client.get(f"/submissions/{submission.pk}/").content.decode()
    assert submission.accession and submission.accession in page
    assert "0 of 1 file" in page and "this page updates itself" in page
    assert f"/submissions/{submission.pk}/progress/" in page
    assert submitter_client.get(f"/submissions/{submission.pk}/progress/").json()["finished"] is False
    # Its accession page is not there yet: the 404 points a signed-in caller to the move's progress.
    response = submitter_client.get(f"/studies/{submission.accession}/")
    assert response.status_code == 404 and "Just submitted this study?" in response.content.decode()


def test_the_moving_hint_is_for_signed_in_callers_only(anonymous_client):
    response = anonymous_client.get("/studies/S-BIAD999/")
    assert response.status_code == 404 and "Just submitted this study?" not in response.content.decode()


def test_in_review_status_page_lists_the_reasons(submitter_client, submitter):
    submission, _ = ready_draft(submitter, {"a.tif": b"a"})
    submission_metadata_update(
        submission=submission,
        actor=submitter,
        metadata=study_metadata(publication_doi="", no_publication_reason="A reference atlas"),
    )
    page = submitter_client.get(step_url(submission, "review")).content.decode()
    assert "No related publication and no accepted structured project" in page
    submitter_client.post(step_url(submission, "review"))
    submission.refresh_from_db()
    assert submission.state == SubmissionState.IN_REVIEW and not submission.accession
    status = submitter_client.get(f"/submissions/{submission.pk}/").content.decode()
    assert "Waiting for a curator" in status and "No related publication" in status


def test_changes_requested_status_page_links_back_into_the_wizard(submitter_client, submitter, curator):
    submission, _ = ready_draft(submitter, {"a.tif": b"a"})
    submission_metadata_update(
        submission=submission, actor=submitter, metadata=study_metadata(publication_doi="", no_publication_reason="x")
    )
    submission = submission_submit(submission=submission, actor=submitter)
    submission_changes_request(submission=submission, actor=curator, message="Please add the FBbi id.")
    status = submitter_client.get(f"/submissions/{submission.pk}/").content.decode()
    assert "Please add the FBbi id." in status and step_url(submission, "metadata") in status
    step = submitter_client.get(step_url(submission, "metadata"))
    assert step.status_code == 200 and "Please add the FBbi id." in step.content.decode()


# --- new versions ---------------------------------------------------------------------


def _accessioned(owner, contents, django_capture_on_commit_callbacks) -> Study:
    submission, _ = ready_draft(owner, contents)
    with django_capture_on_commit_callbacks(execute=True):
        submission_submit(submission=submission, actor=owner)
    return Study.objects.get(owner=owner)


def test_p_permanent_new_version_keeps_and_drops_files_and_makes_version_2(
    submitter_client, submitter, other_client, django_capture_on_commit_callbacks
):
    study = _accessioned(
        submitter, {"v1/keep.tif": b"keep" * 10, "v1/drop.tif": b"drop" * 10}, django_capture_on_commit_callbacks
    )
    study_page = submitter_client.get(f"/studies/{study.accession}/").content.decode()
    assert "Start a new version" in study_page and f"/submissions/versions/{study.accession}/" in study_page
    assert "Start a new version" not in other_client.get(f"/studies/{study.accession}/").content.decode()
    assert other_client.post(f"/submissions/versions/{study.accession}/").status_code == 404
    assert submitter_client.get(f"/submissions/versions/{study.accession}/").status_code == 405  # POST only

    response = submitter_client.post(f"/submissions/versions/{study.accession}/")
    draft = Submission.objects.get(study=study, kind="new_version")
    assert response["Location"] == step_url(draft, "metadata")
    again = submitter_client.post(f"/submissions/versions/{study.accession}/")  # resumes the same draft
    assert again["Location"] == step_url(draft, "metadata") and Submission.objects.filter(study=study).count() == 2

    submitter_client.post(step_url(draft, "metadata"), _metadata_post(title="Mitochondria, corrected"))
    added = upload_file_put(owner=submitter, relative_path="v2/new.tif", content=b"new" * 10)
    page = submitter_client.get(step_url(draft, "files")).content.decode()
    assert "Files of the current version" in page and "v1/drop.tif" in page
    submitter_client.post(
        step_url(draft, "files"),
        {
            "keep_shown": ["v1/keep.tif", "v1/drop.tif"],
            "keep": ["v1/keep.tif"],
            "files_shown": [added.pk],
            "files": [added.pk],
        },
    )
    assert sorted(draft.files.values_list("path", flat=True)) == ["v1/keep.tif", "v2/new.tif"]
    submission_certify_scope(
        submission=draft, actor=submitter, form_version=scope.SCOPE_FORM_VERSION, answers=ACCEPTED_ANSWERS
    )
    submission_acknowledge(submission=draft, actor=submitter, public_disclosure=True, right_to_submit=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = submitter_client.post(step_url(draft, "review"))
    assert response["Location"] == f"/submissions/{draft.pk}/"
    study.refresh_from_db()
    assert study.versions.count() == 2
    v1 = submitter_client.get(f"/studies/{study.accession}/v1/").content.decode()
    v2 = submitter_client.get(f"/studies/{study.accession}/").content.decode()
    assert "v1/drop.tif" in v1 and "Mitochondria, corrected" not in v1
    assert "Mitochondria, corrected" in v2 and "v2/new.tif" in v2 and "v1/keep.tif" in v2 and "v1/drop.tif" not in v2


def test_new_version_has_no_release_step(submitter_client, submitter, django_capture_on_commit_callbacks):
    study = _accessioned(submitter, {"a.tif": b"a"}, django_capture_on_commit_callbacks)
    submitter_client.post(f"/submissions/versions/{study.accession}/")
    draft = Submission.objects.get(study=study, kind="new_version")
    assert submitter_client.get(step_url(draft, "release")).status_code == 404
    page = submitter_client.get(step_url(draft, "review")).content.decode()
    assert step_url(draft, "release") not in page and "Step 5: Review and submit" in page


def test_files_set_for_a_new_study_shows_no_kept_files(submitter_client, submitter, draft, uploads):
    submission_files_set(submission=draft, actor=submitter, upload_file_ids=[uploads["notes.txt"].pk])
    assert "Files of the current version" not in submitter_client.get(step_url(draft, "files")).content.decode()
