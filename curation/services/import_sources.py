"""Reading the files a manifest lists, from local folders or S3, and storing them checked (P-INTEGRITY).

Once any problem is known nothing more is stored; objects an import stored are
taken back when it is refused or fails.
"""

import contextlib
import os
from collections.abc import Iterator
from typing import BinaryIO

import boto3
import botocore.exceptions

from archive.models import ArchiveFile
from archive.services.accession import FileEntry
from archive.storage import ContentMismatch, archive_storage, content_key, content_store, sha256_of
from curation.services.import_manifest import SHA256_HEX, ManifestFile, ManifestProblem, ManifestProblems


def s3_client():
    """A client with the archive's own S3 endpoint and credentials, or the environment's (AWS_*)."""
    storage = archive_storage()
    connection = getattr(storage, "connection", None)
    if connection is not None:
        return connection.meta.client
    # A local archive has no S3 options: the same variables as the S3 archive's would name the store.
    return boto3.client("s3", endpoint_url=os.environ.get("AWS_S3_ENDPOINT_URL") or None)


def files_readable(files: list[ManifestFile], client, problems: ManifestProblems) -> list[ManifestFile]:
    """Return the files that exist with the size listed, adding a problem for each that does not."""
    readable = []
    for file in files:
        if (file.local or file.s3) and file.size >= 0:
            if problem := _size_problem(file, client):
                problems.add(f"{file.label}.location", problem, "P-INTEGRITY")
            elif SHA256_HEX.match(file.sha256):
                readable.append(file)
    return readable


def _size_problem(file: ManifestFile, client) -> str:
    """Return why the file cannot be imported as listed (absent, unreadable, other size), or ""."""
    if file.local is not None:
        if not file.local.is_file():
            return f"{file.local} does not exist."
        actual = file.local.stat().st_size
    else:
        bucket, key = file.s3
        try:
            actual = client.head_object(Bucket=bucket, Key=key)["ContentLength"]
        except botocore.exceptions.ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in ("404", "NoSuchKey", "NotFound"):
                return f"{file.location} does not exist."
            return f"{file.location} cannot be read ({code or error})."
        except botocore.exceptions.BotoCoreError as error:  # no connection, no credentials
            return f"{file.location} cannot be read ({error})."
    if actual != file.size:
        return f"{file.location} has {actual} bytes, not {file.size}."
    return ""


@contextlib.contextmanager
def _opened(file: ManifestFile, client) -> Iterator[BinaryIO]:
    if file.local is not None:
        with open(file.local, "rb") as handle:
            yield handle
    else:
        bucket, key = file.s3
        body = client.get_object(Bucket=bucket, Key=key)["Body"]
        try:
            yield body
        finally:
            body.close()


def _checksum_problem(file: ManifestFile, *, sha256: str, size: int) -> ManifestProblem:
    return ManifestProblem(
        field=f"{file.label}.sha256",
        message=(
            f"{file.location} ({file.path}) does not match: the manifest says {file.sha256}, "
            f"its {size} bytes hash to {sha256}."
        ),
        rule="P-INTEGRITY",
    )


def objects_forget(keys: list[str]) -> None:
    """Delete objects this import stored, unless a file of the archive lists them by now."""
    listed = set(ArchiveFile.objects.filter(storage_key__in=keys).values_list("storage_key", flat=True))
    storage = archive_storage()
    for key in keys:
        if key not in listed:
            storage.delete(key)


def _file_store(file: ManifestFile, client, storage, problems: ManifestProblems) -> tuple[FileEntry | None, bool]:
    """Store one file (or only hash it once a problem is known); return its entry and whether it is new."""
    with _opened(file, client) as stream:
        if problems:
            sha256, size = sha256_of(stream)
            if sha256 != file.sha256:
                problems.append(_checksum_problem(file, sha256=sha256, size=size))
            return None, False
        is_new = not storage.exists(content_key(file.sha256))
        try:
            key, sha256, size = content_store(stream, expected_sha256=file.sha256)
        except ContentMismatch as mismatch:
            problems.append(_checksum_problem(file, sha256=mismatch.sha256, size=mismatch.size))
            return None, False
        except BaseException:
            if is_new:  # a write that died may have left part of the object under its key
                objects_forget([content_key(file.sha256)])
            raise
    return FileEntry(path=file.path, size=size, sha256=sha256, storage_key=key), is_new


def files_store(files: list[ManifestFile], client, problems: ManifestProblems, created: list[str]) -> list[FileEntry]:
    """Store each file while verifying its checksum; return the entries, adding the keys it creates to `created`.

    Once any problem is known nothing more is stored: the rest are only hashed, so
    the refusal still lists every wrong checksum.
    """
    storage = archive_storage()
    entries = []
    for file in files:
        try:
            entry, is_new = _file_store(file, client, storage, problems)
        except (OSError, botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
            problems.add(f"{file.label}.location", f"{file.location} cannot be read or stored: {error}")
            continue
        if entry is not None:
            entries.append(entry)
            if is_new:
                created.append(entry.storage_key)
    return entries
