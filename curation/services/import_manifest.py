"""Reading and checking an import manifest (P-LICENCE, P-INTEGRITY): every problem is collected, nothing is stored.

A manifest names the source resource and identifier (e.g. EMPIAR, EMPIAR-10001),
a licence the archive knows, the release date, the owner, the study metadata and
the files with their size, SHA-256 and location (a local path under
IMPORT_LOCAL_ROOTS or `s3://bucket/key`).
"""

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone

from archive.metadata import MetadataInvalid, StudyMetadata
from archive.models import Study
from archive.release_dates import release_date_bounds
from core.errors import PolicyViolation
from licensing.models import Licence
from uploads.paths import upload_path_validate

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


class ManifestProblems(list):
    def add(self, field: str, message: str, rule: str = IMPORT_RULE) -> None:
        self.append(ManifestProblem(field=field, message=message, rule=rule))


@dataclass
class ManifestFile:
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


@dataclass(frozen=True)
class Manifest:
    """What a manifest says, as far as it could be read; the problems found meanwhile are listed apart."""

    metadata: dict
    source: str
    source_id: str
    licence: Licence | None
    release_date: datetime.date | None
    owner: AbstractBaseUser | None
    files: list[ManifestFile]


def manifest_read(*, manifest: dict, default_owner, base_dir: Path | None, problems: ManifestProblems) -> Manifest:
    """Read `manifest`, adding every problem found to `problems`; raise ManifestRefused if it is no object.

    A source identifier imported before must keep its study's licence. Relative
    local locations are read from `base_dir`; a manifest naming no owner gets `default_owner`.
    """
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
    owner = _owner(manifest.get("owner"), default_owner, problems)
    existing = Study.objects.filter(source=source, source_id=source_id).first() if source and source_id else None
    if existing is not None and licence is not None and existing.licence_id != licence.pk:
        problems.add(
            "licence",
            f"{existing.accession} ({source_id}) carries {existing.licence.spdx_id}; a re-import cannot change it.",
            "P-LICENCE",
        )
    files = _files(manifest.get("files"), base_dir, problems)
    return Manifest(
        metadata=metadata,
        source=source,
        source_id=source_id,
        licence=licence,
        release_date=release_date,
        owner=owner,
        files=files,
    )


def _text(data: dict, key: str, problems: ManifestProblems, field: str, required: bool = True) -> str:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.add(field, "Missing; give it as text.")
        return ""
    if not isinstance(value, str):
        problems.add(field, "Give it as text.")
        return ""
    return value.strip()


def _metadata(raw, problems: ManifestProblems) -> dict:
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


def _release_date(raw, problems: ManifestProblems) -> datetime.date | None:
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


def _owner(raw, default_owner, problems: ManifestProblems):
    if not raw:
        if default_owner is None:
            problems.add("owner", "Missing; name the owner's username (or import as a curator, who then owns it).")
        return default_owner
    owner = get_user_model().objects.filter(username=raw, is_active=True).first()
    if owner is None:
        problems.add("owner", f"No active account has the username “{raw}”.")
    return owner


def _location(file: ManifestFile, base_dir: Path | None, problems: ManifestProblems) -> None:
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


def _files(raw, base_dir: Path | None, problems: ManifestProblems) -> list[ManifestFile]:
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
        file = ManifestFile(index=index, path=path, size=size, sha256=sha256, location=location)
        if not location:
            problems.add(f"{label}.location", "Missing; give a local path or s3://bucket/key.")
        else:
            _location(file, base_dir, problems)
        files.append(file)
    return files
