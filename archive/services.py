"""Writes to the archive. Each service runs in one transaction and returns the model it changed."""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm

from archive.models import (
    AccessionNumber,
    ArchiveFile,
    FileStatus,
    ReasonCategory,
    Study,
    StudyStatus,
    StudyVersion,
)
from licensing.selectors import licence_for_study
from portal.errors import PolicyViolation

logger = logging.getLogger(__name__)

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


def _mirror_metadata(study: Study, metadata: dict) -> None:
    authors = metadata.get("authors") or []
    study.title = metadata.get("title", "")[:500]
    study.description = metadata.get("description", "")
    study.authors_text = "; ".join(a.get("name", "") for a in authors)
    study.organism = metadata.get("organism", "")
    study.imaging_method = metadata.get("imaging_method", "")
    study.keywords_text = ", ".join(metadata.get("keywords") or [])


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


def _add_version(*, study: Study, metadata: dict, files: list[FileEntry], note: str, now) -> StudyVersion:
    number = (study.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = StudyVersion.objects.create(study=study, number=number, metadata=metadata, created_at=now, note=note)
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
    _mirror_metadata(study, metadata)
    study.files_count = len(files)
    study.total_size = sum(f.size for f in files)
    study.save()
    _refresh_search(study)
    return version


def release_date_bounds(*, submitted_at: datetime.datetime) -> tuple[datetime.date, datetime.date]:
    """Return the earliest and latest release dates a submitter may choose (P-RELEASE-DATE)."""
    day = timezone.localdate(submitted_at)
    years = settings.RELEASE_DATE_MAX_YEARS
    try:
        latest = day.replace(year=day.year + years)
    except ValueError:  # 29 February
        latest = day.replace(year=day.year + years, day=28)
    return day, latest


def study_create(
    *,
    owner,
    metadata: dict,
    files: list[FileEntry],
    release_date: datetime.date,
    licence: str | None = None,
    source: str = "",
    source_id: str = "",
    now: datetime.datetime | None = None,
) -> Study:
    """Accession a new study with version 1; release it at once if its date has come.

    The licence follows P-LICENCE: direct submissions are CC0-1.0 only.
    """
    now = now or timezone.now()
    if not metadata.get("title", "").strip():
        raise PolicyViolation(rule="P-PERMANENT", field="title", message="A study needs a title.")
    with transaction.atomic():
        number, accession = accession_allocate()
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
        _add_version(study=study, metadata=metadata, files=files, note="Initial submission", now=now)
        assign_perm("archive.view_study", owner, study)
        if release_date <= timezone.localdate(now):
            _release(study, now)
    return study


def study_version_add(*, study: Study, metadata: dict, files: list[FileEntry], note: str = "") -> StudyVersion:
    """Add version n+1 of a study; earlier versions stay as they were (P-PERMANENT)."""
    with transaction.atomic():
        study = Study.objects.select_for_update().get(pk=study.pk)
        return _add_version(study=study, metadata=metadata, files=files, note=note, now=timezone.now())


def _release(study: Study, now: datetime.datetime) -> None:
    study.status = StudyStatus.RELEASED
    study.released_at = now
    study.save(update_fields=["status", "released_at"])
    logger.info("Released %s", study.accession)


def studies_release_due(*, now: datetime.datetime | None = None) -> list[str]:
    """Publish every confidential study whose release date has come (P-RELEASE-DATE).

    Safe to run twice or concurrently: each study is locked and re-checked.
    Return the accessions released by this run.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    released = []
    due = Study.objects.filter(status=StudyStatus.CONFIDENTIAL, release_date__lte=today).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            study = Study.objects.select_for_update().filter(pk=pk, status=StudyStatus.CONFIDENTIAL).first()
            if study is None or study.release_date > today:
                continue
            _release(study, now)
            released.append(study.accession)
    return released


def study_collaborator_add(*, study: Study, user) -> Study:
    """Let `user` see a confidential study."""
    assign_perm("archive.view_study", user, study)
    return study


def _set_status_reason(study: Study, *, rule: str, reason: str, note: str) -> None:
    if reason not in ReasonCategory.values:
        raise PolicyViolation(rule=rule, field="reason_category", message=f"Unknown reason category “{reason}”.")
    study.status_reason = reason
    study.status_note = note
    study.status_changed_at = timezone.now()


def study_hide(*, study: Study, reason: str, note: str = "") -> Study:
    """Take an entry out of search, listings and the sitemap; it stays reachable (P-HIDE)."""
    with transaction.atomic():
        study = Study.objects.select_for_update().get(pk=study.pk)
        study.searchable = False
        _set_status_reason(study, rule="P-HIDE", reason=reason, note=note)
        study.save()
    return study


def study_make_obsolete(*, study: Study, reason: str, note: str = "") -> Study:
    """Move a released entry out of the active archive; it stays public and marked (P-OBSOLETE)."""
    with transaction.atomic():
        study = Study.objects.select_for_update().get(pk=study.pk)
        if study.status != StudyStatus.RELEASED:
            raise PolicyViolation(
                rule="P-OBSOLETE", field="status", message="Only a released entry can be made obsolete."
            )
        study.status = StudyStatus.OBSOLETE
        _set_status_reason(study, rule="P-OBSOLETE", reason=reason, note=note)
        study.save()
    return study


def study_remove(*, study: Study, reason: str, note: str = "") -> Study:
    """Remove an entry from the public record; its data is kept, not public (P-REMOVE)."""
    with transaction.atomic():
        study = Study.objects.select_for_update().get(pk=study.pk)
        study.status = StudyStatus.REMOVED
        _set_status_reason(study, rule="P-REMOVE", reason=reason, note=note)
        study.save()
    return study


def files_set_status(*, version: StudyVersion, paths: list[str], status: str, reason: str) -> int:
    """Mark some files of a version obsolete or removed (P-OBSOLETE, P-REMOVE)."""
    if status not in FileStatus.values:
        raise PolicyViolation(rule="P-REMOVE", field="status", message=f"Unknown file status “{status}”.")
    with transaction.atomic():
        return version.files.filter(path__in=paths).update(
            status=status, status_reason=reason, status_changed_at=timezone.now()
        )
