"""tools/upload.py: a real run against the live server, killed half-way, then resumed.

The runs use --parallel 1: pytest-django's live server shares the test's in-memory
SQLite connection among its request threads, so concurrent requests can trip over
each other there (never with a real database, where each thread has its own).
For the same reason the test watches files on disk, not the database, while the
tool runs.
"""

import fcntl
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token
from tusclient.client import TusClient

from uploads.models import UploadFile, UploadState
from uploads.storage import upload_storage_path

pytestmark = pytest.mark.django_db(transaction=True)

TOOL = Path(__file__).resolve().parents[2] / "tools" / "upload.py"
BIG = 3 * 1024 * 1024


def _folder(root: Path) -> dict[str, bytes]:
    """A nested folder: 12 small files and one of a few MB (sorted last, so it is sent last)."""
    files = {"z_stack/big.tif": os.urandom(BIG)}
    for plate in range(3):
        for field in range(4):
            files[f"plate{plate}/row{field % 2}/field{field}.tif"] = os.urandom(1000 + field)
    for relative, data in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return files


def _run(args: list[str], **options):
    return subprocess.Popen(
        [sys.executable, str(TOOL), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **options
    )


def _wait_for_part_of_the_big_file(process, upload_root: Path) -> Path:
    deadline = time.monotonic() + 30
    while True:
        for stored in Path(upload_root).glob("*/*"):
            if 256 * 1024 <= stored.stat().st_size < BIG:
                return stored
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)


def _wait_until_no_append_holds(stored: Path) -> None:
    deadline = time.monotonic() + 10
    with open(stored, "rb") as handle:
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                assert time.monotonic() < deadline
                time.sleep(0.02)
            else:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
                return


def test_tool_uploads_a_folder_is_killed_half_way_and_a_second_run_finishes_without_resending(
    tmp_path, live_server, submitter, settings
):
    token = Token.objects.create(user=submitter).key
    folder = tmp_path / "experiment"
    files = _folder(folder)
    state_file = tmp_path / "state" / "run.json"
    common = ["--url", live_server.url, "--token", token, "--state-file", str(state_file), str(folder)]

    first = _run([*common, "--parallel", "1", "--chunk-size", "256KiB", "--throttle", "0.1"])
    files = {f"experiment/{relative}": data for relative, data in files.items()}  # the folder's name is kept
    big_bytes = _wait_for_part_of_the_big_file(first, settings.UPLOAD_ROOT)
    first.send_signal(signal.SIGKILL)
    first.wait()
    _wait_until_no_append_holds(big_bytes)  # the server notices the client is gone

    done = json.loads(state_file.read_text())["done"]
    assert len(done) == len(files) - 1
    finished_before = {
        row.relative_path: (row.upload_id, row.created_at)
        for row in UploadFile.objects.filter(relative_path__in=done, state=UploadState.COMPLETE)
    }
    assert set(finished_before) == set(done)
    big = UploadFile.objects.get(relative_path="experiment/z_stack/big.tif")
    assert 0 < big.offset < BIG

    second = _run([*common, "--parallel", "1", "--chunk-size", "1MiB"])
    out, err = second.communicate(timeout=60)

    assert second.returncode == 0, err
    assert f"{len(done)} skipped (already uploaded)" in out
    rows = {row.relative_path: row for row in UploadFile.objects.all()}
    assert set(rows) == set(files)  # nothing sent twice
    for relative, data in files.items():
        assert rows[relative].state == UploadState.COMPLETE
        assert rows[relative].sha256 == hashlib.sha256(data).hexdigest()
        assert upload_storage_path(rows[relative].storage_name).read_bytes() == data
    for relative, identity in finished_before.items():
        assert (rows[relative].upload_id, rows[relative].created_at) == identity
    assert rows["experiment/z_stack/big.tif"].upload_id == big.upload_id  # resumed, not started again

    third = _run(common)
    out, _ = third.communicate(timeout=60)
    assert third.returncode == 0
    assert f"{len(files)} skipped (already uploaded)" in out


def test_tool_reports_failures_with_exit_code_1(tmp_path, live_server, submitter, settings):
    settings.UPLOAD_MAX_FILE_BYTES = 10
    token = Token.objects.create(user=submitter).key
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "small.txt").write_bytes(b"ok")
    (folder / "large.txt").write_bytes(b"x" * 11)

    state_file = str(tmp_path / "s.json")
    run = _run(["--url", live_server.url, "--token", token, "--state-file", state_file, "--parallel", "1", str(folder)])
    out, err = run.communicate(timeout=60)

    assert run.returncode == 1
    assert "1 uploaded, 0 skipped (already uploaded), 1 failed." in out
    assert "FAILED f/large.txt" in err
    assert list(UploadFile.objects.values_list("relative_path", flat=True)) == ["f/small.txt"]


HELA_TREE = {"raw/cell_01.tif": b"cell 1 pixels", "raw/cell_02.tif": b"cell 2 pixels", "notes.txt": b"notes"}


def _tree(root: Path) -> None:
    for relative, data in HELA_TREE.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(data)


def _paths_of(user) -> set[str]:
    return set(UploadFile.objects.filter(area__owner=user).values_list("relative_path", flat=True))


def test_tool_and_browser_style_uploads_of_a_folder_give_the_same_paths(tmp_path, live_server, submitter, other_user):
    folder = tmp_path / "hela-fission"
    _tree(folder)
    token = Token.objects.create(user=submitter).key
    state_file = str(tmp_path / "s.json")
    run = _run(["--url", live_server.url, "--token", token, "--state-file", state_file, "--parallel", "1", str(folder)])
    _, err = run.communicate(timeout=60)
    assert run.returncode == 0, err

    # A browser picking or dropping the folder sends each file's path from the folder's own name on
    # (webkitRelativePath), which Uppy passes on as tus metadata `relativePath`.
    auth = {"Authorization": f"Token {Token.objects.create(user=other_user).key}"}
    client = TusClient(live_server.url + "/api/v1/uploads/tus/", headers=auth)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        web_kit_relative_path = path.relative_to(folder.parent).as_posix()
        client.uploader(
            file_path=str(path), metadata={"filename": path.name, "relativePath": web_kit_relative_path}
        ).upload()

    expected = {f"hela-fission/{relative}" for relative in HELA_TREE}
    assert _paths_of(submitter) == _paths_of(other_user) == expected


def test_tool_strip_top_folder_sends_paths_from_inside_the_folder(tmp_path, live_server, submitter):
    folder = tmp_path / "hela-fission"
    _tree(folder)
    token = Token.objects.create(user=submitter).key
    args = ["--url", live_server.url, "--token", token, "--state-file", str(tmp_path / "s.json"), "--parallel", "1"]
    run = _run([*args, "--strip-top-folder", str(folder)])
    _, err = run.communicate(timeout=60)
    assert run.returncode == 0, err
    assert _paths_of(submitter) == set(HELA_TREE)
