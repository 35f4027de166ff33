"""Content-addressed archive storage: each distinct content is stored once, under its SHA-256."""

import hashlib
import tempfile
from typing import BinaryIO

from django.core.files import File
from django.core.files.storage import Storage, storages

CHUNK_SIZE = 4 * 1024 * 1024


def archive_storage() -> Storage:
    return storages["archive"]


def content_key(sha256: str) -> str:
    """Return the storage key for a content hash: sha256/ab/cd/<hash>."""
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def sha256_of(stream: BinaryIO) -> tuple[str, int]:
    """Hash a stream in chunks (memory stays flat) and return (hex digest, size)."""
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK_SIZE):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


class ContentMismatch(Exception):
    """The bytes read do not have the SHA-256 the caller expected; nothing was stored."""

    def __init__(self, *, sha256: str, size: int):
        super().__init__(f"read {size} bytes with SHA-256 {sha256}")
        self.sha256 = sha256
        self.size = size


def content_store(stream: BinaryIO, *, expected_sha256: str | None = None) -> tuple[str, str, int]:
    """Store the bytes of `stream` once under their content key; return (key, sha256, size).

    The stream is spooled to a temporary file while it is hashed, so content
    that is already stored is not written again. With `expected_sha256`, bytes
    that hash otherwise raise ContentMismatch and are not stored.
    """
    digest = hashlib.sha256()
    size = 0
    with tempfile.SpooledTemporaryFile(max_size=CHUNK_SIZE) as spool:
        while chunk := stream.read(CHUNK_SIZE):
            digest.update(chunk)
            spool.write(chunk)
            size += len(chunk)
        sha256 = digest.hexdigest()
        if expected_sha256 is not None and sha256 != expected_sha256:
            raise ContentMismatch(sha256=sha256, size=size)
        key = content_key(sha256)
        storage = archive_storage()
        if not storage.exists(key):
            spool.seek(0)
            saved = storage.save(key, File(spool))
            if saved != key:  # a backend that renames would break content addressing
                raise RuntimeError(f"Archive storage saved {key} as {saved}")
    return key, sha256, size
