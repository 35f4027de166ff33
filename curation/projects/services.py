"""Structured projects (P-PROJECT): proposed by a signed-in user, scored and decided by curators.

Curators weigh the resources a project needs (volume, curation, metadata
work, funding: each scored 1, little, to 5, a lot) against its predicted
impact (1 to 5). The balance shown to them is the impact minus the mean
resource score: from -4 (costly, little impact) to +4 (cheap, high impact).
It informs the decision; the curators decide case by case.

Only a project `accepted` outright lets a submission without a publication
through (`review_rules.project_is_accepted`). One "accepted subject to dedicated funding"
does not until a curator accepts it outright once the funding is in place.
"""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from archive.metadata import text_problem
from core import audit
from core.audit import AuditAction
from core.errors import NotAllowed, PolicyViolation
from core.links import portal_url
from core.mail import mail_on_commit
from core.roles import curator_required
from submissions.models import ProjectProposal, ProjectState

logger = logging.getLogger(__name__)

RULE = "P-PROJECT"
SCORE_MIN, SCORE_MAX = 1, 5
RESOURCE_SCORES = ("score_volume", "score_curation", "score_metadata", "score_funding")
SCORES = (*RESOURCE_SCORES, "score_impact")
DECISIONS = (ProjectState.ACCEPTED, ProjectState.ACCEPTED_IF_FUNDED, ProjectState.DECLINED)
# A project accepted subject to funding is decided again when the funding is known; the others are final.
OPEN_STATES = (ProjectState.PROPOSED, ProjectState.ACCEPTED_IF_FUNDED)
PROPOSAL_FIELDS = (
    "name",
    "description",
    "category",
    "expected_volume_gb",
    "expected_datasets",
    "expected_images",
    "timeline",
    "metadata_needs",
    "curation_support",
    "funding_status",
)


@dataclass(frozen=True)
class Balance:
    resources: float  # mean of the four resource scores
    impact: int
    value: float  # impact minus resources


def project_balance(project: ProjectProposal) -> Balance | None:
    """Return the balance of a scored project's impact against its resources, or None before it is scored."""
    scores = [getattr(project, name) for name in RESOURCE_SCORES]
    if project.score_impact is None or None in scores:
        return None
    resources = sum(scores) / len(scores)
    return Balance(resources=resources, impact=project.score_impact, value=round(project.score_impact - resources, 2))


def _locked_open(project: ProjectProposal) -> ProjectProposal:
    project = ProjectProposal.objects.select_for_update().get(pk=project.pk)
    if project.state not in OPEN_STATES:
        raise PolicyViolation(
            rule=RULE, field="state", message=f"This project is already {project.get_state_display().lower()}."
        )
    return project


def project_propose(*, actor, **fields) -> ProjectProposal:
    """Record a structured-project proposal from a signed-in user; curators decide it later."""
    if not getattr(actor, "is_authenticated", False):
        raise NotAllowed(rule=RULE, message="Sign in to propose a project.")
    unknown = set(fields) - set(PROPOSAL_FIELDS)
    if unknown:
        raise PolicyViolation(rule=RULE, field=sorted(unknown)[0], message="Not a field of a project proposal.")
    for name in ("name", "description", "timeline"):
        if not str(fields.get(name) or "").strip():
            raise PolicyViolation(rule=RULE, field=name, message="This field is required.")
    if problem := text_problem(str(fields["name"])):  # the name goes into the decision e-mail's subject
        raise PolicyViolation(rule=RULE, field="name", message=problem)
    with transaction.atomic():
        project = ProjectProposal.objects.create(proposer=actor, created_at=timezone.now(), **fields)
        audit.record(actor=actor, action=AuditAction.PROJECT_PROPOSED, target_type="project", target_id=project.pk)
    logger.info("project %s proposed by %s", project.pk, actor.pk)
    return project


def project_score(
    *, project: ProjectProposal, actor, volume: int, curation: int, metadata: int, funding: int, impact: int
) -> ProjectProposal:
    """Record a curator's scores of a project's resources and impact, each from 1 to 5."""
    curator_required(actor, rule=RULE, message="Only curators score and decide structured projects.")
    scores = dict(zip(SCORES, (volume, curation, metadata, funding, impact), strict=True))
    for name, value in scores.items():
        if not isinstance(value, int) or not SCORE_MIN <= value <= SCORE_MAX:
            raise PolicyViolation(rule=RULE, field=name, message=f"Score from {SCORE_MIN} to {SCORE_MAX}.")
    with transaction.atomic():
        project = _locked_open(project)
        for name, value in scores.items():
            setattr(project, name, value)
        project.save(update_fields=list(SCORES))
        audit.record(
            actor=actor,
            action=AuditAction.PROJECT_SCORED,
            target_type="project",
            target_id=project.pk,
            data={**scores, "balance": project_balance(project).value},
        )
    return project


def project_decide(*, project: ProjectProposal, actor, decision: str, note: str) -> ProjectProposal:
    """Accept, decline, or accept subject to dedicated funding a scored project, and e-mail the proposer.

    A project accepted subject to funding may be decided again (accepted once
    the funding is in place, or declined); the other decisions are final.
    """
    curator_required(actor, rule=RULE, message="Only curators score and decide structured projects.")
    if decision not in DECISIONS:
        raise PolicyViolation(
            rule=RULE, field="decision", message="Decide: accept, accept subject to funding, or decline."
        )
    note = note.strip()
    if not note:
        raise PolicyViolation(rule=RULE, field="note", message="Explain the decision to the proposer in a note.")
    now = timezone.now()
    with transaction.atomic():
        project = _locked_open(project)
        if project_balance(project) is None:
            raise PolicyViolation(rule=RULE, field="scores", message="Score the project before deciding it.")
        project.state = decision
        project.decision_note = note
        project.decided_by = actor
        project.decided_at = now
        project.save(update_fields=["state", "decision_note", "decided_by", "decided_at"])
        audit.record(
            actor=actor,
            action=AuditAction.PROJECT_DECIDED,
            target_type="project",
            target_id=project.pk,
            reason_category=decision,
            note=note,
        )
        _decision_email_on_commit(project)
    logger.info("project %s decided by %s: %s", project.pk, actor.pk, decision)
    return project


def _decision_email_on_commit(project: ProjectProposal) -> None:
    """E-mail the proposer the decision once it is committed (a failure to send is logged, `core.mail`)."""
    proposer = project.proposer
    if not proposer.email:
        return
    mail_on_commit(
        to=proposer.email,
        template="submissions/email/project_decided.txt",
        context={
            "user": proposer,
            "project": project,
            "project_url": portal_url(reverse("projects:detail", args=[project.pk])),
        },
        about=f"project {project.pk}",
    )
