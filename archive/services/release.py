"""Release (P-RELEASE-DATE): the scheduled publication of due studies, release date changes, and the owner's e-mail."""

import datetime
import functools
import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from archive.models import ReleaseDateChange, Study, StudyStatus
from archive.release_dates import release_date_validate
from archive.selectors.visibility import study_access_check_manager
from archive.services.changes import _audit_study, _study_locked
from core.audit import AuditAction
from core.errors import PolicyViolation
from core.links import portal_url
from core.mail import after_commit, mail_send
from core.roles import user_is_curator

logger = logging.getLogger(__name__)


def _release(study: Study, now: datetime.datetime, *, actor) -> None:
    study.status = StudyStatus.RELEASED
    study.released_at = now
    study.save(update_fields=["status", "released_at"])
    _audit_study(study, actor=actor, action=AuditAction.STUDY_RELEASED, release_date=study.release_date.isoformat())
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
    """E-mail about a study, `archive/email/<template>.txt` (see `core.mail`), to the owner or `user_pk`."""
    study = Study.objects.select_related("owner").get(pk=study_pk)
    user = study.owner if user_pk is None else get_user_model().objects.get(pk=user_pk)
    if not user.email:
        return
    context = {"study": study, "user": user, "study_url": portal_url(reverse("study-detail", args=[study.accession]))}
    mail_send(to=[user.email], template=f"archive/email/{template}.txt", context={**context, **extra})


def study_release_date_change(*, study: Study, actor, release_date: datetime.date, reason: str = "") -> Study:
    """Move a confidential study's release date (P-RELEASE-DATE).

    The owner stays within RELEASE_DATE_MAX_YEARS years of the study's accessioning; a curator may go
    beyond with a reason. Every change is stored as a ReleaseDateChange and
    in the audit log. A date of today releases the study at once.
    """
    now = timezone.now()
    curator = user_is_curator(actor)
    with transaction.atomic():
        study = _study_locked(study)
        study_access_check_manager(
            actor,
            study,
            rule="P-RELEASE-DATE",
            field="release_date",
            message="Only the owner can change the release date.",
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
            action=AuditAction.STUDY_RELEASE_DATE_CHANGED,
            note=change.reason,
            old_date=change.old_date.isoformat(),
            new_date=change.new_date.isoformat(),
            beyond_bound=beyond,
        )
        if release_date <= timezone.localdate(now):
            _release(study, now, actor=actor)
    return study
