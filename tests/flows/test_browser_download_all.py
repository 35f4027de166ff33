"""A visitor in a real browser downloads a whole study as one ZIP, unzips it and checks it as the page says
(issue 12 trap 5): `unzip <acc>-v1.zip && cd <acc>-v1 && sha256sum -c manifest.sha256` passes."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.factories import make_study, stored_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FILES = {
    "raw/plate 1/cell_01.tif": b"TIFF pixels of cell 01" * 2000,
    "raw/plate 2/cell_01.tif": b"TIFF pixels of plate 2" * 1000,
    "analysis/tracks.csv": b"frame,x,y\n1,2,3\n",
    "README.txt": b"About this study",
}
SHOTS = Path("/tmp/shots")


def _save(page, locator, name: str, output_path) -> None:
    locator.screenshot(path=f"{output_path}/{name}.png")
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(f"{output_path}/{name}.png", SHOTS / f"downloads_{name}.png")


def test_download_all_as_zip_then_sha256sum_check_passes(live_server, page, output_path, tmp_path):
    unzip = shutil.which("unzip")
    if unzip is None:
        pytest.skip("unzip is not installed (apt-get install unzip)")
    study = make_study(files=[stored_file(path, content) for path, content in FILES.items()])
    name = f"{study.accession}-v1"

    page.goto(f"{live_server.url}/studies/{study.accession}/")
    box = page.locator("#downloads")
    box.get_by_text("How to download with aria2c, wget or curl").click()  # opens the commands
    _save(page, box, "box", output_path)
    page.set_viewport_size({"width": 390, "height": 844})
    _save(page, box, "box_mobile", output_path)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=f"{output_path}/page.png", full_page=True)
    shutil.copy(f"{output_path}/page.png", SHOTS / "downloads_page.png")
    check_command = box.locator("pre").first.inner_text()
    assert check_command == f"unzip {name}.zip && cd {name} && sha256sum -c manifest.sha256"

    with page.expect_download() as download_info:
        box.get_by_role("link", name=re.compile(r"^Download all \(ZIP, \d")).click()
    downloaded = download_info.value
    assert downloaded.suggested_filename == f"{name}.zip"
    downloaded.save_as(tmp_path / downloaded.suggested_filename)

    # The page's own command, run as a shell would.
    result = subprocess.run(check_command, shell=True, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(": OK") == len(FILES)
    assert (tmp_path / name / "raw/plate 2/cell_01.tif").read_bytes() == FILES["raw/plate 2/cell_01.tif"]


def test_a_folder_page_offers_that_folder_as_a_zip(live_server, page, output_path, tmp_path):
    study = make_study(files=[stored_file(path, content) for path, content in FILES.items()])

    page.goto(f"{live_server.url}/studies/{study.accession}/?folder=raw/")
    box = page.locator("#downloads")
    _save(page, box, "folder_box", output_path)
    with page.expect_download() as download_info:
        box.get_by_role("link", name=re.compile(r"^Download folder \(ZIP")).click()
    downloaded = download_info.value

    assert downloaded.suggested_filename == f"{study.accession}-v1-raw.zip"
    downloaded.save_as(tmp_path / "folder.zip")
    result = subprocess.run(
        ["unzip", "-Z1", "folder.zip"], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=True
    )
    assert sorted(result.stdout.split("\n")[:-1]) == [
        f"{study.accession}-v1-raw/manifest.sha256",
        f"{study.accession}-v1-raw/raw/plate 1/cell_01.tif",
        f"{study.accession}-v1-raw/raw/plate 2/cell_01.tif",
        f"{study.accession}-v1-raw/ro-crate-metadata.json",  # the crate of the folder's files
    ]
