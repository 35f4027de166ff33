"""The audit trail's entry point for every app (DESIGN §1, issue #6).

Services of any app call `audit_record` inside their transaction; the
`curation` app, which owns the append-only `CurationEvent` log, receives the
signal and writes the row in that same transaction. A signal keeps the arrows
of DESIGN §2: archive, uploads and submissions never import curation.
"""

from django.dispatch import Signal

audit_event = Signal()  # kwargs: actor, action, target_type, target_id, study, reason_category, note, data


def audit_record(
    *,
    actor,
    action: str,
    target_type: str,
    target_id: str,
    study=None,
    reason_category: str = "",
    note: str = "",
    data: dict | None = None,
) -> None:
    """Write one audit row for a state change; `actor` is None for scheduled jobs.

    Call it inside the service's transaction: a failure to log rolls the change back.
    """
    audit_event.send(
        sender=None,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        study=study,
        reason_category=reason_category,
        note=note,
        data=data or {},
    )
