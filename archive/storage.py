"""Content-addressed archive storage: each distinct content is stored once, under its SHA-256."""

import errno
import hashlib
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages

CHUNK_SIZE = 4 * 1024 * 1024


def archive_storage() -> Storage:
    return storages["archive"]


def content_key(sha256: str) -> str:
    """Return the storage key for a content hash: sha256/ab/cd/<hash>."""
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


HASH_READ_SIZE = 1024 * 1024
_hash_buffers = threading.local()


def sha256_of(stream: BinaryIO) -> tuple[str, int]:
    """Hash a stream in chunks (memory stays flat) and return (hex digest, size).

    Each thread reads into its own buffer, kept: a fresh chunk per read left the allocator's heaps growing by
    about 50 MB over a million small files read by the move's threads.
    """
    buffer = getattr(_hash_buffers, "view", None)
    if buffer is None:
        buffer = _hash_buffers.view = memoryview(bytearray(HASH_READ_SIZE))
    digest = hashlib.sha256()
    size = 0
    while count := stream.readinto(buffer):
        digest.update(buffer[:count])
        size += count
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
        spool.seek(0)
        store_once(key, File(spool))
    return key, sha256, size


def store_once(key: str, content: File) -> None:
    """Save `content` in archive storage under `key`, unless something is stored there already.

    Keys follow from the content (its hash, or the hash of what it was made from), so whatever is
    stored under one is the same content: one copy is kept.
    """
    storage = archive_storage()
    if storage.exists(key):
        return
    saved = storage.save(key, content)
    if saved != key:
        # Another writer stored the same content under the key meanwhile, and the backend saved ours
        # under a new name: drop that duplicate.
        storage.delete(saved)


# os.link fails with these where a hard link cannot be made (another filesystem, no link support).
NO_LINK_ERRORS = {errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP}


def content_store_links() -> bool:
    """Whether `content_store_file` hard-links (local archive storage, ARCHIVE_HARDLINK_UPLOADS) rather than copies."""
    return isinstance(archive_storage(), FileSystemStorage) and settings.ARCHIVE_HARDLINK_UPLOADS


@dataclass(frozen=True, slots=True)
class Verified:
    """A file's SHA-256 and size as just checked, and the filesystem time the check began (minus a margin)."""

    sha256: str
    size: int
    checked_from_ns: int  # on the file's own filesystem clock: an inode changed before it is the one checked


def content_store_file(path: Path, *, verified: Verified | None = None) -> tuple[str, str, int]:
    """Store the file at `path` under its content key, as `content_store` does; return (key, sha256, size).

    On local archive storage on the same filesystem the file is hard-linked,
    not copied: its bytes are read once to hash them and never written, and
    deleting the original afterwards completes a move without needing the
    space twice. The upload area never writes into a complete upload (appends
    stop at completion, a replacement is a new file), so the linked bytes are
    the ones hashed. With `verified`, a file whose inode has not changed since
    that check began (its ctime, which every write and every replacement moves
    and no user can set back) is linked without hashing it again. Elsewhere (S3,
    another filesystem) `content_store` copies, hashing as it reads.
    Raises FileNotFoundError when `path` is gone.
    """
    if content_store_links():
        sha256, size = _unchanged_since_check(path, verified) or _hashed(path)
        key = content_key(sha256)
        try:
            _link_once(path, Path(archive_storage().path(key)), size=size)
            return key, sha256, size
        except OSError as error:
            if error.errno not in NO_LINK_ERRORS:
                raise
    with path.open("rb") as handle:
        return content_store(handle)


def _unchanged_since_check(path: Path, verified: Verified | None) -> tuple[str, int] | None:
    if verified is None:
        return None
    status = os.stat(path)
    if status.st_ctime_ns < verified.checked_from_ns and status.st_size == verified.size:
        return verified.sha256, verified.size
    return None


def _hashed(path: Path) -> tuple[str, int]:
    with path.open("rb") as handle:
        return sha256_of(handle)


def _link_once(source: Path, target: Path, *, size: int) -> None:
    """Hard-link `source` at `target` unless its content is there already.

    The link is tried first and folders made only when it fails: at a million files nearly every folder exists,
    and each check would cost a system call. Something of another size under the key is what a copy that died
    half-way left (the key names the content, so its size is known): it is replaced.
    """
    for _ in range(3):  # a missing folder, or a partial copy, each costs one more try
        try:
            os.link(source, target)
            return
        except FileNotFoundError:
            if not source.exists():
                raise
            target.parent.mkdir(parents=True, exist_ok=True)
        except FileExistsError:  # stored already (content addressing keeps one copy), or by another move meanwhile
            if target.stat().st_size == size:
                return
            target.unlink(missing_ok=True)
    raise OSError(errno.EAGAIN, "could not link the content into the archive", str(target))


def stored_size(key: str) -> int | None:
    """The size of the object stored under `key`, or None if there is none (one system call on local storage)."""
    storage = archive_storage()
    if isinstance(storage, FileSystemStorage):
        try:
            return os.stat(storage.path(key)).st_size
        except FileNotFoundError:
            return None
    return storage.size(key) if storage.exists(key) else None
