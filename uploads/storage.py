"""Bytes of uploads on disk: one file per upload under UPLOAD_ROOT, appended in place.

The SHA-256 of an upload is computed while its bytes are written. Each process
keeps the hash state of the uploads it served last, with the offset it covers;
an append served by another process (or after a restart) re-hashes the prefix
on disk once. Memory stays flat: bodies are read and written in chunks, through
a few reused buffers.

Whole blocks are written with O_DIRECT, straight from the buffers to the disk:
copying hundreds of gigabytes through the page cache cost more CPU than hashing
them and evicted everything else the host had cached. The partial blocks at the
two ends of an append go through the page cache (O_DIRECT needs aligned offsets,
lengths and memory); where O_DIRECT is not supported, everything does.

Bytes are not fsynced: the upload area is transient staging, and a crash of the
web process loses nothing. Only a crash of the host can lose acknowledged bytes
(the disk's write cache, the partial blocks); the next append then finds the file
shorter than its offset and says so (P-INTEGRITY) rather than padding it, and
archive storage re-hashes every file on ingest. An fsync per append would tie
every upload to the disk's sustained write speed.
"""

import contextlib
import errno
import fcntl
import hashlib
import mmap
import os
import queue
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

from uploads.errors import ChecksumMismatch, UploadBusy, UploadError, UploadNotFound

CHUNK_SIZE = 4 * 1024 * 1024
# O_DIRECT alignment of file offsets, lengths and memory: the page size covers 512-byte and 4K disks.
BLOCK = mmap.PAGESIZE
# Buffers per append: one being received and written, the others queued for or being hashed.
PIPELINE_BUFFERS = 4
CHECKSUM_ALGORITHMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256}


def upload_root() -> Path:
    return Path(settings.UPLOAD_ROOT)


def upload_storage_path(storage_name: str) -> Path:
    return upload_root() / storage_name


def upload_area_clock_ns() -> int:
    """The upload filesystem's time now, as the ctime of a file made there: the clock its files' ctimes are on
    (a shared filesystem's server may differ from this host's clock)."""
    upload_root().mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=upload_root()) as probe:
        return os.fstat(probe.fileno()).st_ctime_ns


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
        # Unbuffered: appends write whole chunks, so a buffer in between would only add a copy.
        handle = open(upload_storage_path(storage_name), "r+b", buffering=0)  # noqa: SIM115 - closed below
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
    buffer = memoryview(bytearray(CHUNK_SIZE))
    handle.seek(0)
    remaining = offset
    while remaining:
        count = handle.readinto(buffer[: min(CHUNK_SIZE, remaining)])
        if not count:
            raise UploadError(
                rule="P-INTEGRITY",
                field="upload",
                message="The stored bytes of this upload are shorter than its offset.",
            )
        digest.update(buffer[:count])
        remaining -= count
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


class _Hasher:
    """Hash chunks on a second thread while the request thread receives and writes the next ones.

    Socket reads, file writes and hashlib's update of a large buffer all release
    the GIL, so the two threads run in parallel; hashing in turn with the rest
    would add its whole time (as long as receiving and writing) to every upload.
    Buffers come back through `free` once hashed, so memory stays at
    PIPELINE_BUFFERS × CHUNK_SIZE whatever the body's size.
    """

    def __init__(self, digests: list):
        self._digests = digests
        self._queued: queue.SimpleQueue = queue.SimpleQueue()
        self.free: queue.SimpleQueue = queue.SimpleQueue()
        for _ in range(PIPELINE_BUFFERS):
            self.free.put(mmap.mmap(-1, CHUNK_SIZE))  # page-aligned, as O_DIRECT needs
        self._thread = threading.Thread(target=self._run, name="upload-hash", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (item := self._queued.get()) is not None:
            buffer, start, end = item
            with memoryview(buffer) as view:
                for digest in self._digests:
                    digest.update(view[start:end])
            self.free.put(buffer)

    def hash(self, buffer: mmap.mmap, start: int, end: int) -> None:
        self._queued.put((buffer, start, end))

    def finish(self) -> None:
        """Wait until every chunk handed over is hashed."""
        self._queued.put(None)
        self._thread.join()


def _receive(body, buffer: memoryview) -> tuple[int, bool]:
    """Fill `buffer` from `body`; return the bytes received and whether the body ended early."""
    filled = 0
    while filled < len(buffer):
        try:
            count = body.readinto(buffer[filled:])
        except OSError:  # the client disconnected mid-body
            return filled, True
        if not count:
            return filled, True
        filled += count
    return filled, False


class _Writer:
    """Write chunks at given positions: whole blocks with O_DIRECT where it works, the rest cached.

    A chunk's bytes sit in its buffer at the same offset modulo BLOCK as in the
    file, so its whole blocks are aligned in memory too.
    """

    def __init__(self, fd: int):
        self._fd = fd
        # Off where direct writes are slow (NFS waits for the server on each one).
        self._direct = settings.UPLOAD_DIRECT_IO

    def write(self, position: int, data: memoryview) -> None:
        head = min(-position % BLOCK, len(data))
        middle = head + (len(data) - head) // BLOCK * BLOCK
        self._write(position, data[:head], direct=False)
        self._write(position + head, data[head:middle], direct=self._direct)
        self._write(position + middle, data[middle:], direct=False)

    def _write(self, position: int, data: memoryview, *, direct: bool) -> None:
        if not data:
            return
        if direct:
            try:
                self._set_direct(True)
                try:
                    self._pwrite(position, data)
                finally:
                    self._set_direct(False)
                return
            except OSError as exc:
                if exc.errno != errno.EINVAL:
                    raise
                self._direct = False  # the file system refuses O_DIRECT (or this alignment): cache it all
        self._pwrite(position, data)

    def _set_direct(self, on: bool) -> None:
        flags = fcntl.fcntl(self._fd, fcntl.F_GETFL)
        fcntl.fcntl(self._fd, fcntl.F_SETFL, flags | os.O_DIRECT if on else flags & ~os.O_DIRECT)

    def _pwrite(self, position: int, data: memoryview) -> None:
        while data:
            written = os.pwrite(self._fd, data, position)
            data, position = data[written:], position + written


def append_body(*, handle: BinaryIO, key: str, offset: int, limit: int, body, checksum: Checksum | None) -> Appended:
    """Append up to `limit` bytes of `body` at `offset`, hashing them as they are written.

    `body` is read with readinto(), never asked for more than `limit` bytes in all.
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
    written = 0
    writer = _Writer(handle.fileno())
    hasher = _Hasher([digest, check] if check else [digest])
    try:
        while written < limit:
            buffer = hasher.free.get()
            position = offset + written
            start = position % BLOCK
            with memoryview(buffer) as view:
                count, ended = _receive(body, view[start : start + min(CHUNK_SIZE - start, limit - written)])
                writer.write(position, view[start : start + count])
            hasher.hash(buffer, start, start + count)
            written += count
            if ended:
                break
    finally:
        hasher.finish()
    if checksum and check.digest() != checksum.digest:
        handle.truncate(offset)
        hash_states.keep(key, offset, before)
        raise ChecksumMismatch(algorithm=checksum.algorithm)
    return Appended(written=written, digest=digest)
