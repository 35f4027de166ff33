"""Header-level tus behaviour, through Django's test client (no server needed)."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils.http import http_date

from tests.uploads.conftest import TUS_URL, make_upload, metadata
from uploads.models import UploadFile, UploadState

pytestmark = pytest.mark.django_db

TUS = {"Tus-Resumable": "1.0.0"}
OCTETS = "application/offset+octet-stream"


def _create(client, *, size: int = 100, path: str = "a/b.bin", **headers):
    return client.post(
        TUS_URL,
        headers={**TUS, "Upload-Length": str(size), "Upload-Metadata": metadata(relativePath=path), **headers},
    )


def test_every_response_carries_tus_resumable_and_errors_a_json_body(submitter_client):
    response = _create(submitter_client)
    assert response["Tus-Resumable"] == "1.0.0"
    head = submitter_client.head(response["Location"], headers=TUS)
    assert head.status_code == 200
    assert head["Tus-Resumable"] == "1.0.0"
    assert head["Cache-Control"] == "no-store"
    assert (head["Upload-Offset"], head["Upload-Length"]) == ("0", "100")
    wrong = submitter_client.patch(response["Location"], b"x", content_type=OCTETS, headers={**TUS})
    assert wrong.status_code == 400
    assert wrong["Tus-Resumable"] == "1.0.0"
    assert wrong.json() == {"Upload-Offset": ["Give Upload-Offset as a whole number of bytes."], "rule": "TUS-PROTOCOL"}


def test_wrong_tus_resumable_version_answers_412(submitter_client):
    response = _create(submitter_client, **{"Tus-Resumable": "0.2.2"})
    assert response.status_code == 412
    assert response["Tus-Version"] == "1.0.0"
    assert not UploadFile.objects.exists()


def test_patch_with_the_wrong_content_type_answers_415(submitter_client):
    location = _create(submitter_client)["Location"]
    response = submitter_client.patch(
        location, b"abc", content_type="application/octet-stream", headers={**TUS, "Upload-Offset": "0"}
    )
    assert response.status_code == 415
    assert UploadFile.objects.get().offset == 0


def test_patch_past_the_declared_length_answers_413(submitter_client):
    location = _create(submitter_client, size=3)["Location"]
    response = submitter_client.patch(location, b"abcd", content_type=OCTETS, headers={**TUS, "Upload-Offset": "0"})
    assert response.status_code == 413
    assert response.json()["rule"] == "TUS-UPLOAD-LENGTH"


def test_unsupported_checksum_algorithm_answers_400(submitter_client):
    location = _create(submitter_client, size=3)["Location"]
    response = submitter_client.patch(
        location, b"abc", content_type=OCTETS, headers={**TUS, "Upload-Offset": "0", "Upload-Checksum": "md5 AAAA"}
    )
    assert response.status_code == 400
    assert UploadFile.objects.get().offset == 0


def test_deferred_length_is_refused(submitter_client):
    response = submitter_client.post(
        TUS_URL, headers={**TUS, "Upload-Defer-Length": "1", "Upload-Metadata": metadata(filename="a")}
    )
    assert response.status_code == 400


@pytest.mark.parametrize("relative_path", [None, "", "null"], ids=["missing", "empty", "uppy-null"])
def test_missing_relative_path_falls_back_to_the_file_name(submitter_client, relative_path):
    values = {"filename": "cell.tif"} | ({} if relative_path is None else {"relativePath": relative_path})
    response = submitter_client.post(
        TUS_URL, headers={**TUS, "Upload-Length": "4", "Upload-Metadata": metadata(**values)}
    )
    assert response.status_code == 201
    assert UploadFile.objects.get().relative_path == "cell.tif"


def test_unauthenticated_caller_gets_401_json(anonymous_client):
    response = _create(anonymous_client)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["rule"] == "AUTH"


def test_invalid_token_gets_401(anonymous_client):
    response = _create(anonymous_client, Authorization="Token not-a-key")
    assert response.status_code == 401


def test_session_without_csrf_token_is_refused_and_with_it_accepted(submitter):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(submitter)
    refused = _create(browser)
    assert refused.status_code == 403
    assert refused.json()["rule"] == "CSRF"

    browser.get("/api/v1/uploads/files/")  # any page; the cookie is what matters
    token = "a" * 32
    browser.cookies["csrftoken"] = token
    accepted = _create(browser, **{"X-CSRFToken": token})
    assert accepted.status_code == 201


def test_token_auth_needs_no_csrf_token(submitter_token):
    response = _create(Client(enforce_csrf_checks=True), Authorization=f"Token {submitter_token}")
    assert response.status_code == 201


def test_method_override_header_is_honoured(submitter_client):
    location = _create(submitter_client, size=3)["Location"]
    response = submitter_client.post(
        location, b"abc", content_type=OCTETS, headers={**TUS, "Upload-Offset": "0", "X-HTTP-Method-Override": "PATCH"}
    )
    assert response.status_code == 204
    assert UploadFile.objects.get().state == UploadState.COMPLETE


def test_p_upload_retention_upload_expires_header_equals_expires_at(submitter_client):
    created = _create(submitter_client, size=6)
    upload = UploadFile.objects.get()
    assert created["Upload-Expires"] == http_date(upload.expires_at.timestamp())
    with time_machine.travel(upload.created_at + datetime.timedelta(days=3)):
        patched = submitter_client.patch(
            created["Location"], b"abc", content_type=OCTETS, headers={**TUS, "Upload-Offset": "0"}
        )
    upload.refresh_from_db()
    assert patched["Upload-Expires"] == http_date(upload.expires_at.timestamp())
    assert submitter_client.head(created["Location"], headers=TUS)["Upload-Expires"] == patched["Upload-Expires"]


@pytest.mark.parametrize(
    ("offset", "data"), [("3", b""), ("3", b"d"), ("0", b"abc")], ids=["empty", "past-the-end", "from-the-start"]
)
def test_p_upload_retention_patch_on_a_complete_upload_answers_403_and_changes_nothing(submitter_token, offset, data):
    # A token, because a session would have expired by then.
    client = Client(headers={"Authorization": f"Token {submitter_token}"})
    location = _create(client, size=3)["Location"]
    assert client.patch(location, b"abc", content_type=OCTETS, headers={**TUS, "Upload-Offset": "0"}).status_code == 204
    before = UploadFile.objects.get()
    expires = client.head(location, headers=TUS)["Upload-Expires"]

    with time_machine.travel(before.uploaded_at + datetime.timedelta(days=80)):
        response = client.patch(
            location,
            data,
            headers={**TUS, "Upload-Offset": offset},
            # Set by hand: the test client sends neither for an empty body, as real clients do.
            CONTENT_TYPE=OCTETS,
            CONTENT_LENGTH=str(len(data)),
        )

    assert response.status_code == 403
    assert response["Tus-Resumable"] == "1.0.0"
    assert response.json()["rule"] == "P-UPLOAD-RETENTION"
    assert "complete" in response.json()["upload"][0]
    after = UploadFile.objects.get()
    assert (after.uploaded_at, after.expires_at, after.sha256, after.offset) == (
        before.uploaded_at,
        before.expires_at,
        before.sha256,
        3,
    )
    assert client.head(location, headers=TUS)["Upload-Expires"] == expires


def test_p_upload_retention_expired_upload_answers_410(submitter, submitter_token):
    upload = make_upload(submitter, "late.bin", b"0123456789", complete=False)
    location = f"{TUS_URL}{upload.upload_id}/"
    # A token, because a session would have expired by then.
    submitter_client = Client(headers={"Authorization": f"Token {submitter_token}"})
    with time_machine.travel(upload.expires_at - datetime.timedelta(seconds=1)):
        assert submitter_client.head(location, headers=TUS).status_code == 200
    with time_machine.travel(upload.expires_at + datetime.timedelta(seconds=1)):
        assert submitter_client.head(location, headers=TUS).status_code == 410
        patched = submitter_client.patch(location, b"56789", content_type=OCTETS, headers={**TUS, "Upload-Offset": "5"})
        assert patched.status_code == 410
        assert patched.json()["rule"] == "P-UPLOAD-RETENTION"
    assert UploadFile.objects.get().offset == 5


def test_options_needs_neither_authentication_nor_tus_resumable(anonymous_client):
    response = anonymous_client.options(TUS_URL)
    assert response.status_code == 204
    assert response["Tus-Resumable"] == "1.0.0"


def test_wrong_method_for_the_url_answers_405(submitter_client):
    assert submitter_client.patch(TUS_URL, b"", content_type=OCTETS, headers=TUS).status_code == 405
