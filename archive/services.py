"""Writes to the archive. Each service runs in one transaction and returns the model it changed."""

import datetime
import functools
import logging
import secrets
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchVector
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_q.tasks import async_task
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
from archive.selectors import (
    SEARCH_GENERATION_KEY,
    reviewer_token_hash,
    study_access_check_manager,
    study_collaborators,
    user_is_curator,
)
from archive.storage import archive_storage, store_once
from archive.thumbnails import IMAGE_EXTENSIONS, ThumbnailError, thumbnail_render
from licensing.selectors import licence_for_study
from portal.audit import audit_record
from portal.errors import NotAllowed, PolicyViolation
from portal.links import portal_url
from portal.mail import after_commit

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


def _marked_contents(study: Study) -> dict[str, dict]:
    """The status of each obsolete or removed content of a study, as `files_set_status` gave it to every copy."""
    marked = ArchiveFile.objects.filter(version__study=study).exclude(status=FileStatus.ACTIVE)
    rows = marked.order_by("version__number").values_list("sha256", "status", "status_reason", "status_changed_at")
    return {
        sha256: {"status": status, "status_reason": reason, "status_changed_at": changed_at}
        for sha256, status, reason, changed_at in rows
    }


def _add_version(*, study: Study, metadata: dict, files: list[FileEntry], note: str, now) -> StudyVersion:
    number = (study.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = StudyVersion.objects.create(study=study, number=number, metadata=metadata, created_at=now, note=note)
    # A content a curator removed or made obsolete stays so in the new version, whatever its path (P-REMOVE).
    marked = _marked_contents(study)
    ArchiveFile.objects.bulk_create(
        [
            ArchiveFile(
                version=version,
                path=f.path,
                size=f.size,
                sha256=f.sha256,
                storage_key=f.storage_key,
                attributes=f.attributes,
                **marked.get(f.sha256, {}),
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


def _search_cache_expire() -> None:
    """Start a new generation of cached search results once the change commits (see `study_search_page`)."""

    # A fresh random value, not incr: the file cache's incr is a read then a write, so two
    # processes bumping at once could both write the same number and keep a stale result.
    transaction.on_commit(lambda: cache.set(SEARCH_GENERATION_KEY, uuid.uuid4().hex, None))


def _audit_study(study: Study, *, actor, action: str, reason_category: str = "", note: str = "", **data) -> None:
    """Record a change to a study; every such change may alter what search lists, so it expires the cached results."""
    _search_cache_expire()
    audit_record(
        actor=actor,
        action=action,
        target_type="study",
        target_id=study.accession,
        study=study,
        reason_category=reason_category,
        note=note,
        data=data,
    )


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
    actor=None,
    reserved: tuple[int, str] | None = None,
) -> Study:
    """Accession a new study with version 1; release it at once if its date has come.

    `reserved` is a (number, accession) pair handed out earlier by
    `accession_allocate`, e.g. when a submission's files started moving;
    otherwise a new one is allocated.

    The licence follows P-LICENCE: direct submissions are CC0-1.0 only. `actor`
    is whoever accessioned it (None for a scheduled job such as the move task).
    """
    now = now or timezone.now()
    if not metadata.get("title", "").strip():
        raise PolicyViolation(rule="P-PERMANENT", field="title", message="A study needs a title.")
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
        _add_version(study=study, metadata=metadata, files=files, note="Initial submission", now=now)
        assign_perm("archive.view_study", owner, study)
        _audit_study(
            study,
            actor=actor,
            action="study.accessioned",
            owner=owner.get_username(),
            release_date=release_date.isoformat(),
            licence=study.licence.spdx_id,
            source=source,
            source_id=source_id,
            files=len(files),
        )
        if release_date <= timezone.localdate(now):
            _release(study, now, actor=actor)
    return study


def study_version_add(
    *, study: Study, metadata: dict, files: list[FileEntry], note: str = "", actor=None
) -> StudyVersion:
    """Add version n+1 of a study; earlier versions stay as they were (P-PERMANENT)."""
    with transaction.atomic():
        study = _study_locked(study)
        version = _add_version(study=study, metadata=metadata, files=files, note=note, now=timezone.now())
        _audit_study(
            study, actor=actor, action="study.version_added", note=note, version=version.number, files=len(files)
        )
    return version


def _release(study: Study, now: datetime.datetime, *, actor) -> None:
    study.status = StudyStatus.RELEASED
    study.released_at = now
    study.save(update_fields=["status", "released_at"])
    _audit_study(study, actor=actor, action="study.released", release_date=study.release_date.isoformat())
    logger.info("Released %s", study.accession)


def studies_release_due(*, now: datetime.datetime | None = None) -> list[str]:
    """Publish every confidential study whose release date has come (P-RELEASE-DATE), and tell each owner.

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
            _release(study, now, actor=None)
            # A failed e-mail is logged: it undoes no release and stops none of the others.
            after_commit(
                functools.partial(_study_mail_send, study_pk=study.pk, template="released"),
                about=f"study {study.accession}",
            )
            released.append(study.accession)
    return released


def _study_mail_send(*, study_pk: int, template: str, user_pk: int | None = None, **extra) -> None:
    """E-mail about a study: `archive/email/<template>.txt` and its `_subject.txt`, to the owner or `user_pk`."""
    study = Study.objects.select_related("owner").get(pk=study_pk)
    user = study.owner if user_pk is None else get_user_model().objects.get(pk=user_pk)
    if not user.email:
        return
    context = {
        "study": study,
        "user": user,
        "portal_name": settings.PORTAL_NAME,
        "study_url": portal_url(reverse("study-detail", args=[study.accession])),
        **extra,
    }
    send_mail(
        subject=" ".join(render_to_string(f"archive/email/{template}_subject.txt", context).split()),
        message=render_to_string(f"archive/email/{template}.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


def study_collaborator_add(*, study: Study, user, actor) -> Study:
    """Let `user` see a confidential study."""
    with transaction.atomic():
        assign_perm("archive.view_study", user, study)
        _audit_study(study, actor=actor, action="collaborator.added", user=user.get_username())
    return study


# --- Curators' status changes (P-HIDE, P-OBSOLETE, P-REMOVE) ------------------------------


def _check_reason(reason_category: str, *, rule: str) -> None:
    if reason_category not in ReasonCategory.values:
        raise PolicyViolation(
            rule=rule, field="reason_category", message=f"Unknown reason category “{reason_category[:40]}”."
        )


def _status_snapshot(study: Study) -> dict:
    """The status fields a later restore puts back; kept in the audit row's data."""
    changed = study.status_changed_at
    return {
        "status": study.status,
        "status_reason": study.status_reason,
        "status_note": study.status_note,
        "status_changed_at": changed.isoformat() if changed else None,
    }


def _set_status_reason(study: Study, *, reason_category: str, note: str, now: datetime.datetime) -> None:
    study.status_reason = reason_category
    study.status_note = note
    study.status_changed_at = now


def _study_locked(study: Study) -> Study:
    return Study.objects.select_for_update().get(pk=study.pk)


def study_hide(*, study: Study, actor, reason_category: str, note: str = "") -> Study:
    """Take an entry out of search, listings and the sitemap; it stays reachable (P-HIDE).

    The reason of an obsolete or removed entry is public and stays; the hiding's own
    reason is in the audit row.
    """
    _check_reason(reason_category, rule="P-HIDE")
    with transaction.atomic():
        study = _study_locked(study)
        if not study.searchable:
            raise PolicyViolation(rule="P-HIDE", field="searchable", message=f"{study.accession} is already hidden.")
        study.searchable = False
        if study.status in (StudyStatus.CONFIDENTIAL, StudyStatus.RELEASED):
            _set_status_reason(study, reason_category=reason_category, note=note, now=timezone.now())
        study.save()
        _audit_study(study, actor=actor, action="study.hidden", reason_category=reason_category, note=note)
    return study


def study_unhide(*, study: Study, actor, reason_category: str, note: str = "") -> Study:
    """Put a hidden entry back into search, listings and the sitemap (P-HIDE)."""
    _check_reason(reason_category, rule="P-HIDE")
    with transaction.atomic():
        study = _study_locked(study)
        if study.searchable:
            raise PolicyViolation(rule="P-HIDE", field="searchable", message=f"{study.accession} is not hidden.")
        study.searchable = True
        if study.status in (StudyStatus.CONFIDENTIAL, StudyStatus.RELEASED):
            # The reason described the hiding, which is over.
            _set_status_reason(study, reason_category="", note="", now=None)
        study.save()
        _audit_study(study, actor=actor, action="study.unhidden", reason_category=reason_category, note=note)
    return study


def study_make_obsolete(*, study: Study, actor, reason_category: str, note: str = "") -> Study:
    """Move a released entry out of the active archive; it stays public and marked (P-OBSOLETE)."""
    _check_reason(reason_category, rule="P-OBSOLETE")
    with transaction.atomic():
        study = _study_locked(study)
        if study.status != StudyStatus.RELEASED:
            raise PolicyViolation(
                rule="P-OBSOLETE",
                field="status",
                message=f"Only a released entry can be made obsolete; {study.accession} is {study.status}.",
            )
        study.status = StudyStatus.OBSOLETE
        _set_status_reason(study, reason_category=reason_category, note=note, now=timezone.now())
        study.save()
        _audit_study(study, actor=actor, action="study.obsoleted", reason_category=reason_category, note=note)
    return study


def study_remove(*, study: Study, actor, reason_category: str, note: str = "") -> Study:
    """Remove an entry from the public record; its data is kept, not public (P-REMOVE).

    The status it had is kept in the audit row's data (`previous`), for `study_restore`.
    """
    _check_reason(reason_category, rule="P-REMOVE")
    with transaction.atomic():
        study = _study_locked(study)
        if study.status == StudyStatus.REMOVED:
            raise PolicyViolation(rule="P-REMOVE", field="status", message=f"{study.accession} is already removed.")
        previous = _status_snapshot(study)
        study.status = StudyStatus.REMOVED
        _set_status_reason(study, reason_category=reason_category, note=note, now=timezone.now())
        study.save()
        _audit_study(
            study, actor=actor, action="study.removed", reason_category=reason_category, note=note, previous=previous
        )
    return study


RESTORABLE_STATUSES = (StudyStatus.CONFIDENTIAL, StudyStatus.RELEASED, StudyStatus.OBSOLETE)


def study_restore(*, study: Study, actor, previous: dict | None, reason_category: str, note: str = "") -> Study:
    """Undo a removal or an obsoletion made by mistake (P-REMOVE, P-OBSOLETE).

    A removed entry goes back to `previous`, the snapshot its removal's audit row keeps
    (without one: released if it ever was, else confidential); an obsolete one to released.
    """
    _check_reason(reason_category, rule="P-REMOVE")
    with transaction.atomic():
        study = _study_locked(study)
        before = _status_snapshot(study)
        if study.status == StudyStatus.OBSOLETE:
            study.status = StudyStatus.RELEASED
            _set_status_reason(study, reason_category="", note="", now=timezone.now())
        elif study.status == StudyStatus.REMOVED:
            fallback = StudyStatus.RELEASED if study.released_at else StudyStatus.CONFIDENTIAL
            previous = previous or {"status": fallback}
            if previous.get("status") not in RESTORABLE_STATUSES:
                raise PolicyViolation(
                    rule="P-REMOVE", field="previous", message=f"Cannot restore to “{previous.get('status')}”."
                )
            study.status = previous["status"]
            changed = previous.get("status_changed_at")
            study.status_reason = previous.get("status_reason", "")
            study.status_note = previous.get("status_note", "")
            study.status_changed_at = datetime.datetime.fromisoformat(changed) if changed else None
        else:
            raise PolicyViolation(
                rule="P-REMOVE",
                field="status",
                message=f"Only a removed or obsolete entry can be restored; {study.accession} is {study.status}.",
            )
        study.save()
        _audit_study(
            study,
            actor=actor,
            action="study.restored",
            reason_category=reason_category,
            note=note,
            previous=before,
            status=study.status,
        )
    return study


FILE_ACTIONS = {
    FileStatus.ACTIVE: "files.restored",
    FileStatus.OBSOLETE: "files.obsoleted",
    FileStatus.REMOVED: "files.removed",
}


def files_set_status(
    *, version: StudyVersion, actor, paths: list[str], status: str, reason_category: str, note: str = ""
) -> int:
    """Mark the contents at some paths of a version obsolete or removed, or active again, in every version of
    its study (P-OBSOLETE, P-REMOVE).

    A file is its content: the same SHA-256 in any version of the study, at whatever path, is the
    same data, so it leaves the public record (or comes back) with it; a different content at the
    same path is another file and keeps its status. `_add_version` keeps the status of a content
    for copies that later versions bring in.

    Every path must name a file of the version; otherwise nothing changes. Return how many files
    changed, counting each version's copy.
    """
    rule = "P-OBSOLETE" if status == FileStatus.OBSOLETE else "P-REMOVE"
    if status not in FileStatus.values:
        raise PolicyViolation(rule=rule, field="status", message=f"Unknown file status “{status[:40]}”.")
    _check_reason(reason_category, rule=rule)
    paths = sorted(set(paths))
    if not paths:
        raise PolicyViolation(rule=rule, field="files", message="Name at least one file.")
    with transaction.atomic():
        named = dict(version.files.filter(path__in=paths).values_list("path", "sha256"))
        if missing := [path for path in paths if path not in named]:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            raise PolicyViolation(
                rule=rule, field="files", message=f"Version {version.number} has no file {shown[:500]}."
            )
        copies = ArchiveFile.objects.select_for_update(of=("self",)).filter(
            version__study_id=version.study_id, sha256__in=set(named.values())
        )
        versions = sorted(set(copies.values_list("version__number", flat=True)))
        reason = "" if status == FileStatus.ACTIVE else reason_category
        changed = copies.update(status=status, status_reason=reason, status_changed_at=timezone.now())
        audit_record(
            actor=actor,
            action=FILE_ACTIONS[status],
            target_type="files",
            target_id=f"{version.study.accession} v{version.number}",
            study=version.study,
            reason_category=reason_category,
            note=note,
            data={"version": version.number, "paths": paths, "versions": versions},
        )
    return changed


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
    with transaction.atomic():
        link = ReviewerLink.objects.create(
            study=study,
            token_hash=reviewer_token_hash(token),
            created_by=actor,
            created_at=now,
            expires_at=expires_at,
            anonymised=anonymised,
        )
        _audit_reviewer_link(link, actor=actor, action="reviewer_link.created")
    return link, token


def _audit_reviewer_link(link: ReviewerLink, *, actor, action: str) -> None:
    expires_at = link.expires_at.isoformat() if link.expires_at else None
    audit_record(
        actor=actor,
        action=action,
        target_type="reviewer_link",
        target_id=link.pk,
        study=link.study,
        data={"expires_at": expires_at, "anonymised": link.anonymised},
    )


def reviewer_link_revoke(*, link: ReviewerLink, actor) -> ReviewerLink:
    """Stop a reviewer link for good; revoking twice keeps the first date."""
    study_access_check_manager(actor, link.study, rule=REVIEWER_LINK_RULE)
    with transaction.atomic():
        link = ReviewerLink.objects.select_for_update().get(pk=link.pk)
        if link.revoked_at is None:
            link.revoked_at = timezone.now()
            link.save(update_fields=["revoked_at"])
            _audit_reviewer_link(link, actor=actor, action="reviewer_link.revoked")
    return link


def reviewer_link_record_access(*, link: ReviewerLink) -> None:
    """Count one opening of a reviewer link (one UPDATE: concurrent openings all count)."""
    ReviewerLink.objects.filter(pk=link.pk).update(access_count=F("access_count") + 1, last_access_at=timezone.now())


# What an invitation answers, on the page and in the API, whether or not an account matched.
COLLABORATOR_INVITE_ANSWER = (
    "If an account has this username or e-mail, it can now see this study and its holder was told by e-mail."
)


def _user_named(value: str):
    """The one active account with this username, else with this e-mail; None unless exactly one."""
    users = get_user_model().objects.filter(is_active=True)
    # A username names one account; an e-mail may be shared, and then names nobody.
    matches = list(users.filter(username=value)[:1]) or list(users.filter(email__iexact=value)[:2])
    return matches[0] if len(matches) == 1 else None


def study_collaborator_invite(*, study: Study, actor, username_or_email: str) -> None:
    """Let the account with this username or e-mail see a confidential study, and tell its holder by e-mail.

    The caller is told the same (COLLABORATOR_INVITE_ANSWER) whether one account, several or none
    matched, so an invitation never reveals who has an account; when none matches, nothing changes.
    The e-mail is queued for the same reason: the answer does not wait on the mail server.
    """
    study_access_check_manager(actor, study, rule=COLLABORATOR_RULE)
    _check_confidential(study, rule=COLLABORATOR_RULE, what="collaborators")
    value = username_or_email.strip()
    if not value:
        raise PolicyViolation(rule=COLLABORATOR_RULE, field="user", message="Name a username or e-mail.")
    user = _user_named(value)
    if user is None:
        return
    if user.pk == study.owner_id:  # tells the owner (or a curator, who sees every account) nothing new
        raise PolicyViolation(rule=COLLABORATOR_RULE, field="user", message="The owner already sees the study.")
    with transaction.atomic():
        study_collaborator_add(study=study, user=user, actor=actor)
        invited_by = actor.get_full_name() or actor.get_username()
        transaction.on_commit(
            functools.partial(
                async_task,
                "archive.tasks.collaborator_invitation_send",
                study_pk=study.pk,
                user_pk=user.pk,
                invited_by=invited_by,
            )
        )


def collaborator_invitation_send(*, study_pk: int, user_pk: int, invited_by: str) -> None:
    """Tell a new collaborator by e-mail that they may see the study (queued by `study_collaborator_invite`)."""
    _study_mail_send(study_pk=study_pk, template="invited", user_pk=user_pk, invited_by=invited_by)


def study_collaborator_remove(*, study: Study, actor, username: str) -> None:
    """Take back a collaborator's access to a study; the owner's stays."""
    study_access_check_manager(actor, study, rule=COLLABORATOR_RULE)
    user = study_collaborators(study=study).filter(username=username).first()
    if user is None:
        raise CollaboratorNotFound(
            rule=COLLABORATOR_RULE, field="user", message=f"“{username[:200]}” is not a collaborator of this study."
        )
    with transaction.atomic():
        remove_perm("archive.view_study", user, study)
        _audit_study(study, actor=actor, action="collaborator.removed", user=user.get_username())


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
    in the audit log. A date of today releases the study at once.
    """
    now = timezone.now()
    curator = user_is_curator(actor)
    with transaction.atomic():
        study = _study_locked(study)
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
        _audit_study(
            study,
            actor=actor,
            action="study.release_date_changed",
            note=change.reason,
            old_date=change.old_date.isoformat(),
            new_date=change.new_date.isoformat(),
            beyond_bound=beyond,
        )
        if release_date <= timezone.localdate(now):
            _release(study, now, actor=actor)
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
        store_once(key, ContentFile(rendered.png))
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
