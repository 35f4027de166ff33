"""The tus endpoint over real HTTP with tuspy and requests, against pytest-django's live server."""

import base64
import hashlib
import io
import json
import os
import socket
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
import requests
from tusclient.client import TusClient
from tusclient.exceptions import TusCommunicationError, TusUploadFailed
from tusclient.storage.filestorage import FileStorage
from tusclient.uploader import Uploader

from tests.uploads.conftest import FILES_URL, TUS_URL, metadata, sha256_header
from uploads.models import UploadFile, UploadState
from uploads.storage import hash_states, upload_storage_path

pytestmark = pytest.mark.django_db(transaction=True)

CHUNK = 256 * 1024
TUS = {"Tus-Resumable": "1.0.0"}


class Sha256Uploader(Uploader):
    CHECKSUM_ALGORITHM_PAIR = ("sha256", hashlib.sha256)


@pytest.fixture
def tus_endpoint(live_server):
    return live_server.url + TUS_URL


@pytest.fixture
def auth(submitter_token):
    return {"Authorization": f"Token {submitter_token}"}


@pytest.fixture
def tus_client(tus_endpoint, auth):
    return TusClient(tus_endpoint, headers=auth)


def _local_file(tmp_path, name: str, size: int):
    data = os.urandom(size)
    path = tmp_path / name
    path.write_bytes(data)
    return path, data


def _create(tus_endpoint, auth, *, size: int, path: str = "data/file.bin") -> str:
    response = requests.post(
        tus_endpoint,
        headers={**TUS, **auth, "Upload-Length": str(size), "Upload-Metadata": metadata(relativePath=path)},
    )
    assert response.status_code == 201, response.text
    return response.headers["Location"]


def _patch(url, auth, data: bytes, *, offset: int, **headers):
    return requests.patch(
        url,
        data=data,
        headers={
            **TUS,
            **auth,
            "Upload-Offset": str(offset),
            "Content-Type": "application/offset+octet-stream",
            **headers,
        },
    )


@pytest.mark.parametrize("same_process", [True, False], ids=["hash-state-cached", "prefix-rehashed"])
def test_p_integrity_upload_stopped_half_way_resumes_from_new_client_and_sha256_matches(
    tmp_path, tus_endpoint, auth, same_process
):
    path, data = _local_file(tmp_path, "stack.tif", 5 * CHUNK + 1234)
    urls = tmp_path / "urls.json"
    first = TusClient(tus_endpoint, headers=auth).uploader(
        file_path=str(path),
        chunk_size=CHUNK,
        metadata={"filename": "stack.tif", "relativePath": "run1/stack.tif"},
        store_url=True,
        url_storage=FileStorage(str(urls)),
        upload_checksum=True,  # tuspy's SHA-1
    )
    first.upload_chunk()
    first.upload_chunk()
    assert first.offset == 2 * CHUNK
    upload = UploadFile.objects.get()
    assert (upload.offset, upload.state, upload.relative_path) == (2 * CHUNK, UploadState.UPLOADING, "run1/stack.tif")
    first.url_storage.close()
    del first
    if not same_process:
        hash_states.clear()  # as if another web process served the rest

    second = Sha256Uploader(
        client=TusClient(tus_endpoint, headers=auth),
        file_path=str(path),
        chunk_size=CHUNK,
        store_url=True,
        url_storage=FileStorage(str(urls)),
        upload_checksum=True,
    )
    assert second.offset == 2 * CHUNK  # asked the server with HEAD
    second.upload()

    upload.refresh_from_db()
    assert upload.state == UploadState.COMPLETE
    assert upload.offset == upload.size == len(data)
    assert upload.sha256 == hashlib.sha256(data).hexdigest()
    assert upload_storage_path(upload.storage_name).read_bytes() == data
    assert upload.uploaded_at is not None


def test_creation_with_upload_stores_the_first_bytes(tus_endpoint, auth):
    data = os.urandom(3000)
    response = requests.post(
        tus_endpoint,
        data=data[:1000],
        headers={
            **TUS,
            **auth,
            "Upload-Length": str(len(data)),
            "Upload-Metadata": metadata(filename="a.bin"),
            "Content-Type": "application/offset+octet-stream",
            "Upload-Checksum": sha256_header(data[:1000]),
        },
    )
    assert response.status_code == 201, response.text
    assert response.headers["Upload-Offset"] == "1000"
    assert urllib.parse.urlsplit(response.headers["Location"]).path.startswith(TUS_URL)
    rest = _patch(response.headers["Location"], auth, data[1000:], offset=1000)
    assert rest.status_code == 204
    upload = UploadFile.objects.get()
    assert upload.relative_path == "a.bin"  # no relativePath: the file name
    assert upload.sha256 == hashlib.sha256(data).hexdigest()


def test_creation_with_upload_and_a_bad_checksum_creates_nothing(tus_endpoint, auth):
    response = requests.post(
        tus_endpoint,
        data=b"abc",
        headers={
            **TUS,
            **auth,
            "Upload-Length": "10",
            "Upload-Metadata": metadata(filename="a.bin"),
            "Content-Type": "application/offset+octet-stream",
            "Upload-Checksum": sha256_header(b"xyz"),
        },
    )
    assert response.status_code == 460
    assert not UploadFile.objects.exists()


def test_p_upload_retention_patch_on_a_complete_upload_answers_403_and_changes_nothing(tmp_path, tus_client):
    path, data = _local_file(tmp_path, "a.bin", 2 * CHUNK)
    uploader = tus_client.uploader(file_path=str(path), chunk_size=CHUNK, metadata={"filename": "a.bin"})
    uploader.upload()
    before = UploadFile.objects.get()
    assert before.state == UploadState.COMPLETE

    with pytest.raises(TusUploadFailed) as refused:
        uploader.upload_chunk()  # the rest of the file from the upload's offset: an empty PATCH

    assert refused.value.status_code == 403
    assert json.loads(refused.value.response_content)["rule"] == "P-UPLOAD-RETENTION"
    after = UploadFile.objects.get()
    assert (after.uploaded_at, after.expires_at, after.sha256) == (before.uploaded_at, before.expires_at, before.sha256)
    assert upload_storage_path(after.storage_name).read_bytes() == data


def test_termination_removes_the_upload_and_its_bytes(tmp_path, tus_client, auth):
    path, _ = _local_file(tmp_path, "a.bin", 3 * CHUNK)
    uploader = tus_client.uploader(file_path=str(path), chunk_size=CHUNK, metadata={"filename": "a.bin"})
    uploader.upload_chunk()
    stored = upload_storage_path(UploadFile.objects.get().storage_name)
    assert stored.exists()

    assert requests.delete(uploader.url, headers={**TUS, **auth}).status_code == 204
    assert requests.head(uploader.url, headers={**TUS, **auth}).status_code == 404
    assert not UploadFile.objects.exists()
    assert not stored.exists()


@pytest.mark.parametrize("algorithm", ["sha1", "sha256"])
def test_p_integrity_checksum_mismatch_answers_460_and_appends_nothing(tus_endpoint, auth, algorithm):
    url = _create(tus_endpoint, auth, size=100)
    assert _patch(url, auth, b"a" * 40, offset=0).status_code == 204
    wrong = base64.b64encode(hashlib.new(algorithm, b"something else").digest()).decode()

    response = _patch(url, auth, b"b" * 40, offset=40, **{"Upload-Checksum": f"{algorithm} {wrong}"})

    assert response.status_code == 460
    assert response.json()["rule"] == "P-INTEGRITY"
    assert requests.head(url, headers={**TUS, **auth}).headers["Upload-Offset"] == "40"
    assert upload_storage_path(UploadFile.objects.get().storage_name).read_bytes() == b"a" * 40
    right = base64.b64encode(hashlib.new(algorithm, b"b" * 60).digest()).decode()
    assert _patch(url, auth, b"b" * 60, offset=40, **{"Upload-Checksum": f"{algorithm} {right}"}).status_code == 204
    assert UploadFile.objects.get().sha256 == hashlib.sha256(b"a" * 40 + b"b" * 60).hexdigest()


def test_offset_mismatch_answers_409_with_the_current_offset(tus_endpoint, auth):
    url = _create(tus_endpoint, auth, size=100)
    assert _patch(url, auth, b"a" * 10, offset=0).status_code == 204

    response = _patch(url, auth, b"a" * 10, offset=20)

    assert response.status_code == 409
    assert response.json() == {
        "Upload-Offset": ["The upload is at offset 10; send the bytes from there (HEAD tells the offset)."],
        "rule": "TUS-UPLOAD-OFFSET",
    }
    assert UploadFile.objects.get().offset == 10


@pytest.mark.parametrize(
    ("relative_path", "phrase"),
    [
        ("/etc/passwd", "Absolute paths"),
        ("images/../../secret", "'..'"),
        ("images/./a.tif", "'.'"),
        ("images//a.tif", "Empty path components"),
        ("images/", "Empty path components"),
        ("images/a\x00.tif", "NUL or control"),
        ("images/a\x1b.tif", "NUL or control"),
        ("images\\a.tif", "Backslashes"),
        ("images/" + "é" * 128 + ".tif", "255 bytes"),
        ("/".join(["d" * 200] * 21), "4096 bytes"),
    ],
    ids=["absolute", "dotdot", "dot", "empty", "trailing-slash", "nul", "control", "backslash", "component", "total"],
)
def test_bad_path_is_refused_with_400_naming_the_rule(tus_client, relative_path, phrase):
    uploader = tus_client.uploader(
        file_stream=io.BytesIO(b"pixels"), metadata={"filename": "a.tif", "relativePath": relative_path}
    )
    with pytest.raises(TusCommunicationError) as refused:
        uploader.create_url()
    assert refused.value.status_code == 400
    body = refused.value.response_content.decode()
    assert '"rule": "UPLOAD-PATH"' in body
    assert phrase in body
    assert not UploadFile.objects.exists()


def test_path_is_normalised_to_nfc(tus_client):
    decomposed = "images/cafe\u0301.tif"
    tus_client.uploader(
        file_stream=io.BytesIO(b"pixels"), metadata={"filename": "x", "relativePath": decomposed}
    ).upload()
    assert UploadFile.objects.get().relative_path == "images/caf\u00e9.tif"


def test_quota_exceeded_answers_413(settings, tus_endpoint, auth):
    settings.UPLOAD_QUOTA_BYTES = 1000
    _create(tus_endpoint, auth, size=600)  # counted while still uploading
    response = requests.post(
        tus_endpoint, headers={**TUS, **auth, "Upload-Length": "500", "Upload-Metadata": metadata(filename="b.bin")}
    )
    assert response.status_code == 413
    assert response.json()["rule"] == "UPLOAD-QUOTA"
    assert UploadFile.objects.count() == 1


def test_file_over_the_maximum_size_answers_413_and_options_advertise_it(settings, tus_endpoint, auth):
    settings.UPLOAD_MAX_FILE_BYTES = 100
    options = requests.options(tus_endpoint)
    assert options.status_code == 204
    assert options.headers["Tus-Max-Size"] == "100"
    assert options.headers["Tus-Version"] == "1.0.0"
    assert options.headers["Tus-Checksum-Algorithm"] == "sha1,sha256"
    assert set(options.headers["Tus-Extension"].split(",")) == {
        "creation",
        "creation-with-upload",
        "expiration",
        "checksum",
        "termination",
    }
    response = requests.post(
        tus_endpoint, headers={**TUS, **auth, "Upload-Length": "101", "Upload-Metadata": metadata(filename="b.bin")}
    )
    assert response.status_code == 413
    assert response.json()["rule"] == "UPLOAD-MAX-SIZE"


def test_missing_tus_resumable_answers_412_with_the_version(tus_endpoint, auth):
    response = requests.post(tus_endpoint, headers={**auth, "Upload-Length": "5"})
    assert response.status_code == 412
    assert response.headers["Tus-Version"] == "1.0.0"
    assert response.json()["rule"] == "TUS-VERSION"


def test_p_upload_private_another_users_upload_is_404_and_not_listed(tus_endpoint, auth, other_token):
    url = _create(tus_endpoint, auth, size=100)
    assert _patch(url, auth, b"a" * 10, offset=0).status_code == 204
    intruder = {"Authorization": f"Token {other_token}"}

    assert requests.head(url, headers={**TUS, **intruder}).status_code == 404
    patch = _patch(url, intruder, b"b" * 10, offset=10)
    assert patch.status_code == 404
    assert patch.json()["rule"] == "P-UPLOAD-PRIVATE"
    assert requests.delete(url, headers={**TUS, **intruder}).status_code == 404
    listing = requests.get(tus_endpoint.replace(TUS_URL, FILES_URL), headers=intruder)
    assert listing.status_code == 200
    assert listing.json()["results"] == []
    upload = UploadFile.objects.get()
    assert upload.offset == 10
    assert upload_storage_path(upload.storage_name).read_bytes() == b"a" * 10


class SlowBody:
    """A request body with a known length that arrives slowly, to hold an append open."""

    def __init__(self, data: bytes, pause: float):
        self.stream = io.BytesIO(data)
        self.length = len(data)
        self.pause = pause

    def __len__(self):
        return self.length

    def read(self, size=-1):
        time.sleep(self.pause)
        return self.stream.read(64 * 1024)  # http.client sends whatever a read returns


def _flocked(path) -> bool:
    """Whether a process holds a flock on `path`, read from /proc/locks (taking one to find out would race)."""
    st = path.stat()
    file_id = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    return any(line.split()[5] == file_id for line in Path("/proc/locks").read_text().splitlines())


def test_concurrent_patches_at_the_same_offset_one_wins_the_other_gets_409(tus_endpoint, auth):
    winner_data = os.urandom(16 * 64 * 1024)
    url = _create(tus_endpoint, auth, size=len(winner_data))
    stored = upload_storage_path(UploadFile.objects.get().storage_name)
    results = {}

    def slow():
        results["slow"] = _patch(url, auth, SlowBody(winner_data, pause=0.05), offset=0)

    thread = threading.Thread(target=slow)
    thread.start()
    deadline = time.monotonic() + 10
    while not _flocked(stored):  # the slow append holds the lock and is receiving the body
        assert time.monotonic() < deadline
        time.sleep(0.01)
    second = _patch(url, auth, b"x" * 1000, offset=0)
    thread.join()

    assert second.status_code == 409
    assert second.json()["rule"] == "TUS-UPLOAD-OFFSET"
    assert results["slow"].status_code == 204
    upload = UploadFile.objects.get()
    assert upload.state == UploadState.COMPLETE
    assert stored.read_bytes() == winner_data
    assert upload.sha256 == hashlib.sha256(winner_data).hexdigest()


def test_client_disconnecting_mid_patch_keeps_the_bytes_received(live_server, tus_endpoint, auth):
    url = _create(tus_endpoint, auth, size=10_000)
    target = urllib.parse.urlsplit(url)
    head = (
        f"PATCH {target.path} HTTP/1.1\r\nHost: {target.netloc}\r\nTus-Resumable: 1.0.0\r\n"
        f"Authorization: {auth['Authorization']}\r\nUpload-Offset: 0\r\n"
        "Content-Type: application/offset+octet-stream\r\nContent-Length: 10000\r\n\r\n"
    )
    with socket.create_connection((target.hostname, target.port)) as connection:
        connection.sendall(head.encode() + b"z" * 6000)
        connection.shutdown(socket.SHUT_WR)  # the client goes away after 6,000 of 10,000 bytes
        connection.recv(1024)

    assert requests.head(url, headers={**TUS, **auth}).headers["Upload-Offset"] == "6000"
    assert _patch(url, auth, b"z" * 4000, offset=6000).status_code == 204
    assert UploadFile.objects.get().sha256 == hashlib.sha256(b"z" * 10_000).hexdigest()
