"""Archive storage on a real S3 server (SeaweedFS), as run at scale (DESIGN §4)."""

import io

import pytest

from archive.storage import archive_storage, content_key, content_store

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
