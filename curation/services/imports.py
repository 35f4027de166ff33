"""Imports of brokered datasets from a manifest (P-LICENCE, P-INTEGRITY).

A manifest names the source resource and identifier (e.g. EMPIAR, EMPIAR-10001),
a licence the archive knows, the release date, the owner, the study metadata and
the files with their size, SHA-256 and location (a local path under
IMPORT_LOCAL_ROOTS or `s3://bucket/key`). Every problem is collected before
anything is refused, so the curator fixes the manifest in one go; a refused
manifest leaves nothing behind, neither rows nor stored objects. Importing the
same source identifier again adds a version to the study made the first time.
"""

import contextlib
import datetime
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import boto3
import botocore.exceptions
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from archive.metadata import MetadataInvalid, StudyMetadata
from archive.models import ArchiveFile, Study, StudyVersion
from archive.release_dates import release_date_bounds
from archive.services.accession import FileEntry, study_create, study_version_add
from archive.storage import ContentMismatch, archive_storage, content_key, content_store, sha256_of
from core import audit
from core.audit import AuditAction
from core.errors import PolicyViolation
from core.roles import curator_required
from licensing.models import Licence
from uploads.paths import upload_path_validate

logger = logging.getLogger(__name__)

IMPORT_RULE = "IMPORT-MANIFEST"
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
S3_SCHEME = "s3://"


@dataclass(frozen=True)
class ManifestProblem:
    field: str
    message: str
    rule: str = IMPORT_RULE

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class ManifestRefused(PolicyViolation):
    """The manifest breaks one or more rules; `problems` lists every one. Nothing was stored."""

    def __init__(self, problems: list[ManifestProblem]):
        self.problems = problems
        count = len(problems)
        super().__init__(
            rule=problems[0].rule if len({p.rule for p in problems}) == 1 else IMPORT_RULE,
            field="manifest",
            message=f"The manifest was refused with {count} problem{'s' if count != 1 else ''}; nothing was stored.",
        )

    def as_dict(self) -> dict:
        return {
            "manifest": [str(problem) for problem in self.problems],
            "problems": [{"field": p.field, "rule": p.rule, "message": p.message} for p in self.problems],
            "rule": self.rule,
        }


@dataclass(frozen=True)
class ImportResult:
    study: Study
    version: StudyVersion
    created: bool  # False when the source identifier was imported before and this made a new version


@dataclass
class _File:
    index: int
    path: str
    size: int
    sha256: str
    location: str
    local: Path | None = None
    s3: tuple[str, str] | None = None  # (bucket, key)

    @property
    def label(self) -> str:
        return f"files[{self.index}]"


class _Problems(list):
    def add(self, field: str, message: str, rule: str = IMPORT_RULE) -> None:
        self.append(ManifestProblem(field=field, message=message, rule=rule))


# --- Reading the manifest ---------------------------------------------------------------


def _text(data: dict, key: str, problems: _Problems, field: str, required: bool = True) -> str:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.add(field, "Missing; give it as text.")
        return ""
    if not isinstance(value, str):
        problems.add(field, "Give it as text.")
        return ""
    return value.strip()


def _metadata(raw, problems: _Problems) -> dict:
    """The study metadata, checked by the contract every study is accessioned with (rule METADATA)."""
    if not isinstance(raw, dict):
        problems.add("metadata", "Missing; give the study metadata as an object.")
        return {}
    try:
        return StudyMetadata.from_dict(raw).as_dict()
    except MetadataInvalid as invalid:
        for field, messages in invalid.errors.items():
            for message in messages:
                problems.add(f"metadata.{field}", message, invalid.rule)
        return {}


def _release_date(raw, problems: _Problems) -> datetime.date | None:
    if not raw:
        problems.add("release_date", "Missing; give the release date as YYYY-MM-DD.")
        return None
    try:
        day = datetime.date.fromisoformat(str(raw))
    except ValueError:
        problems.add("release_date", f"“{raw}” is not a date; give it as YYYY-MM-DD.")
        return None
    _, latest = release_date_bounds(submitted_at=timezone.now())
    if day > latest:
        # A brokered dataset keeps its source's (past) release date; a future one follows P-RELEASE-DATE's bound.
        problems.add(
            "release_date", f"At most {settings.RELEASE_DATE_MAX_YEARS} years ahead, {latest}.", "P-RELEASE-DATE"
        )
    return day


def _owner(raw, actor, problems: _Problems):
    if not raw:
        if actor is None:
            problems.add("owner", "Missing; name the owner's username (or import as a curator, who then owns it).")
        return actor
    owner = get_user_model().objects.filter(username=raw, is_active=True).first()
    if owner is None:
        problems.add("owner", f"No active account has the username “{raw}”.")
    return owner


def _location(file: _File, base_dir: Path | None, problems: _Problems) -> None:
    location = file.location
    if location.startswith(S3_SCHEME):
        bucket, _, key = location.removeprefix(S3_SCHEME).partition("/")
        if not bucket or not key:
            problems.add(f"{file.label}.location", f"“{location}” is not s3://bucket/key.")
        else:
            file.s3 = (bucket, key)
        return
    path = Path(location)
    if not path.is_absolute():
        if base_dir is None:
            problems.add(f"{file.label}.location", "Give an absolute path or an s3://bucket/key location.")
            return
        path = base_dir / path
    path = path.resolve()
    roots = [Path(root).resolve() for root in settings.IMPORT_LOCAL_ROOTS]
    if not any(path.is_relative_to(root) for root in roots):
        problems.add(
            f"{file.label}.location",
            f"{path} is outside the folders imports may read ({', '.join(map(str, roots)) or 'none configured'}).",
        )
        return
    file.local = path


def _files(raw, base_dir: Path | None, problems: _Problems) -> list[_File]:
    if not isinstance(raw, list) or not raw:
        problems.add("files", "Missing; list the files as [{path, size, sha256, location}].")
        return []
    files, seen = [], {}
    for index, item in enumerate(raw):
        label = f"files[{index}]"
        if not isinstance(item, dict):
            problems.add(label, "Give each file as an object {path, size, sha256, location}.")
            continue
        try:
            path = upload_path_validate(item.get("path") or "")
        except PolicyViolation as error:
            problems.add(f"{label}.path", f"“{item.get('path') or ''}”: {error.message}")
            path = ""
        if path in seen:
            problems.add(f"{label}.path", f"“{path}” is listed twice (also files[{seen[path]}]).")
        elif path:
            seen[path] = index
        size = item.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            problems.add(f"{label}.size", "Give the size in bytes as a whole number.")
            size = -1
        sha256 = str(item.get("sha256") or "").strip().lower()
        if not SHA256_HEX.match(sha256):
            problems.add(f"{label}.sha256", "Give the SHA-256 as 64 hexadecimal digits.")
        location = str(item.get("location") or "").strip()
        file = _File(index=index, path=path, size=size, sha256=sha256, location=location)
        if not location:
            problems.add(f"{label}.location", "Missing; give a local path or s3://bucket/key.")
        else:
            _location(file, base_dir, problems)
        files.append(file)
    return files


# --- Reading the files ------------------------------------------------------------------


def _s3_client():
    """A client with the archive's own S3 endpoint and credentials, or the environment's (AWS_*)."""
    storage = archive_storage()
    connection = getattr(storage, "connection", None)
    if connection is not None:
        return connection.meta.client
    # A local archive has no S3 options: the same variables as the S3 archive's would name the store.
    return boto3.client("s3", endpoint_url=os.environ.get("AWS_S3_ENDPOINT_URL") or None)


def _size_problem(file: _File, client) -> str:
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
def _opened(file: _File, client) -> Iterator[BinaryIO]:
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


def _checksum_problem(file: _File, *, sha256: str, size: int) -> ManifestProblem:
    return ManifestProblem(
        field=f"{file.label}.sha256",
        message=(
            f"{file.location} ({file.path}) does not match: the manifest says {file.sha256}, "
            f"its {size} bytes hash to {sha256}."
        ),
        rule="P-INTEGRITY",
    )


def _objects_forget(keys: list[str]) -> None:
    """Delete objects this import stored, unless a file of the archive lists them by now."""
    listed = set(ArchiveFile.objects.filter(storage_key__in=keys).values_list("storage_key", flat=True))
    storage = archive_storage()
    for key in keys:
        if key not in listed:
            storage.delete(key)


def _file_store(file: _File, client, storage, problems: _Problems) -> tuple[FileEntry | None, bool]:
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
                _objects_forget([content_key(file.sha256)])
            raise
    return FileEntry(path=file.path, size=size, sha256=sha256, storage_key=key), is_new


def _files_store(files: list[_File], client, problems: _Problems, created: list[str]) -> list[FileEntry]:
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


# --- The service ------------------------------------------------------------------------


def study_import(*, actor, manifest: dict, base_dir: Path | None = None) -> ImportResult:
    """Import a brokered dataset from `manifest`: verify and store its files, then accession it.

    A source identifier imported before gets a new version of its study instead
    (its owner, release date and licence stay; a different licence is refused).
    Relative local locations are read from `base_dir`. Raise ManifestRefused
    listing every problem; then nothing is stored. `actor` is the curator
    importing it (None for an operator's command).
    """
    if actor is not None:
        curator_required(actor, rule=IMPORT_RULE, message="Only curators may import datasets.")
    problems = _Problems()
    if not isinstance(manifest, dict):
        raise ManifestRefused([ManifestProblem(field="manifest", message="Give the manifest as a JSON object.")])
    metadata = _metadata(manifest.get("metadata"), problems)
    source = _text(manifest, "source", problems, "source")
    source_id = _text(manifest, "source_id", problems, "source_id")
    spdx_id = _text(manifest, "licence", problems, "licence")
    licence = Licence.objects.filter(spdx_id=spdx_id).first() if spdx_id else None
    if spdx_id and licence is None:
        problems.add("licence", f"Unknown licence “{spdx_id}”: use an SPDX id the archive knows.", "P-LICENCE")
    release_date = _release_date(manifest.get("release_date"), problems)
    owner = _owner(manifest.get("owner"), actor, problems)
    existing = Study.objects.filter(source=source, source_id=source_id).first() if source and source_id else None
    if existing is not None and licence is not None and existing.licence_id != licence.pk:
        problems.add(
            "licence",
            f"{existing.accession} ({source_id}) carries {existing.licence.spdx_id}; a re-import cannot change it.",
            "P-LICENCE",
        )
    files = _files(manifest.get("files"), base_dir, problems)
    client = _s3_client() if any(f.s3 for f in files) else None
    readable = []
    for file in files:
        if (file.local or file.s3) and file.size >= 0:
            if problem := _size_problem(file, client):
                problems.add(f"{file.label}.location", problem, "P-INTEGRITY")
            elif SHA256_HEX.match(file.sha256):
                readable.append(file)
    created: list[str] = []
    try:
        entries = _files_store(readable, client, problems, created)
        if problems:
            raise ManifestRefused(list(problems))
        result = _record(
            actor=actor,
            metadata=metadata,
            entries=entries,
            owner=owner,
            release_date=release_date,
            licence=licence,
            source=source,
            source_id=source_id,
        )
    except BaseException:  # refused, or a read or the database failed: take back what this import stored
        _objects_forget(created)
        raise
    logger.info("Imported %s %s as %s v%s", source, source_id, result.study.accession, result.version.number)
    return result


def _record(*, actor, metadata, entries, owner, release_date, licence, source, source_id) -> ImportResult:
    with transaction.atomic():
        # Locked, so two re-imports of one identifier make two versions, not one clash.
        study = Study.objects.select_for_update().filter(source=source, source_id=source_id).first()
        created = False
        if study is None:
            try:
                with transaction.atomic():  # a savepoint: another import may create this study first
                    study = study_create(
                        owner=owner,
                        metadata=metadata,
                        files=entries,
                        release_date=release_date,
                        licence=licence.spdx_id,
                        source=source,
                        source_id=source_id,
                        actor=actor,
                    )
            except IntegrityError:  # it did (one study per source identifier): this import is its next version
                study = Study.objects.select_for_update().get(source=source, source_id=source_id)
            else:
                version, created = study.versions.get(), True
        if not created:
            if study.licence_id != licence.pk:  # changed since the manifest was checked
                raise ManifestRefused(
                    [
                        ManifestProblem(
                            field="licence", message="The study's licence changed meanwhile.", rule="P-LICENCE"
                        )
                    ]
                )
            note = f"Re-imported from {source} {source_id}"
            version = study_version_add(study=study, metadata=metadata, files=entries, note=note, actor=actor)
        audit.record(
            actor=actor,
            action=AuditAction.STUDY_IMPORTED,
            target_type="study",
            target_id=study.accession,
            study=study,
            note=f"{source} {source_id}",
            data={
                "source": source,
                "source_id": source_id,
                "licence": licence.spdx_id,
                "version": version.number,
                "new_study": created,
                "files": len(entries),
                "bytes": sum(entry.size for entry in entries),
            },
        )
    return ImportResult(study=study, version=version, created=created)
