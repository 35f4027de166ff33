"""The audit trail's entry point for every app (docs/design.md §5, issue #6).

Services of any app call `record` inside their transaction; the row is written
there and then, so a failure to log rolls the change back.
"""

from enum import StrEnum

from django.utils import timezone

from core.models import CurationEvent


class AuditAction(StrEnum):
    """Every change the audit log records, as `<target>.<what happened>`."""

    STUDY_ACCESSIONED = "study.accessioned"
    STUDY_VERSION_ADDED = "study.version_added"
    STUDY_RELEASED = "study.released"
    STUDY_RELEASE_DATE_CHANGED = "study.release_date_changed"
    STUDY_HIDDEN = "study.hidden"
    STUDY_UNHIDDEN = "study.unhidden"
    STUDY_OBSOLETED = "study.obsoleted"
    STUDY_REMOVED = "study.removed"
    STUDY_RESTORED = "study.restored"
    STUDY_IMPORTED = "study.imported"
    FILES_OBSOLETED = "files.obsoleted"
    FILES_REMOVED = "files.removed"
    FILES_RESTORED = "files.restored"
    COLLABORATOR_ADDED = "collaborator.added"
    COLLABORATOR_REMOVED = "collaborator.removed"
    REVIEWER_LINK_CREATED = "reviewer_link.created"
    REVIEWER_LINK_REVOKED = "reviewer_link.revoked"
    SUBMISSION_CREATED = "submission.created"
    SUBMISSION_VERSION_STARTED = "submission.version_started"
    SUBMISSION_SUBMITTED = "submission.submitted"
    SUBMISSION_REVIEW_ACCEPTED = "submission.review_accepted"
    SUBMISSION_CHANGES_REQUESTED = "submission.changes_requested"
    SUBMISSION_REFUSED = "submission.refused"
    PROJECT_PROPOSED = "project.proposed"
    PROJECT_SCORED = "project.scored"
    PROJECT_DECIDED = "project.decided"
    FIXITY_MISMATCH = "fixity.mismatch"
    FIXITY_MISSING = "fixity.missing"
    FIXITY_RESOLVED = "fixity.resolved"


def record(
    *,
    actor,
    action: AuditAction,
    target_type: str,
    target_id: str | int,
    study=None,
    reason_category: str = "",
    note: str = "",
    data: dict | None = None,
) -> CurationEvent:
    """Write one audit row for a state change; `actor` is None (or anonymous) for scheduled jobs.

    Call it inside the service's transaction: a failure to log rolls the change back.
    """
    return CurationEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=AuditAction(action).value,
        target_type=target_type,
        target_id=str(target_id),
        study=study,
        reason_category=reason_category,
        note=note,
        data=data or {},
        at=timezone.now(),
    )
