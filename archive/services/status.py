"""Curators' status changes: hide, obsolete, remove and restore studies and files (P-HIDE, P-OBSOLETE, P-REMOVE)."""

import datetime

from django.db import transaction
from django.utils import timezone

from archive.models import ArchiveFile, FileStatus, ReasonCategory, Study, StudyRemoval, StudyStatus, StudyVersion
from archive.services.changes import _audit_study, _study_locked
from archive.services.file_tree import folders_count_change, study_totals_mirror
from core import audit
from core.audit import AuditAction
from core.errors import PolicyViolation
from core.roles import curator_required


def _check_curator_and_reason(actor, reason_category: str, *, rule: str) -> None:
    curator_required(actor, rule=rule, message="Only curators may hide, obsolete, remove or restore.")
    if reason_category not in ReasonCategory.values:
        raise PolicyViolation(
            rule=rule, field="reason_category", message=f"Unknown reason category “{reason_category[:40]}”."
        )


def _status_snapshot(study: Study) -> dict:
    """The status fields of a study before a change, as the audit row's data keeps them (`previous`)."""
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


def study_hide(*, study: Study, actor, reason_category: str, note: str = "") -> Study:
    """Take an entry out of search, listings and the sitemap; it stays reachable (P-HIDE).

    The reason of an obsolete or removed entry is public and stays; the hiding's own
    reason is in the audit row.
    """
    _check_curator_and_reason(actor, reason_category, rule="P-HIDE")
    with transaction.atomic():
        study = _study_locked(study)
        if not study.searchable:
            raise PolicyViolation(rule="P-HIDE", field="searchable", message=f"{study.accession} is already hidden.")
        study.searchable = False
        if study.status in (StudyStatus.CONFIDENTIAL, StudyStatus.RELEASED):
            _set_status_reason(study, reason_category=reason_category, note=note, now=timezone.now())
        study.save()
        _audit_study(study, actor=actor, action=AuditAction.STUDY_HIDDEN, reason_category=reason_category, note=note)
    return study


def study_unhide(*, study: Study, actor, reason_category: str, note: str = "") -> Study:
    """Put a hidden entry back into search, listings and the sitemap (P-HIDE)."""
    _check_curator_and_reason(actor, reason_category, rule="P-HIDE")
    with transaction.atomic():
        study = _study_locked(study)
        if study.searchable:
            raise PolicyViolation(rule="P-HIDE", field="searchable", message=f"{study.accession} is not hidden.")
        study.searchable = True
        if study.status in (StudyStatus.CONFIDENTIAL, StudyStatus.RELEASED):
            # The reason described the hiding, which is over.
            _set_status_reason(study, reason_category="", note="", now=None)
        study.save()
        _audit_study(study, actor=actor, action=AuditAction.STUDY_UNHIDDEN, reason_category=reason_category, note=note)
    return study


def _superseding_study(study: Study, *, reason_category: str, superseded_by: str) -> Study | None:
    """Return the entry named to supersede `study`, or None when none is named (P-OBSOLETE)."""
    if not superseded_by:
        return None
    if reason_category != ReasonCategory.SUPERSEDED:
        raise PolicyViolation(
            rule="P-OBSOLETE",
            field="superseded_by",
            message="Name the entry that supersedes this one only when the reason is “superseded”.",
        )
    if superseded_by == study.accession:
        raise PolicyViolation(
            rule="P-OBSOLETE", field="superseded_by", message=f"{study.accession} cannot supersede itself."
        )
    superseding = Study.objects.filter(accession=superseded_by).first()
    if superseding is None:
        raise PolicyViolation(
            rule="P-OBSOLETE", field="superseded_by", message=f"No entry {superseded_by[:40]} exists."
        )
    return superseding


def study_make_obsolete(*, study: Study, actor, reason_category: str, note: str = "", superseded_by: str = "") -> Study:
    """Move a released entry out of the active archive; it stays public and marked (P-OBSOLETE).

    `superseded_by` optionally names, by accession, the entry that replaces it (reason “superseded” only).
    """
    _check_curator_and_reason(actor, reason_category, rule="P-OBSOLETE")
    with transaction.atomic():
        study = _study_locked(study)
        if study.status != StudyStatus.RELEASED:
            raise PolicyViolation(
                rule="P-OBSOLETE",
                field="status",
                message=f"Only a released entry can be made obsolete; {study.accession} is {study.status}.",
            )
        study.superseded_by = _superseding_study(study, reason_category=reason_category, superseded_by=superseded_by)
        study.status = StudyStatus.OBSOLETE
        _set_status_reason(study, reason_category=reason_category, note=note, now=timezone.now())
        study.save()
        _audit_study(
            study,
            actor=actor,
            action=AuditAction.STUDY_OBSOLETED,
            reason_category=reason_category,
            note=note,
            superseded_by=superseded_by or None,
        )
    return study


def study_remove(*, study: Study, actor, reason_category: str, note: str = "") -> Study:
    """Remove an entry from the public record; its data is kept, not public (P-REMOVE).

    The status it had is kept as a StudyRemoval, which `study_restore` puts back.
    """
    _check_curator_and_reason(actor, reason_category, rule="P-REMOVE")
    now = timezone.now()
    with transaction.atomic():
        study = _study_locked(study)
        if study.status == StudyStatus.REMOVED:
            raise PolicyViolation(rule="P-REMOVE", field="status", message=f"{study.accession} is already removed.")
        StudyRemoval.objects.create(
            study=study,
            removed_at=now,
            previous_status=study.status,
            previous_status_reason=study.status_reason,
            previous_status_note=study.status_note,
            previous_status_changed_at=study.status_changed_at,
        )
        previous = _status_snapshot(study)
        study.status = StudyStatus.REMOVED
        _set_status_reason(study, reason_category=reason_category, note=note, now=now)
        study.save()
        _audit_study(
            study,
            actor=actor,
            action=AuditAction.STUDY_REMOVED,
            reason_category=reason_category,
            note=note,
            previous=previous,
        )
    return study


def study_restore(*, study: Study, actor, reason_category: str, note: str = "") -> Study:
    """Undo a removal or an obsoletion made by mistake (P-REMOVE, P-OBSOLETE).

    A removed entry goes back to the status its latest StudyRemoval kept (without one:
    released if it ever was, else confidential); an obsolete one to released.
    """
    _check_curator_and_reason(actor, reason_category, rule="P-REMOVE")
    with transaction.atomic():
        study = _study_locked(study)
        before = _status_snapshot(study)
        if study.status == StudyStatus.OBSOLETE:
            study.status = StudyStatus.RELEASED
            study.superseded_by = None
            _set_status_reason(study, reason_category="", note="", now=timezone.now())
        elif study.status == StudyStatus.REMOVED:
            removal = study.removals.order_by("-removed_at", "-pk").first()
            if removal is None:
                study.status = StudyStatus.RELEASED if study.released_at else StudyStatus.CONFIDENTIAL
                _set_status_reason(study, reason_category="", note="", now=None)
            else:
                study.status = removal.previous_status
                study.status_reason = removal.previous_status_reason
                study.status_note = removal.previous_status_note
                study.status_changed_at = removal.previous_status_changed_at
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
            action=AuditAction.STUDY_RESTORED,
            reason_category=reason_category,
            note=note,
            previous=before,
            status=study.status,
        )
    return study


FILE_ACTIONS = {
    FileStatus.ACTIVE: AuditAction.FILES_RESTORED,
    FileStatus.OBSOLETE: AuditAction.FILES_OBSOLETED,
    FileStatus.REMOVED: AuditAction.FILES_REMOVED,
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
    _check_curator_and_reason(actor, reason_category, rule=rule)
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
        removing = status == FileStatus.REMOVED
        # Only copies that enter or leave the removed status move in their folders' counts.
        flipping = copies.exclude(status=FileStatus.REMOVED) if removing else copies.filter(status=FileStatus.REMOVED)
        folders_count_change(
            (version_id, path, size, removing)
            for version_id, path, size in flipping.values_list("version_id", "path", "size")
        )
        reason = "" if status == FileStatus.ACTIVE else reason_category
        changed = copies.update(status=status, status_reason=reason, status_changed_at=timezone.now())
        study_totals_mirror(version.study)
        audit.record(
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
