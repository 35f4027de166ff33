"""Bytes of uploads on disk: one file per upload under UPLOAD_ROOT, appended in place.

The SHA-256 of an upload is computed while its bytes are written. Each process
keeps the hash state of the uploads it served last, with the offset it covers;
an append served by another process (or after a restart) re-hashes the prefix
on disk once. Memory stays flat: bodies are read and written in chunks.
"""

import contextlib
import fcntl
import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

from uploads.errors import ChecksumMismatch, UploadBusy, UploadError, UploadNotFound

CHUNK_SIZE = 4 * 1024 * 1024
CHECKSUM_ALGORITHMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256}


def upload_root() -> Path:
    return Path(settings.UPLOAD_ROOT)


def upload_storage_path(storage_name: str) -> Path:
    return upload_root() / storage_name


def upload_bytes_create(storage_name: str) -> None:
    """Create the empty file that an upload's bytes are appended to."""
    path = upload_storage_path(storage_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(exist_ok=False)


def upload_bytes_remove(storage_name: str) -> None:
    """Remove an upload's bytes; already gone is fine (safe to run twice)."""
    upload_storage_path(storage_name).unlink(missing_ok=True)


class HashStates:
    """Per-process SHA-256 states of recent uploads, each with the offset it covers."""

    def __init__(self, capacity: int = 256):
        self._capacity = capacity
        self._states: OrderedDict[str, tuple[int, object]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str, offset: int):
        """Remove and return the state of `key` if it covers exactly `offset` bytes, else None."""
        with self._lock:
            entry = self._states.pop(key, None)
        if entry is None or entry[0] != offset:
            return None
        return entry[1]

    def keep(self, key: str, offset: int, digest) -> None:
        with self._lock:
            self._states[key] = (offset, digest)
            self._states.move_to_end(key)
            while len(self._states) > self._capacity:
                self._states.popitem(last=False)

    def forget(self, key: str) -> None:
        with self._lock:
            self._states.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._states.clear()


hash_states = HashStates()


@contextlib.contextmanager
def upload_bytes_locked(storage_name: str) -> Iterator[BinaryIO]:
    """Open an upload's bytes for appending under an exclusive OS lock, or raise UploadBusy.

    flock is taken without waiting: a second concurrent PATCH to the same upload
    is answered 409 at once rather than queued behind a transfer of unknown length.
    The lock works across processes (and, on Linux NFS, across hosts).
    """
    try:
        handle = open(upload_storage_path(storage_name), "r+b")  # noqa: SIM115 - closed below
    except FileNotFoundError:  # terminated or purged meanwhile
        raise UploadNotFound() from None
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UploadBusy() from None
        yield handle
    finally:
        handle.close()  # also releases the lock


def _hash_prefix(handle: BinaryIO, offset: int):
    """Re-hash the first `offset` bytes on disk (a resume this process did not see start)."""
    digest = hashlib.sha256()
    handle.seek(0)
    remaining = offset
    while remaining:
        chunk = handle.read(min(CHUNK_SIZE, remaining))
        if not chunk:
            raise UploadError(
                rule="P-INTEGRITY",
                field="upload",
                message="The stored bytes of this upload are shorter than its offset.",
            )
        digest.update(chunk)
        remaining -= len(chunk)
    return digest


@dataclass(frozen=True)
class Checksum:
    """A tus Upload-Checksum: the algorithm name and the expected digest of the body."""

    algorithm: str
    digest: bytes


@dataclass
class Appended:
    written: int
    digest: object  # the SHA-256 state of the whole upload so far


def append_body(
    *, handle: BinaryIO, key: str, offset: int, limit: int, body: BinaryIO, checksum: Checksum | None
) -> Appended:
    """Append up to `limit` bytes of `body` at `offset`, hashing them as they are written.

    Without a checksum, a body cut short (the client went away) keeps the bytes
    received. With one, the body is all or nothing: on a mismatch or a short
    body the file is cut back to `offset` and ChecksumMismatch is raised.
    """
    digest = hash_states.take(key, offset)
    if os.fstat(handle.fileno()).st_size < offset:  # truncate() would pad the gap with zeros
        raise UploadError(rule="P-INTEGRITY", field="upload", message="The stored bytes of this upload are missing.")
    # Bytes past the recorded offset are left over from an append that never committed.
    handle.truncate(offset)
    if digest is None:
        digest = _hash_prefix(handle, offset)
    before = digest.copy() if checksum else None
    check = CHECKSUM_ALGORITHMS[checksum.algorithm]() if checksum else None
    handle.seek(offset)
    written = 0
    while written < limit:
        try:
            chunk = body.read(min(CHUNK_SIZE, limit - written))
        except OSError:  # the client disconnected mid-body
            break
        if not chunk:
            break
        handle.write(chunk)
        digest.update(chunk)
        if check:
            check.update(chunk)
        written += len(chunk)
    if checksum and check.digest() != checksum.digest:
        handle.truncate(offset)
        hash_states.keep(key, offset, before)
        raise ChecksumMismatch(algorithm=checksum.algorithm)
    handle.flush()
    return Appended(written=written, digest=digest)
