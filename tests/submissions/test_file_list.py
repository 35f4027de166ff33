"""File Lists (issue #5 point 1 (2)): a TSV or CSV with a `Files` column, checked against the chosen files."""

import csv

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.authtoken.models import Token

from archive.models import ArchiveFile
from core.errors import PolicyViolation
from submissions.services import (
    submission_file_list_check,
    submission_files_set,
    submission_submit,
)
from tests.submissions.move_helpers import ready_draft

pytestmark = pytest.mark.django_db

CONTENTS = {"plate1/A01.tif": b"A01 pixels", "plate1/A02.tif": b"A02 pixels", "plate2/B01.tif": b"B01 pixels"}


@pytest.fixture
def draft(submitter):
    submission, _ = ready_draft(submitter, CONTENTS)
    return submission


def _check(submission, name: str, content: bytes) -> dict:
    return submission_file_list_check(submission=submission, actor=submission.owner, name=name, content=content)


def _refusal(submission, name: str, content: bytes) -> str:
    with pytest.raises(PolicyViolation) as excinfo:
        _check(submission, name, content)
    assert (excinfo.value.rule, excinfo.value.field) == ("FILE-LIST", "file_list")
    return excinfo.value.message


def _attributes(submission) -> dict:
    return dict(submission.files.values_list("path", "attributes"))


def test_file_list_tsv_puts_attributes_on_the_files(draft):
    table = b"Files\tchannel\twell\nplate1/A01.tif\tDAPI\tA01\nplate1/A02.tif\tGFP\tA02\nplate2/B01.tif\tDAPI\tB01\n"
    report = _check(draft, "files.tsv", table)
    assert report == {
        "name": "files.tsv",
        "columns": ["channel", "well"],
        "missing": [],
        "extra": [],
        "suggestions": {},
        "hints": [],
    }
    assert _attributes(draft)["plate1/A02.tif"] == {"channel": "GFP", "well": "A02"}


def test_file_list_csv_with_quoted_cells_and_the_files_column_anywhere(draft):
    table = b'channel,Files,note\nDAPI,plate1/A01.tif,"nucleus, fixed"\nGFP,plate1/A02.tif,live\nDAPI,plate2/B01.tif,\n'
    report = _check(draft, "files.csv", table)
    assert report["columns"] == ["channel", "note"] and report["missing"] == report["extra"] == []
    assert _attributes(draft)["plate1/A01.tif"] == {"channel": "DAPI", "note": "nucleus, fixed"}


def test_file_list_utf8_bom_and_windows_line_ends_are_read(draft):
    table = "\ufeffFiles,channel\r\nplate1/A01.tif,DAPI\r\nplate1/A02.tif,GFP\r\nplate2/B01.tif,Cy5\r\n".encode()
    report = _check(draft, "from-excel.csv", table)
    assert report["columns"] == ["channel"]  # the BOM is not part of the heading
    assert _attributes(draft)["plate2/B01.tif"] == {"channel": "Cy5"}


def test_file_list_missing_files_column_is_refused_naming_the_headings(draft):
    message = _refusal(draft, "files.tsv", b"Path\tchannel\nplate1/A01.tif\tDAPI\n")
    assert "Files" in message and "Path, channel" in message


def test_file_list_duplicate_row_is_refused_with_its_line(draft):
    message = _refusal(draft, "files.csv", b"Files,channel\nplate1/A01.tif,DAPI\nplate1/A01.tif,GFP\n")
    assert "Line 3" in message and "plate1/A01.tif" in message


def test_file_list_wrong_cell_count_is_refused_with_its_line(draft):
    message = _refusal(draft, "files.csv", b"Files,channel\nplate1/A01.tif,DAPI\nplate1/A02.tif,GFP,extra\n")
    assert message == "Line 3 has 3 cells; the heading has 2."


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"Files,channel\n", "no rows"),
        ("Files\nplate1/é.tif\n".encode("latin-1"), "UTF-8"),
        (b"Files,channel,channel\na,b,c\n", "distinct heading"),
    ],
    ids=["empty", "not-utf8", "duplicate-heading"],
)
def test_file_list_malformed_tables_are_refused(draft, content, needle):
    assert needle in _refusal(draft, "files.csv", content)


# Python's csv module refuses a cell longer than its field size limit, 131,072 characters by default.
OVERSIZED_CELL = "x" * (csv.field_size_limit() + 1)


@pytest.mark.parametrize(
    ("name", "table", "line"),
    [
        ("files.tsv", f"Files\tnote\nplate1/A01.tif\tDAPI\nplate1/A02.tif\t{OVERSIZED_CELL}\n", 3),
        ("files.csv", f'Files,note\nplate1/A01.tif,"{OVERSIZED_CELL}"\n', 2),
        ("files.csv", f"Files,{OVERSIZED_CELL}\nplate1/A01.tif,DAPI\n", 1),
    ],
    ids=["tsv-row", "csv-quoted-cell", "heading"],
)
def test_file_list_cell_over_the_csv_field_limit_is_refused_naming_the_list_and_its_line(draft, name, table, line):
    _check(draft, "good.csv", b"Files,channel\nplate1/A01.tif,DAPI\n")
    message = _refusal(draft, name, table.encode())
    assert message == (
        f"Line {line} of the File List {name} has a cell of more than {csv.field_size_limit():,} characters."
    )
    draft.refresh_from_db()
    assert draft.file_list["name"] == "good.csv"


def test_file_list_cell_over_the_csv_field_limit_is_a_400_through_the_api(draft, submitter):
    client = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=submitter).key}")
    table = SimpleUploadedFile("files.tsv", f"Files\tnote\nplate1/A01.tif\t{OVERSIZED_CELL}\n".encode())
    response = client.post(f"/api/v1/submissions/{draft.pk}/file-list/", {"file": table})
    assert response.status_code == 400
    assert response.json()["rule"] == "FILE-LIST" and "files.tsv" in response.json()["file_list"][0]
    draft.refresh_from_db()
    assert draft.file_list == {}


def test_file_list_refused_whole_keeps_the_previous_one(draft):
    _check(draft, "good.csv", b"Files,channel\nplate1/A01.tif,DAPI\n")
    _refusal(draft, "bad.csv", b"Files,channel\nplate1/A01.tif\n")
    draft.refresh_from_db()
    assert draft.file_list["name"] == "good.csv"
    assert _attributes(draft)["plate1/A01.tif"] == {"channel": "DAPI"}


def test_file_list_reports_missing_and_extra_rows(draft):
    table = b"Files,channel\nplate1/A01.tif,DAPI\nplate3/C01.tif,GFP\n"
    report = _check(draft, "files.csv", table)
    assert report["missing"] == ["plate3/C01.tif"]  # a row naming a file not chosen
    assert report["extra"] == ["plate1/A02.tif", "plate2/B01.tif"]  # chosen files without a row


def test_file_list_is_matched_again_when_the_files_change(draft, submitter):
    _check(draft, "files.csv", b"Files,channel\nplate1/A01.tif,DAPI\n")
    only_b = [f.upload_file_id for f in draft.files.all() if f.path == "plate2/B01.tif"]
    submission_files_set(submission=draft, actor=submitter, upload_file_ids=only_b)
    draft.refresh_from_db()
    assert draft.file_list["missing"] == ["plate1/A01.tif"] and draft.file_list["extra"] == ["plate2/B01.tif"]


def test_file_list_submit_refused_while_rows_name_absent_files(draft, submitter):
    _check(draft, "files.csv", b"Files,channel\nplate1/A01.tif,DAPI\nplate9/Z99.tif,GFP\n")
    with pytest.raises(PolicyViolation) as excinfo:
        submission_submit(submission=draft, actor=submitter)
    assert (excinfo.value.rule, excinfo.value.field) == ("FILE-LIST", "file_list")
    assert "plate9/Z99.tif" in excinfo.value.message
    draft.refresh_from_db()
    assert draft.state == "draft"


def test_file_list_attributes_end_up_on_the_archive_files_after_the_move(
    draft, submitter, django_capture_on_commit_callbacks
):
    _check(draft, "files.tsv", b"Files\tchannel\tplate\nplate1/A01.tif\tDAPI\t1\nplate2/B01.tif\tGFP\t2\n")
    with django_capture_on_commit_callbacks(execute=True):
        submission_submit(submission=draft, actor=submitter)
    draft.refresh_from_db()
    assert draft.state == "accepted"
    archived = dict(ArchiveFile.objects.filter(version__study=draft.study).values_list("path", "attributes"))
    assert archived == {
        "plate1/A01.tif": {"channel": "DAPI", "plate": "1"},
        "plate1/A02.tif": {},  # extra: no row, no attributes
        "plate2/B01.tif": {"channel": "GFP", "plate": "2"},
    }


HELA = {"hela-fission/raw/cell_01.tif": b"cell 1", "hela-fission/raw/cell_02.tif": b"cell 2"}


@pytest.fixture
def hela_draft(submitter):
    submission, _ = ready_draft(submitter, HELA)
    return submission


def test_file_list_without_the_top_folder_is_told_the_path_it_meant(hela_draft):
    report = _check(hela_draft, "list.tsv", b"Files\tchannel\nraw/cell_01.tif\tDAPI\nraw/cell_02.tif\tGFP\n")
    assert report["missing"] == ["raw/cell_01.tif", "raw/cell_02.tif"]  # still refused: nothing is guessed
    assert report["suggestions"] == {
        "raw/cell_01.tif": "hela-fission/raw/cell_01.tif",
        "raw/cell_02.tif": "hela-fission/raw/cell_02.tif",
    }
    assert report["hints"] == [
        "Did you mean hela-fission/raw/cell_01.tif? Your File List's paths leave out the top folder “hela-fission” "
        "(2 rows match a chosen file with it)."
    ]
    assert _attributes(hela_draft)["hela-fission/raw/cell_01.tif"] == {}


def test_file_list_with_a_top_folder_the_files_lack_is_told_the_path_it_meant(draft):
    report = _check(draft, "list.csv", b"Files,channel\nexperiment/plate1/A01.tif,DAPI\nplate1/A02.tif,GFP\n")
    assert report["suggestions"] == {"experiment/plate1/A01.tif": "plate1/A01.tif"}
    assert report["hints"] == [
        "Did you mean plate1/A01.tif? Your File List's paths start with a folder “experiment” that the chosen "
        "files' paths do not have (1 row matches a chosen file without it)."
    ]


def test_file_list_with_another_top_folder_is_told_the_path_it_meant(hela_draft):
    report = _check(hela_draft, "list.csv", b"Files,channel\nhela/raw/cell_01.tif,DAPI\n")
    assert report["suggestions"] == {"hela/raw/cell_01.tif": "hela-fission/raw/cell_01.tif"}
    assert report["hints"] == [
        "Did you mean hela-fission/raw/cell_01.tif? Your File List's paths start with the folder “hela” where the "
        "chosen files' paths have “hela-fission” (1 row matches a chosen file with it)."
    ]


def test_file_list_suggests_only_a_path_no_other_row_names_and_only_when_one_fits(submitter):
    contents = {"a/raw/x.tif": b"1", "b/raw/x.tif": b"2", "c/y.tif": b"3", "listed/z.tif": b"4"}
    submission, _ = ready_draft(submitter, contents)
    # raw/x.tif could be a/ or b/; c/y.tif is wanted by two rows; z.tif's match has its own row.
    table = b"Files,k\nraw/x.tif,1\nd/y.tif,2\ne/y.tif,3\nz.tif,4\nlisted/z.tif,5\nnothing/like/it.tif,6\n"
    report = _check(submission, "list.csv", table)
    assert report["suggestions"] == {}
    assert report["hints"] == []


def test_file_list_submit_refusal_says_which_paths_were_meant(hela_draft, submitter):
    _check(hela_draft, "list.tsv", b"Files\tchannel\nraw/cell_01.tif\tDAPI\n")
    with pytest.raises(PolicyViolation) as excinfo:
        submission_submit(submission=hela_draft, actor=submitter)
    assert excinfo.value.message == (
        "The File List names files that are not in the submission: raw/cell_01.tif. Did you mean "
        "hela-fission/raw/cell_01.tif? Your File List's paths leave out the top folder “hela-fission” "
        "(1 row matches a chosen file with it)."
    )


def test_file_list_report_through_the_api_carries_the_suggestions(hela_draft, submitter):
    client = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=submitter).key}")
    table = SimpleUploadedFile("list.tsv", b"Files\tchannel\nraw/cell_01.tif\tDAPI\n")
    response = client.post(f"/api/v1/submissions/{hela_draft.pk}/file-list/", {"file": table})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["suggestions"] == {"raw/cell_01.tif": "hela-fission/raw/cell_01.tif"}
    assert body["hints"][0].startswith("Did you mean hela-fission/raw/cell_01.tif?")
    detail = client.get(f"/api/v1/submissions/{hela_draft.pk}/").json()
    assert detail["file_list"]["suggestions"] == body["suggestions"]
