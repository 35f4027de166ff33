"""Uploads with tus-js-client, the tus client inside Uppy, run by Node.js against the live server."""

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.uploads.conftest import TUS_URL
from uploads.models import UploadFile, UploadState
from uploads.storage import upload_storage_path

pytestmark = [pytest.mark.node, pytest.mark.django_db(transaction=True)]

SCRIPT = Path(__file__).with_name("tus_js_upload.mjs")
CHUNK = 256 * 1024


def test_p_integrity_tus_js_client_upload_stopped_after_a_chunk_resumes_and_sha256_matches(
    node_package, live_server, submitter_token, tmp_path
):
    node = node_package("tus-js-client")
    data = os.urandom(3 * CHUNK + 1234)
    path = tmp_path / "stack.tif"
    path.write_bytes(data)

    run = subprocess.run(
        [node, SCRIPT, live_server.url + TUS_URL, submitter_token, path, "run1/stack.tif", str(CHUNK)],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["stoppedAt"] == CHUNK
    assert report["sent"] == {
        "first": ["POST"],  # creation-with-upload carried the first chunk
        "second": ["HEAD", f"PATCH {CHUNK}", f"PATCH {2 * CHUNK}", f"PATCH {3 * CHUNK}"],
    }
    upload = UploadFile.objects.get()
    assert report["url"].endswith(f"{TUS_URL}{upload.upload_id}/")
    assert (upload.state, upload.relative_path, upload.offset) == (UploadState.COMPLETE, "run1/stack.tif", len(data))
    assert upload.sha256 == hashlib.sha256(data).hexdigest()
    assert upload_storage_path(upload.storage_name).read_bytes() == data
