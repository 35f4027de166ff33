"""Archive storage on a real S3 server (SeaweedFS), as run at scale (docs/design.md §4)."""

import hashlib
import io
import os

import pytest
import requests
from django.urls import reverse

from archive.storage import archive_storage, content_key, content_store
from tests.factories import make_study, stored_file

pytestmark = pytest.mark.s3

CONTENT = b"\x89PNG fake pixels " * 1000


def test_content_is_stored_once_under_its_sha256_key(s3_archive):
    key, sha256, size = content_store(io.BytesIO(CONTENT))
    again, _, _ = content_store(io.BytesIO(CONTENT))

    assert key == again == content_key(sha256)
    assert size == len(CONTENT)
    listed = s3_archive.client.list_objects_v2(Bucket=s3_archive.bucket)["Contents"]
    assert [obj["Key"] for obj in listed] == [key]
    with archive_storage().open(key) as stored:
        assert stored.read() == CONTENT


def test_range_read_from_the_object_store(s3_archive):
    key, _, _ = content_store(io.BytesIO(CONTENT))
    part = s3_archive.client.get_object(Bucket=s3_archive.bucket, Key=key, Range="bytes=5-14")["Body"].read()
    assert part == CONTENT[5:15]


@pytest.mark.django_db
def test_download_redirects_to_a_signed_url_that_serves_ranges(s3_archive, anonymous_client):
    study = make_study(files=[stored_file("images/plate 1/cell.tif", CONTENT)])

    response = anonymous_client.get(
        reverse("study-file", kwargs={"accession": study.accession, "path": "images/plate 1/cell.tif"})
    )

    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    signed = response["Location"]
    assert signed.startswith(os.environ["S3_TEST_ENDPOINT"]) and "X-Amz-Signature" in signed
    whole = requests.get(signed, timeout=30)
    assert whole.status_code == 200
    assert hashlib.sha256(whole.content).hexdigest() == hashlib.sha256(CONTENT).hexdigest()
    assert 'filename="cell.tif"' in whole.headers["Content-Disposition"]
    part = requests.get(signed, headers={"Range": "bytes=100-199"}, timeout=30)
    assert part.status_code == 206
    assert part.content == CONTENT[100:200]


@pytest.mark.django_db
def test_signed_url_names_a_non_ascii_file_in_ascii_and_utf8(s3_archive, anonymous_client):
    study = make_study(files=[stored_file('images/Zellkern ümlaut "x".tif', CONTENT)])
    url = reverse("study-file", kwargs={"accession": study.accession, "path": 'images/Zellkern ümlaut "x".tif'})

    signed = anonymous_client.get(url)["Location"]
    whole = requests.get(signed, timeout=30)

    assert whole.status_code == 200
    assert whole.headers["Content-Disposition"] == (
        "attachment; filename=\"Zellkern umlaut _x_.tif\"; filename*=UTF-8''Zellkern%20%C3%BCmlaut%20%22x%22.tif"
    )


@pytest.mark.django_db
def test_conditional_requests_are_answered_before_the_redirect(s3_archive, anonymous_client):
    # The object store's ETag is its own (an MD5), so the portal judges its SHA-256 ETag itself.
    study = make_study(files=[stored_file("cell.tif", CONTENT)])
    url = reverse("study-file", kwargs={"accession": study.accession, "path": "cell.tif"})
    etag = f'"{hashlib.sha256(CONTENT).hexdigest()}"'

    failing_if_match = anonymous_client.get(url, HTTP_IF_MATCH='"stale"')
    not_modified = anonymous_client.get(url, HTTP_IF_NONE_MATCH=etag)
    matching_if_match = anonymous_client.get(url, HTTP_IF_MATCH=etag)

    assert failing_if_match.status_code == 412 and "Location" not in failing_if_match
    assert not_modified.status_code == 304 and not_modified["ETag"] == etag
    assert matching_if_match.status_code == 302


@pytest.mark.django_db
def test_confidential_study_on_s3_gives_others_no_signed_url(s3_archive, other_client):
    study = make_study(status="confidential", files=[stored_file("a.tif", CONTENT)])
    response = other_client.get(reverse("study-file", kwargs={"accession": study.accession, "path": "a.tif"}))
    assert response.status_code == 404
    assert "Location" not in response
