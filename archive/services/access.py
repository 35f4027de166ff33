"""Confidential access: reviewer links and collaborators, managed by a study's owner or a curator."""

import datetime
import functools
import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_q.tasks import async_task
from guardian.shortcuts import assign_perm, remove_perm

from archive.models import ReviewerLink, Study, StudyStatus
from archive.selectors.visibility import reviewer_token_hash, study_access_check_manager, study_collaborators
from archive.services.changes import _audit_study
from archive.services.release import _study_mail_send
from core import audit
from core.audit import AuditAction
from core.errors import PolicyViolation

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
        _audit_reviewer_link(link, actor=actor, action=AuditAction.REVIEWER_LINK_CREATED)
    return link, token


def _audit_reviewer_link(link: ReviewerLink, *, actor, action: AuditAction) -> None:
    expires_at = link.expires_at.isoformat() if link.expires_at else None
    audit.record(
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
            _audit_reviewer_link(link, actor=actor, action=AuditAction.REVIEWER_LINK_REVOKED)
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
        _audit_study(study, actor=actor, action=AuditAction.COLLABORATOR_REMOVED, user=user.get_username())


def study_collaborator_add(*, study: Study, user, actor) -> Study:
    """Let `user` see a confidential study."""
    study_access_check_manager(actor, study, rule=COLLABORATOR_RULE)
    with transaction.atomic():
        assign_perm("archive.view_study", user, study)
        _audit_study(study, actor=actor, action=AuditAction.COLLABORATOR_ADDED, user=user.get_username())
    return study
