"""What every change to a study does: lock its row, record the change, expire cached search, mark its DOIs, date
its harvested record."""

import uuid

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from archive.models import Study
from archive.selectors.search import SEARCH_GENERATION_KEY
from archive.services.dois import study_dois_mark
from core import audit
from core.audit import AuditAction


def _search_cache_expire() -> None:
    """Start a new generation of cached search results once the change commits (see `study_search_page`)."""

    # A fresh random value, not incr: the file cache's incr is a read then a write, so two
    # processes bumping at once could both write the same number and keep a stale result.
    transaction.on_commit(lambda: cache.set(SEARCH_GENERATION_KEY, uuid.uuid4().hex, None))


def _record_changed_stamp(study: Study) -> None:
    """Move the OAI-PMH datestamp of the study, and of the study superseding it, whose record names this one.

    Stamped in the transaction, so a crash after its commit still leaves a stamp, and again once it commits: a
    harvest whose responseDate falls before the commit cannot have seen the change, and its `from` must find it.
    """
    now = timezone.now()
    study.record_changed_at = now
    changed = Study.objects.filter(pk__in=[study.pk, study.superseded_by_id] if study.superseded_by_id else [study.pk])
    changed.update(record_changed_at=now)
    # robust: the change has committed by then, so a failed re-stamp must not fail the request (the first holds).
    transaction.on_commit(lambda: changed.update(record_changed_at=timezone.now()), robust=True)


def _audit_study(
    study: Study, *, actor, action: AuditAction, reason_category: str = "", note: str = "", **data
) -> None:
    """Record a change to a study; every such change may alter what search lists, what its DOIs' records say and
    what harvesters must fetch again."""
    _search_cache_expire()
    study_dois_mark(study)
    _record_changed_stamp(study)
    audit.record(
        actor=actor,
        action=action,
        target_type="study",
        target_id=study.accession,
        study=study,
        reason_category=reason_category,
        note=note,
        data=data,
    )


def _study_locked(study: Study) -> Study:
    return Study.objects.select_for_update().get(pk=study.pk)
