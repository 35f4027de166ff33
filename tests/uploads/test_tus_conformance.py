"""tus 1.0.0 conformance over real HTTP (http.client against the live server): methods, metadata, body lengths."""

import http.client
import json
import urllib.parse

import pytest

from tests.uploads.conftest import TUS_URL, metadata
from uploads.models import UploadFile
from uploads.storage import upload_storage_path

pytestmark = pytest.mark.django_db(transaction=True)

TUS = {"Tus-Resumable": "1.0.0"}
OCTETS = "application/offset+octet-stream"
CREATION_ALLOW = "POST, OPTIONS"
UPLOAD_ALLOW = "HEAD, PATCH, DELETE, OPTIONS"


@pytest.fixture
def send(live_server, submitter_token):
    """Send one request to the live server on a fresh connection; return the response, its body read."""
    server = urllib.parse.urlsplit(live_server.url)

    def send(method: str, path: str, body=None, **headers: str) -> tuple[http.client.HTTPResponse, bytes]:
        connection = http.client.HTTPConnection(server.hostname, server.port, timeout=30)
        try:
            connection.request(
                method, path, body=body, headers={**TUS, "Authorization": f"Token {submitter_token}", **headers}
            )
            response = connection.getresponse()
            return response, response.read()
        finally:
            connection.close()

    return send


def _create(send, *, size: int = 10, **headers: str) -> str:
    headers = {"Upload-Length": str(size), "Upload-Metadata": metadata(filename="a.bin"), **headers}
    response, body = send("POST", TUS_URL, **headers)
    assert response.status == 201, body
    return urllib.parse.urlsplit(response.getheader("Location")).path


@pytest.mark.parametrize(
    ("method", "on_upload", "allow"),
    [
        ("GET", False, CREATION_ALLOW),
        ("PATCH", False, CREATION_ALLOW),
        ("PUT", False, CREATION_ALLOW),
        ("DELETE", False, CREATION_ALLOW),
        ("GET", True, UPLOAD_ALLOW),
        ("PUT", True, UPLOAD_ALLOW),
        ("POST", True, UPLOAD_ALLOW),
    ],
    ids=[
        "get-creation",
        "patch-creation",
        "put-creation",
        "delete-creation",
        "get-upload",
        "put-upload",
        "post-upload",
    ],
)
def test_tus_protocol_wrong_method_answers_json_405_with_allow_and_the_tus_headers(send, method, on_upload, allow):
    url = _create(send) if on_upload else TUS_URL

    response, body = send(method, url, body=b"" if method in ("PATCH", "PUT", "POST") else None)

    assert response.status == 405
    assert response.getheader("Allow") == allow
    assert (response.getheader("Tus-Resumable"), response.getheader("Tus-Version")) == ("1.0.0", "1.0.0")
    assert response.getheader("Content-Type") == "application/json"
    error = json.loads(body)
    assert error["rule"] == "TUS-PROTOCOL"
    assert method in error["method"][0] and allow in error["method"][0]
    assert UploadFile.objects.count() == (1 if on_upload else 0)


def test_tus_protocol_head_on_the_creation_url_answers_405_with_allow(send):
    response, body = send("HEAD", TUS_URL)
    assert response.status == 405
    assert response.getheader("Allow") == CREATION_ALLOW
    assert response.getheader("Tus-Resumable") == "1.0.0"
    assert body == b""


def test_tus_creation_head_repeats_upload_metadata_as_given_at_creation(send):
    # A key without a value is allowed by the creation extension.
    given = metadata(filename="cell.tif", relativePath="plate1/cell.tif") + ",confidential"
    url = _create(send, **{"Upload-Metadata": given})

    response, _ = send("HEAD", url)

    assert response.status == 200
    assert response.getheader("Upload-Metadata") == given


def _chunked(*parts: bytes):
    """A body that http.client sends with Transfer-Encoding: chunked (an iterable has no length)."""
    return iter(parts)


def test_tus_protocol_chunked_patch_answers_411_and_stores_nothing(send):
    url = _create(send, size=10)

    response, body = send(
        "PATCH", url, body=_chunked(b"01234", b"56789"), **{"Upload-Offset": "0", "Content-Type": OCTETS}
    )

    assert response.status == 411
    assert response.getheader("Tus-Resumable") == "1.0.0"
    assert json.loads(body)["rule"] == "TUS-PROTOCOL" and "Content-Length" in json.loads(body)
    upload = UploadFile.objects.get()
    assert upload.offset == 0 and not upload.is_complete
    assert upload_storage_path(upload.storage_name).read_bytes() == b""
    head, _ = send("HEAD", url)
    assert head.getheader("Upload-Offset") == "0"
    # The same bytes with a Content-Length are taken.
    response, _ = send(
        "PATCH", url, body=b"0123456789", **{"Upload-Offset": "0", "Content-Type": OCTETS, "Content-Length": "10"}
    )
    assert response.status == 204 and response.getheader("Upload-Offset") == "10"


def test_tus_protocol_chunked_creation_with_upload_answers_411_and_creates_nothing(send):
    response, body = send(
        "POST",
        TUS_URL,
        body=_chunked(b"01234"),
        **{"Upload-Length": "10", "Content-Type": OCTETS, "Upload-Metadata": metadata(filename="a.bin")},
    )

    assert response.status == 411
    assert json.loads(body)["rule"] == "TUS-PROTOCOL"
    assert not UploadFile.objects.exists()
