"""GET and DELETE /api/v1/uploads/files/ (docs/design.md §10.3)."""

import pytest
from django.test import Client

from tests.uploads.conftest import FILES_URL, make_upload
from uploads.models import UploadFile
from uploads.storage import upload_storage_path

pytestmark = pytest.mark.django_db


def _paths(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["path"] for row in response.json()["results"]]


def test_list_shows_own_files_with_their_deletion_dates(submitter_client, submitter, other_user):
    upload = make_upload(submitter, "plate/A01.tif", b"pixels")
    make_upload(other_user, "theirs.tif", b"theirs")

    response = submitter_client.get(FILES_URL)

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (1, None, None)
    row = body["results"][0]
    assert row == {
        "id": upload.pk,
        "path": "plate/A01.tif",
        "size": 6,
        "offset": 6,
        "state": "complete",
        "sha256": upload.sha256,
        "uploaded_at": upload.uploaded_at.isoformat().replace("+00:00", "Z"),
        "expires_at": upload.expires_at.isoformat().replace("+00:00", "Z"),
    }


def test_list_with_token_auth(submitter, submitter_token):
    make_upload(submitter, "a.tif", b"a")
    assert _paths(Client().get(FILES_URL, headers={"Authorization": f"Token {submitter_token}"})) == ["a.tif"]


def test_list_filters_by_folder(submitter_client, submitter):
    for path in ["plate1/A01.tif", "plate1/sub/A02.tif", "plate10/A01.tif", "top.tif"]:
        make_upload(submitter, path, b"x")
    assert _paths(submitter_client.get(FILES_URL, {"folder": "plate1"})) == ["plate1/A01.tif", "plate1/sub/A02.tif"]
    assert _paths(submitter_client.get(FILES_URL, {"folder": "plate1/"})) == ["plate1/A01.tif", "plate1/sub/A02.tif"]
    assert _paths(submitter_client.get(FILES_URL, {"folder": "plate1/sub"})) == ["plate1/sub/A02.tif"]
    refused = submitter_client.get(FILES_URL, {"folder": "../etc"})
    assert refused.status_code == 400
    assert "folder" in refused.json()


def test_list_orders_by_path_upload_time_or_deletion_time(submitter_client, submitter):
    make_upload(submitter, "b.tif", b"x")
    make_upload(submitter, "c.tif", b"xx", complete=False)
    make_upload(submitter, "a.tif", b"x")
    assert _paths(submitter_client.get(FILES_URL)) == ["a.tif", "b.tif", "c.tif"]
    assert _paths(submitter_client.get(FILES_URL, {"ordering": "-uploaded_at"})) == ["a.tif", "b.tif", "c.tif"]
    assert _paths(submitter_client.get(FILES_URL, {"ordering": "expires_at"})) == ["b.tif", "c.tif", "a.tif"]
    assert submitter_client.get(FILES_URL, {"ordering": "owner"}).status_code == 400


def test_list_is_paginated_in_a_fixed_number_of_queries(submitter_client, submitter, django_assert_max_num_queries):
    for number in range(30):
        make_upload(submitter, f"f{number:02}.tif", b"x")
    with django_assert_max_num_queries(4):
        response = submitter_client.get(FILES_URL, {"page_size": 10, "page": 2})
    assert _paths(response) == [f"f{number:02}.tif" for number in range(10, 20)]
    assert response.json()["count"] == 30
    assert submitter_client.get(FILES_URL, {"page_size": 101}).status_code == 400


def test_anonymous_caller_gets_401(anonymous_client):
    response = anonymous_client.get(FILES_URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_delete_removes_the_row_and_the_bytes(submitter_client, submitter, django_capture_on_commit_callbacks):
    upload = make_upload(submitter, "a.tif", b"pixels")
    stored = upload_storage_path(upload.storage_name)
    with django_capture_on_commit_callbacks(execute=True):
        response = submitter_client.delete(f"{FILES_URL}{upload.pk}/")
    assert response.status_code == 204
    assert not UploadFile.objects.exists()
    assert not stored.exists()


def test_p_upload_private_deleting_another_users_file_is_404(other_client, submitter):
    upload = make_upload(submitter, "a.tif", b"pixels")
    response = other_client.delete(f"{FILES_URL}{upload.pk}/")
    assert response.status_code == 404
    assert response.json()["rule"] == "P-UPLOAD-PRIVATE"
    assert UploadFile.objects.filter(pk=upload.pk).exists()
    assert upload_storage_path(upload.storage_name).exists()


def test_p_upload_private_curators_do_not_see_others_files_through_the_api(curator_client, submitter):
    make_upload(submitter, "a.tif", b"pixels")
    assert _paths(curator_client.get(FILES_URL)) == []
