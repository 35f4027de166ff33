"""Issue 12, trap 3, in a real browser: files uploaded with tools/upload.py have the paths a folder dropped in the
browser gets, a File List written for them is accepted, one that leaves out the top folder is told the path it
meant (and shows no success beside the refusal), and a refused File List keeps the folder ticked."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect
from rest_framework.authtoken.models import Token

from submissions.services import submission_create_draft
from tests.flows.shots import SHOTS, shot
from uploads.models import UploadFile, UploadState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOOL = Path(__file__).resolve().parents[2] / "tools" / "upload.py"
TREE = {"raw/cell_01.tif": 3_000, "raw/cell_02.tif": 4_000, "notes.txt": 200}


def _folder(root: Path) -> Path:
    folder = root / "hela-fission"
    for relative, size in TREE.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(os.urandom(size))
    return folder


def _paths_of(user) -> set[str]:
    return set(
        UploadFile.objects.filter(area__owner=user, state=UploadState.COMPLETE).values_list("relative_path", flat=True)
    )


def _tool_upload(live_server, user, folder: Path, state_file: Path) -> None:
    token = Token.objects.create(user=user).key
    arguments = ["--url", live_server.url, "--token", token, "--state-file", str(state_file), "--parallel", "1"]
    run = subprocess.run(
        [sys.executable, str(TOOL), *arguments, str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr


def _file_list(root: Path, name: str, paths: list[str]) -> Path:
    path = root / name
    path.write_text("Files\tchannel\n" + "".join(f"{p}\tDAPI\n" for p in paths))
    return path


def test_file_list_for_command_line_paths_is_accepted_and_one_without_the_top_folder_is_told_the_path_meant(
    signed_in_page, live_server, submitter, tmp_path, output_path
):
    page = signed_in_page
    folder = _folder(tmp_path)
    _tool_upload(live_server, submitter, folder, tmp_path / "state.json")
    assert _paths_of(submitter) == {f"hela-fission/{relative}" for relative in TREE}
    draft = submission_create_draft(owner=submitter, metadata={"title": "Mitochondrial fission in HeLa cells"})
    # Opened at the folder, which the step shows with its subfolders (raw/).
    files_url = f"{live_server.url}/submissions/{draft.pk}/files/?folder=hela-fission"

    # A File List written from inside the folder: its paths leave out hela-fission/.
    page.goto(files_url)
    page.locator('input[name="folders"][value="hela-fission"]').check()
    page.get_by_label("File List (optional)").set_input_files(_file_list(tmp_path, "inside.tsv", sorted(TREE)))
    page.get_by_role("button", name="Save and continue →").click()
    report = page.locator("#file-list-report")
    expect(report).to_contain_text("3 rows name files that are not chosen. Submitting is refused")
    expect(report.locator(".file-list-hint")).to_have_text(
        "Did you mean hela-fission/notes.txt? Your File List's paths leave out the top folder “hela-fission” "
        "(3 rows match a chosen file with it)."
    )
    expect(report).to_be_in_viewport()  # the page opens at the problem
    expect(page.locator(".alert-success, .text-success")).to_have_count(0)  # no success beside the refusal
    expect(page.locator('input[name="folders"][value="hela-fission"]')).to_be_checked()
    page.screenshot(path=f"{output_path}/paths_1_suggestion_viewport.png")
    shutil.copy(f"{output_path}/paths_1_suggestion_viewport.png", SHOTS / "paths_1_suggestion_viewport.png")
    shot(page, output_path, "paths_1_suggestion")

    # A malformed File List is refused whole: the folder stays ticked as the user left it, nothing is saved.
    page.locator('input[name="folders"][value="hela-fission"]').uncheck()
    page.locator('input[name="folders"][value="hela-fission/raw"]').check()
    broken = tmp_path / "broken.csv"
    broken.write_text("Path,channel\nraw/cell_01.tif,DAPI\n")
    page.get_by_label("File List (optional)").set_input_files(broken)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#files-errors")).to_contain_text("needs a column headed")
    expect(page.locator("#files-errors")).to_contain_text("Your ticks below are as you left them, not saved yet.")
    expect(page.locator('input[name="folders"][value="hela-fission/raw"]')).to_be_checked()
    expect(page.locator('input[name="folders"][value="hela-fission"]')).not_to_be_checked()
    expect(page.locator(".alert-success")).to_have_count(0)
    shot(page, output_path, "paths_2_refused_ticks_kept")

    # The File List with the command-line tool's paths, which are the browser's too: accepted.
    page.locator('input[name="folders"][value="hela-fission"]').check()
    written = _file_list(tmp_path, "hela.tsv", sorted(_paths_of(submitter)))
    page.get_by_label("File List (optional)").set_input_files(written)
    page.get_by_role("button", name="Save and continue →").click()
    expect(page.locator(".alert-success")).to_have_text(
        "Your files are saved and every row of the File List hela.tsv names a chosen file."
    )
    expect(page.locator("#file-list-report")).to_contain_text("Every row matches a chosen file")
    expect(page.locator("#file-list-report .text-danger")).to_have_count(0)
    expect(page.get_by_text("Chosen: 3 files")).to_be_visible()
    shot(page, output_path, "paths_3_accepted")
    assert dict(draft.files.values_list("path", "attributes"))["hela-fission/raw/cell_01.tif"] == {"channel": "DAPI"}


def test_browser_and_command_line_uploads_of_one_folder_give_the_same_paths(
    page, sign_in, live_server, submitter, other_user, tmp_path, output_path
):
    folder = _folder(tmp_path)
    _tool_upload(live_server, submitter, folder, tmp_path / "state.json")

    sign_in(page, other_user)
    page.goto(live_server.url + "/uploads/")
    page.locator("#uppy-dashboard input[type=file][webkitdirectory]").set_input_files(folder)
    page.get_by_role("button", name=f"Upload {len(TREE)} files").click()
    expect(page.locator("#upload-status")).to_contain_text(f"{len(TREE)} files uploaded", timeout=30_000)
    expect(page.locator("#path-convention")).to_contain_text("in the browser and on the command line alike")
    shot(page, output_path, "paths_4_browser_upload")

    assert _paths_of(other_user) == _paths_of(submitter) == {f"hela-fission/{relative}" for relative in TREE}
