"""Writes to the archive. Each service runs in one transaction and returns the model it changed."""

import datetime
import logging
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchVector
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from archive.models import (
    AccessionNumber,
    ArchiveFile,
    FileStatus,
    ReasonCategory,
    ReleaseDateChange,
    ReviewerLink,
    Study,
    StudyStatus,
    StudyVersion,
    Thumbnail,
    ThumbnailStatus,
)
from archive.selectors import reviewer_token_hash, study_access_check_manager, study_collaborators, user_is_curator
from archive.storage import archive_storage
from archive.thumbnails import IMAGE_EXTENSIONS, ThumbnailError, thumbnail_render
from licensing.selectors import licence_for_study
from portal.errors import NotAllowed, PolicyViolation

logger = logging.getLogger(__name__)
audit = logging.getLogger("archive.audit")  # until curation keeps an audit log (issue #6)

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


# --- Confidential access: reviewer links and collaborators ------------------------------

REVIEWER_LINK_RULE = "REVIEWER-LINK"
COLLABORATOR_RULE = "COLLABORATOR"


class CollaboratorNotFound(PolicyViolation):
    """The user named is not a collaborator of the study."""

    status = 404


def _check_confidential(study: Study, *, rule: str, what: str) -> None:
    if study.status != StudyStatus.CONFIDENTIAL:
        raise PolicyViolation(
            rule=rule,
            field="status",
            message=f"Only a confidential study needs {what}; this one is {study.get_status_display().lower()}.",
        )


def reviewer_link_create(
    *, study: Study, actor, expires_at: datetime.datetime | None = None, anonymised: bool = False
) -> tuple[ReviewerLink, str]:
    """Make a reviewer link to a confidential study; return it and its plain token, shown this once."""
    now = timezone.now()
    study_access_check_manager(actor, study, rule=REVIEWER_LINK_RULE)
    _check_confidential(study, rule=REVIEWER_LINK_RULE, what="reviewer links")
    if expires_at is not None and expires_at <= now:
        raise PolicyViolation(rule=REVIEWER_LINK_RULE, field="expires_at", message="The expiry must be in the future.")
    token = secrets.token_urlsafe(32)
    link = ReviewerLink.objects.create(
        study=study,
        token_hash=reviewer_token_hash(token),
        created_by=actor,
        created_at=now,
        expires_at=expires_at,
        anonymised=anonymised,
    )
    logger.info("Reviewer link %s made for %s by %s", link.pk, study.accession, actor.pk)
    return link, token


def reviewer_link_revoke(*, link: ReviewerLink, actor) -> ReviewerLink:
    """Stop a reviewer link for good; revoking twice keeps the first date."""
    study_access_check_manager(actor, link.study, rule=REVIEWER_LINK_RULE)
    with transaction.atomic():
        link = ReviewerLink.objects.select_for_update().get(pk=link.pk)
        if link.revoked_at is None:
            link.revoked_at = timezone.now()
            link.save(update_fields=["revoked_at"])
            logger.info("Reviewer link %s of %s revoked by %s", link.pk, link.study_id, actor.pk)
    return link


def reviewer_link_record_access(*, link: ReviewerLink) -> None:
    """Count one opening of a reviewer link (one UPDATE: concurrent openings all count)."""
    ReviewerLink.objects.filter(pk=link.pk).update(access_count=F("access_count") + 1, last_access_at=timezone.now())


def _user_by_username_or_email(username_or_email: str):
    value = username_or_email.strip()
    users = get_user_model().objects.filter(is_active=True)
    matches = []
    if value:
        # A username names one account; an e-mail may be shared, and then names nobody.
        matches = list(users.filter(username=value)[:1]) or list(users.filter(email__iexact=value)[:2])
    if len(matches) != 1:
        problem = "Several accounts share" if len(matches) > 1 else "No account has"
        raise PolicyViolation(
            rule=COLLABORATOR_RULE, field="user", message=f"{problem} the username or e-mail “{value[:200]}”."
        )
    return matches[0]


def study_collaborator_invite(*, study: Study, actor, username_or_email: str):
    """Let an existing user see a confidential study; return that user."""
    study_access_check_manager(actor, study, rule=COLLABORATOR_RULE)
    _check_confidential(study, rule=COLLABORATOR_RULE, what="collaborators")
    user = _user_by_username_or_email(username_or_email)
    if user.pk == study.owner_id:
        raise PolicyViolation(rule=COLLABORATOR_RULE, field="user", message="The owner already sees the study.")
    study_collaborator_add(study=study, user=user)
    logger.info("%s invited to %s by %s", user.pk, study.accession, actor.pk)
    return user


def study_collaborator_remove(*, study: Study, actor, username: str) -> None:
    """Take back a collaborator's access to a study; the owner's stays."""
    study_access_check_manager(actor, study, rule=COLLABORATOR_RULE)
    user = study_collaborators(study=study).filter(username=username).first()
    if user is None:
        raise CollaboratorNotFound(
            rule=COLLABORATOR_RULE, field="user", message=f"“{username[:200]}” is not a collaborator of this study."
        )
    remove_perm("archive.view_study", user, study)
    logger.info("%s no longer sees %s (removed by %s)", user.pk, study.accession, actor.pk)


def release_date_validate(
    *,
    release_date: datetime.date,
    submitted_at: datetime.datetime,
    actor_is_curator: bool = False,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> bool:
    """Check a release date against P-RELEASE-DATE; return whether it lies beyond the usual bound.

    The date runs from today (released at once) to exactly 2 years after the
    submission time. Only a curator may go past that, and only with a reason.
    """
    today = timezone.localdate(now or timezone.now())
    _, latest = release_date_bounds(submitted_at=submitted_at)
    if release_date < today:
        raise PolicyViolation(
            rule="P-RELEASE-DATE", field="release_date", message="The release date cannot be in the past."
        )
    if release_date <= latest:
        return False
    if not actor_is_curator:
        raise PolicyViolation(
            rule="P-RELEASE-DATE",
            field="release_date",
            message=f"The release date can be at most 2 years after submission: {latest.isoformat()} at the latest.",
        )
    if not reason.strip():
        raise PolicyViolation(
            rule="P-RELEASE-DATE",
            field="reason",
            message=f"A release date after {latest.isoformat()} needs a reason, which is logged.",
        )
    return True


def study_release_date_change(*, study: Study, actor, release_date: datetime.date, reason: str = "") -> Study:
    """Move a confidential study's release date (P-RELEASE-DATE).

    The owner stays within 2 years of the study's accessioning; a curator may go
    beyond with a reason. Every change is stored as a ReleaseDateChange and
    logged. A date of today releases the study at once.
    """
    now = timezone.now()
    curator = user_is_curator(actor)
    with transaction.atomic():
        study = Study.objects.select_for_update().get(pk=study.pk)
        if actor.pk != study.owner_id and not curator:
            raise NotAllowed(
                rule="P-RELEASE-DATE", field="release_date", message="Only the owner can change the release date."
            )
        if study.status != StudyStatus.CONFIDENTIAL:
            raise PolicyViolation(
                rule="P-RELEASE-DATE",
                field="release_date",
                message="This study is no longer confidential; its release date cannot move.",
            )
        beyond = release_date_validate(
            release_date=release_date, submitted_at=study.created_at, actor_is_curator=curator, reason=reason, now=now
        )
        change = ReleaseDateChange.objects.create(
            study=study,
            actor=actor,
            old_date=study.release_date,
            new_date=release_date,
            reason=reason.strip(),
            beyond_bound=beyond,
            at=now,
        )
        study.release_date = release_date
        study.save(update_fields=["release_date"])
        if release_date <= timezone.localdate(now):
            _release(study, now)
        audit.info(
            "release date of %s moved from %s to %s by %s%s",
            study.accession,
            change.old_date,
            change.new_date,
            actor.get_username(),
            f" beyond the bound: {change.reason}" if beyond else "",
        )
    return study


# --- Thumbnails ---------------------------------------------------------------------------


def thumbnail_key(sha256: str) -> str:
    """Thumbnails are content-addressed like the files they show: one per distinct image."""
    return f"thumbnails/{sha256}.png"


def thumbnail_make(*, sha256: str) -> Thumbnail:
    """Make (or return) the thumbnail of the image content `sha256`.

    A content that cannot be made into a thumbnail gets a `failed` row, so later
    runs skip it; no error from the image leaves this function. Safe to run twice.
    """
    existing = Thumbnail.objects.filter(sha256=sha256).first()
    if existing is not None:
        return existing
    file = ArchiveFile.objects.filter(sha256=sha256).order_by("pk").first()
    if file is None:
        raise ArchiveFile.DoesNotExist(sha256)
    storage = archive_storage()
    fields = {"status": ThumbnailStatus.FAILED}
    try:
        # Decoding runs outside any transaction: it can take seconds and holds no lock.
        with storage.open(file.storage_key, "rb") as stream:
            rendered = thumbnail_render(stream, size=file.size)
    except ThumbnailError as error:
        fields["error"] = str(error)[:1000]
    except Exception as error:  # a broken file must not stop the job; its row records why
        logger.warning("Thumbnail of %s (%s) failed", sha256, file.path, exc_info=True)
        fields["error"] = f"{type(error).__name__}: {error}"[:1000]
    else:
        key = thumbnail_key(sha256)
        if not storage.exists(key):
            saved = storage.save(key, ContentFile(rendered.png))
            if saved != key:  # another run stored the same thumbnail first; keep one copy
                storage.delete(saved)
        fields = {"status": ThumbnailStatus.MADE, "storage_key": key}
        fields |= {"width": rendered.width, "height": rendered.height}
    thumbnail, _ = Thumbnail.objects.get_or_create(sha256=sha256, defaults={**fields, "created_at": timezone.now()})
    return thumbnail


def thumbnails_make_missing(*, limit: int = 200) -> dict[str, int]:
    """Make thumbnails for up to `limit` image contents (by file extension) that have no row yet.

    Return how many were made and how many failed; a second run finds nothing left.
    """
    is_image = Q()
    for extension in IMAGE_EXTENSIONS:
        is_image |= Q(path__iendswith=extension)
    missing = (
        ArchiveFile.objects.filter(is_image)
        .exclude(sha256__in=Thumbnail.objects.values("sha256"))
        .values_list("sha256", flat=True)
        .order_by("sha256")
        .distinct()[:limit]
    )
    counts = {"made": 0, "failed": 0}
    for sha256 in list(missing):
        thumbnail = thumbnail_make(sha256=sha256)
        counts["made" if thumbnail.status == ThumbnailStatus.MADE else "failed"] += 1
    return counts
