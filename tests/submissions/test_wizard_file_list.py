"""The wizard's files step with a File List (issue 12, trap 3): no success beside a refusal, the path each row
meant when only the top folder differs, and the ticks kept when saving is refused."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from submissions.services import submission_create_draft, submission_files_set
from uploads.services.upload import upload_file_put

pytestmark = pytest.mark.django_db

PATHS = ["hela-fission/raw/cell_01.tif", "hela-fission/raw/cell_02.tif", "hela-fission/notes.txt", "other/x.tif"]
FOLDER_FORM = {"folders_shown": ["hela-fission", "hela-fission/raw", "other"]}


@pytest.fixture
def draft(submitter):
    return submission_create_draft(owner=submitter, metadata={"title": "Mitochondrial fission"})


@pytest.fixture
def uploads(submitter):
    return {path: upload_file_put(owner=submitter, relative_path=path, content=path.encode()) for path in PATHS}


def _files_url(draft) -> str:
    return reverse("submissions:step", args=[draft.pk, "files"])


def _post_folder_with_list(client, draft, uploads, table: bytes, name: str = "list.tsv"):
    return client.post(
        _files_url(draft),
        {
            **FOLDER_FORM,
            "files_shown": [u.pk for u in uploads.values()],
            "folders": ["hela-fission"],
            "file_list": SimpleUploadedFile(name, table),
            "go": "next",
        },
        follow=True,
    )


def _alerts(html: str) -> list[str]:
    return re.findall(r'class="alert alert-(\w+)', html)


def _ticked_folders(html: str) -> set[str]:
    return set(re.findall(r'name="folders" value="([^"]+)" id="[^"]+" checked', html))


def _ticked_files(html: str) -> set[str]:
    return set(re.findall(r'data-path="([^"]+)" checked', html))


def test_file_list_with_rows_naming_no_chosen_file_shows_only_the_problem_and_the_path_meant(
    submitter_client, draft, uploads
):
    table = b"Files\tchannel\nraw/cell_01.tif\tDAPI\nraw/cell_02.tif\tGFP\n"
    response = _post_folder_with_list(submitter_client, draft, uploads, table)

    assert response.redirect_chain[-1][0].endswith("#file-list-report")  # where the problem is shown
    page = response.content.decode()
    assert "alert-success" not in page and "text-success" not in page  # no success beside the refusal
    assert "2 rows name files that are not chosen. Submitting is refused" in page
    assert (
        "Did you mean hela-fission/raw/cell_01.tif? Your File List&#x27;s paths leave out the top folder "
        "“hela-fission” (2 rows match a chosen file with it)." in page
    )
    assert _ticked_folders(page) == {"hela-fission"}  # the files are saved, ticks shown (the root's folders)
    assert set(draft.files.values_list("path", flat=True)) == set(PATHS[:3])


def test_file_list_matching_every_chosen_file_is_a_success_and_nothing_else(submitter_client, draft, uploads):
    table = b"Files\tchannel\n" + b"".join(f"{path}\tDAPI\n".encode() for path in PATHS[:3])
    response = _post_folder_with_list(submitter_client, draft, uploads, table)

    page = response.content.decode()
    assert _alerts(page) == ["success"]
    assert "every row of the File List list.tsv names a chosen file" in page
    assert "Submitting is refused" not in page and "text-danger" not in page


def test_file_list_refused_whole_keeps_the_folders_and_files_ticked_and_saves_nothing(submitter_client, draft, uploads):
    x = uploads["other/x.tif"]
    submission_files_set(submission=draft, actor=draft.owner, upload_file_ids=[x.pk])
    response = submitter_client.post(
        _files_url(draft),
        {
            **FOLDER_FORM,
            "files_shown": [u.pk for u in uploads.values()],
            # other/x.tif unticked, the folder hela-fission ticked, and a table without a Files column.
            "folders": ["hela-fission"],
            "file_list": SimpleUploadedFile("list.csv", b"Path,channel\nraw/cell_01.tif,DAPI\n"),
            "go": "next",
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "needs a column headed" in page
    assert "Your ticks below are as you left them, not saved yet." in page
    assert "alert-success" not in page
    assert _ticked_folders(page) == {"hela-fission"}
    # The folders as saved: the next save still adds hela-fission whole (also its files on other pages).
    assert re.findall(r'name="folders_whole" value="([^"]+)"', page) == ["other"]
    assert _ticked_files(page) == set(PATHS[:3])  # the ticked folder's files, and not other/x.tif
    assert list(draft.files.values_list("path", flat=True)) == ["other/x.tif"]  # nothing was saved
    assert draft.file_list == {}


def test_file_list_empty_file_refused_keeps_the_files_ticked(submitter_client, draft, uploads):
    cell = uploads["hela-fission/raw/cell_01.tif"]
    response = submitter_client.post(
        _files_url(draft),
        {
            "files_shown": [u.pk for u in uploads.values()],
            "files": [cell.pk],
            "file_list": SimpleUploadedFile("list.tsv", b""),
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert _ticked_files(page) == {cell.relative_path}
    assert not draft.files.exists()


def test_unticking_a_folder_keeps_the_files_of_its_subfolder_still_ticked(submitter_client, draft, uploads):
    submitter_client.post(_files_url(draft), {**FOLDER_FORM, "folders": ["hela-fission"]})
    assert set(draft.files.values_list("path", flat=True)) == set(PATHS[:3])
    raw = [uploads[p].pk for p in PATHS[:2]]
    response = submitter_client.post(
        _files_url(draft),
        {
            **FOLDER_FORM,
            "folders_whole": ["hela-fission", "hela-fission/raw"],  # as the page showed them
            "files_shown": [u.pk for u in uploads.values()],
            "files": raw,
            "folders": ["hela-fission/raw"],
        },
    )
    assert response.status_code == 302
    assert set(draft.files.values_list("path", flat=True)) == set(PATHS[:2])
