"""Storing an upload by hard link (P-INTEGRITY): the bytes linked are the bytes checked.

The move checks every file, then links it; a file whose inode has not changed since the check began is linked
without being read again, and any write or replacement after that moment makes it hashed again.
"""

import hashlib
import os

import pytest

from archive.storage import Verified, archive_storage, content_key, content_store_file
from uploads.storage import upload_area_clock_ns, upload_root


def _upload(name: str, data: bytes):
    path = upload_root() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_p_integrity_a_file_unchanged_since_its_check_is_linked_under_the_checked_hash_unread():
    path = _upload("a.tif", b"checked bytes")
    checked = "0" * 64  # not the bytes' hash: had the file been read again, its own hash would be the key
    verified = Verified(sha256=checked, size=len(b"checked bytes"), checked_from_ns=upload_area_clock_ns() + 1)

    key, sha256, size = content_store_file(path, verified=verified)

    assert (key, sha256, size) == (content_key(checked), checked, 13)
    assert os.stat(archive_storage().path(key)).st_ino == path.stat().st_ino  # linked, not copied


@pytest.mark.parametrize("change", ["rewritten", "replaced"])
def test_p_integrity_a_file_changed_after_its_check_began_is_hashed_again(change):
    path = _upload("a.tif", b"checked bytes")
    verified = Verified(sha256=_sha256(b"checked bytes"), size=13, checked_from_ns=upload_area_clock_ns())
    if change == "rewritten":
        path.write_bytes(b"changed bytes")  # same size: only the inode's change time tells
    else:
        _upload("new.tif", b"changed bytes").replace(path)

    key, sha256, size = content_store_file(path, verified=verified)

    assert (key, sha256, size) == (content_key(_sha256(b"changed bytes")), _sha256(b"changed bytes"), 13)


def test_p_integrity_a_file_of_another_size_than_checked_is_hashed_again():
    path = _upload("a.tif", b"longer than checked")
    verified = Verified(sha256=_sha256(b"short"), size=5, checked_from_ns=upload_area_clock_ns() + 1)

    _key, sha256, size = content_store_file(path, verified=verified)

    assert (sha256, size) == (_sha256(b"longer than checked"), 19)


def test_p_integrity_the_upload_area_clock_is_the_filesystem_s_own():
    before = upload_area_clock_ns()
    path = _upload("a.tif", b"x")

    assert before <= path.stat().st_ctime_ns <= upload_area_clock_ns()
