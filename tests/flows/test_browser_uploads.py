"""A submitter in a real browser uploads a folder, then a large file that survives a page reload."""

import hashlib
import os
import re
import time

import pytest
from django.core.signals import request_started
from playwright.sync_api import expect

from uploads.models import UploadFile, UploadState
from uploads.storage import upload_storage_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOLDER_FILES = {
    "experiment/notes.txt": 1_000,
    "experiment/plate1/day1/A01.tif": 70_000,
    "experiment/plate1/day1/A02.tif": 90_000,
    "experiment/plate1/day2/deep/B01.tif": 40_000,
}
LARGE_PATH = "stack.ome.tif"
LARGE_SIZE = 40 * 1024 * 1024  # one 50 MB tus chunk: the reload cuts a PATCH in the middle
THROTTLE_BYTES_PER_SECOND = 4 * 1024 * 1024


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _wait_for(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture
def patches_received():
    """(upload URL path, Upload-Offset, Content-Length) of every tus PATCH the live server receives."""
    received = []

    def record(sender, environ, **kwargs):
        if environ.get("REQUEST_METHOD") == "PATCH":
            received.append(
                (environ["PATH_INFO"], int(environ.get("HTTP_UPLOAD_OFFSET", -1)), int(environ["CONTENT_LENGTH"]))
            )

    request_started.connect(record)
    yield received
    request_started.disconnect(record)


def _row(page, path: str):
    return page.locator("#upload-files tbody tr").filter(has=page.locator(f'form[data-path="{path}"]'))


def test_folder_and_large_file_upload_resume_after_reload_and_show_deletion_dates(
    signed_in_page, live_server, submitter, tmp_path, output_path, patches_received
):
    page = signed_in_page
    local = tmp_path / "local"
    for relative, size in FOLDER_FILES.items():
        (local / relative).parent.mkdir(parents=True, exist_ok=True)
        (local / relative).write_bytes(os.urandom(size))
    large = local / LARGE_PATH
    large.write_bytes(os.urandom(LARGE_SIZE))

    page.goto(live_server.url + "/uploads/")
    expect(page.get_by_text("Your upload area is empty.")).to_be_visible()
    page.screenshot(path=f"{output_path}/1-empty-area.png", full_page=True)

    # A folder with nested subfolders, through the Dashboard's folder picker.
    page.locator("#uppy-dashboard input[type=file][webkitdirectory]").set_input_files(local / "experiment")
    page.screenshot(path=f"{output_path}/2-folder-selected.png")
    page.get_by_role("button", name=f"Upload {len(FOLDER_FILES)} files").click()
    expect(page.get_by_role("status")).to_contain_text(f"{len(FOLDER_FILES)} files uploaded", timeout=30_000)
    for relative in FOLDER_FILES:
        expect(_row(page, relative)).to_contain_text("Complete")
    stored = {upload.relative_path: upload for upload in UploadFile.objects.filter(area__owner=submitter)}
    assert set(stored) == set(FOLDER_FILES)  # the folder structure arrived in relativePath
    for relative, upload in stored.items():
        assert (upload.state, upload.size, upload.sha256) == (
            UploadState.COMPLETE,
            FOLDER_FILES[relative],
            _sha256(local / relative),
        )
    page.screenshot(path=f"{output_path}/3-folder-uploaded.png", full_page=True)

    # A large file over a slow connection, cut by a page reload part-way.
    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": THROTTLE_BYTES_PER_SECOND},
    )
    page.locator("#uppy-dashboard input[type=file]:not([webkitdirectory])").set_input_files(large)
    page.get_by_role("button", name="Upload 1 file").click()
    upload = _wait_for(
        lambda: UploadFile.objects.filter(area__owner=submitter, relative_path=LARGE_PATH).first(),
        timeout=10,
        what="the large upload to be created",
    )
    on_disk = upload_storage_path(upload.storage_name)
    _wait_for(lambda: on_disk.stat().st_size > LARGE_SIZE // 3, timeout=30, what="a third of the large file")
    page.screenshot(path=f"{output_path}/4-large-file-uploading.png")
    page.reload()

    # The cut PATCH keeps what arrived; the resumed upload must continue from there, not from 0.
    offset_at_reload = _wait_for(
        lambda: UploadFile.objects.get(pk=upload.pk).offset, timeout=15, what="the cut PATCH to be recorded"
    )
    assert 0 < offset_at_reload < LARGE_SIZE
    expect(page.get_by_text("We restored all files.")).to_be_visible()
    page.screenshot(path=f"{output_path}/5-restored-after-reload.png")
    network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    page.get_by_role("button", name="Upload 1 file").click()
    expect(_row(page, LARGE_PATH)).to_contain_text("Complete", timeout=60_000)

    upload.refresh_from_db()
    assert (upload.state, upload.offset, upload.sha256) == (UploadState.COMPLETE, LARGE_SIZE, _sha256(large))
    large_patches = [(offset, length) for path, offset, length in patches_received if str(upload.upload_id) in path]
    assert large_patches[0][0] == 0
    assert large_patches[1][0] == offset_at_reload
    assert sum(length for _, length in large_patches) < 2 * LARGE_SIZE

    # Every file is listed with its deletion date and the days left.
    for relative in [*FOLDER_FILES, LARGE_PATH]:
        expires = UploadFile.objects.get(area__owner=submitter, relative_path=relative).expires_at
        expect(_row(page, relative)).to_contain_text(re.compile(rf"{expires:%b %Y} — \d+ days left"))
    page.locator("#upload-files").scroll_into_view_if_needed()
    page.screenshot(path=f"{output_path}/6-table-with-deletion-dates.png", full_page=True)
