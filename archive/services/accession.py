"""Accessioning: new studies and new versions, each with its files and its full-text document."""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import F, QuerySet, Value
from django.utils import timezone
from guardian.shortcuts import assign_perm

from archive.metadata import StudyMetadata
from archive.models import AccessionNumber, ArchiveFile, FileStatus, Study, StudyVersion
from archive.services.changes import _audit_study, _study_locked
from archive.services.file_tree import study_totals_mirror, version_folders_build
from archive.services.release import _release
from core.audit import AuditAction
from core.insert_select import insert_select
from licensing.selectors import licence_for_study

ACCESSION_SEQUENCE = "archive_accession_seq"


@dataclass(frozen=True)
class FileEntry:
    """A file to list in a study version; its content is already in archive storage."""

    path: str
    size: int
    sha256: str
    storage_key: str
    attributes: dict = field(default_factory=dict)


def accession_allocate() -> tuple[int, str]:
    """Hand out the next accession number, never reused, safe under concurrency."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [ACCESSION_SEQUENCE])
            number = cursor.fetchone()[0]
    else:
        number = AccessionNumber.objects.create().pk
    return number, f"{settings.ACCESSION_PREFIX}{number}"


def _mirror_metadata(study: Study, metadata: StudyMetadata) -> None:
    study.title = metadata.title
    study.description = metadata.description
    study.authors_text = "; ".join(author.name for author in metadata.authors)
    study.organism = metadata.organism
    study.imaging_method = metadata.imaging_method
    study.keywords_text = ", ".join(metadata.keywords)


def study_search_vector() -> SearchVector:
    """The weighted full-text document of a study (title first, then people and terms)."""
    return (
        SearchVector("title", weight="A", config="english")
        + SearchVector("accession", "authors_text", "keywords_text", weight="B", config="english")
        + SearchVector("organism", "imaging_method", weight="B", config="english")
        + SearchVector("description", weight="C", config="english")
    )


def _refresh_search(study: Study) -> None:
    if connection.vendor == "postgresql":
        Study.objects.filter(pk=study.pk).update(search_vector=study_search_vector())


def _marked_contents(study: Study) -> dict[str, dict]:
    """The status of each obsolete or removed content of a study, as `files_set_status` gave it to every copy."""
    marked = ArchiveFile.objects.filter(version__study=study).exclude(status=FileStatus.ACTIVE)
    rows = marked.order_by("version__number").values_list("sha256", "status", "status_reason", "status_changed_at")
    return {
        sha256: {"status": status, "status_reason": reason, "status_changed_at": changed_at}
        for sha256, status, reason, changed_at in rows
    }


FileSource = Sequence[FileEntry] | QuerySet
"""The files of a new version: entries, or a queryset of rows with FileEntry's fields (copied by the database)."""


def _files_add(version: StudyVersion, files: FileSource) -> int:
    if isinstance(files, QuerySet):  # a million rows are copied in one statement, never read into Python
        return insert_select(
            ArchiveFile,
            files,
            version=Value(version.pk),
            **{name: F(name) for name in ("path", "size", "sha256", "storage_key", "attributes")},
            status=Value(FileStatus.ACTIVE.value),
            status_reason=Value(""),
        )
    ArchiveFile.objects.bulk_create(
        [
            ArchiveFile(
                version=version,
                path=f.path,
                size=f.size,
                sha256=f.sha256,
                storage_key=f.storage_key,
                attributes=f.attributes,
            )
            for f in files
        ],
        batch_size=1000,
    )
    return len(files)


def _marked_keep(version: StudyVersion, marked: dict[str, dict]) -> None:
    """A content a curator removed or made obsolete stays so in the new version, whatever its path (P-REMOVE)."""
    by_status: dict[tuple, list[str]] = defaultdict(list)
    for sha256, status in marked.items():
        by_status[tuple(status.items())].append(sha256)
    for status, sha256s in by_status.items():
        for start in range(0, len(sha256s), MARKED_BATCH):
            version.files.filter(sha256__in=sha256s[start : start + MARKED_BATCH]).update(**dict(status))


MARKED_BATCH = 1000


def _add_version(
    *, study: Study, metadata: StudyMetadata, files: FileSource, note: str, now
) -> tuple[StudyVersion, int]:
    """Make version n+1 with its files and folder counts; return it and its number of files."""
    number = (study.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = StudyVersion.objects.create(
        study=study, number=number, metadata=metadata.as_dict(), created_at=now, note=note
    )
    marked = _marked_contents(study)
    count = _files_add(version, files)
    _marked_keep(version, marked)
    version_folders_build(version)
    _mirror_metadata(study, metadata)
    study.save()
    study_totals_mirror(study)
    _refresh_search(study)
    return version, count


def study_create(
    *,
    owner,
    metadata: dict,
    files: FileSource,
    release_date: datetime.date,
    licence: str | None = None,
    source: str = "",
    source_id: str = "",
    now: datetime.datetime | None = None,
    actor=None,
    reserved: tuple[int, str] | None = None,
) -> Study:
    """Accession a new study with version 1; release it at once if its date has come.

    `reserved` is a (number, accession) pair handed out earlier by
    `accession_allocate`, e.g. when a submission's files started moving;
    otherwise a new one is allocated.

    `metadata` must hold the study-metadata contract (`StudyMetadata.from_dict`,
    rule METADATA); it is stored as that contract gives it. The licence follows
    P-LICENCE: direct submissions are CC0-1.0 only. `actor` is whoever
    accessioned it (None for a scheduled job such as the move task).
    """
    now = now or timezone.now()
    metadata = StudyMetadata.from_dict(metadata)
    with transaction.atomic():
        number, accession = reserved or accession_allocate()
        study = Study(
            accession=accession,
            number=number,
            owner=owner,
            release_date=release_date,
            licence=licence_for_study(source=source, requested=licence),
            source=source,
            source_id=source_id,
            created_at=now,
        )
        _mirror_metadata(study, metadata)
        study.save()
        _, count = _add_version(study=study, metadata=metadata, files=files, note="Initial submission", now=now)
        assign_perm("archive.view_study", owner, study)
        _audit_study(
            study,
            actor=actor,
            action=AuditAction.STUDY_ACCESSIONED,
            owner=owner.get_username(),
            release_date=release_date.isoformat(),
            licence=study.licence.spdx_id,
            source=source,
            source_id=source_id,
            files=count,
        )
        if release_date <= timezone.localdate(now):
            _release(study, now, actor=actor)
    return study


def study_version_add(*, study: Study, metadata: dict, files: FileSource, note: str = "", actor=None) -> StudyVersion:
    """Add version n+1 of a study; earlier versions stay as they were (P-PERMANENT).

    `metadata` must hold the study-metadata contract, as for `study_create`.
    """
    metadata = StudyMetadata.from_dict(metadata)
    with transaction.atomic():
        study = _study_locked(study)
        version, count = _add_version(study=study, metadata=metadata, files=files, note=note, now=timezone.now())
        _audit_study(
            study,
            actor=actor,
            action=AuditAction.STUDY_VERSION_ADDED,
            note=note,
            version=version.number,
            files=count,
        )
    return version
