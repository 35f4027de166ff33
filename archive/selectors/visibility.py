"""Who may see a study: the one visibility rule, its single-object twins and the checks on who manages access.

`studies_visible_to` is the one function that decides who may see a study; every page, API view,
search, sitemap and download starts from it.
"""

import hashlib
import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from archive.models import PUBLIC_STATUSES, ReviewerLink, Study, StudyStatus, StudyUserObjectPermission, StudyVersion
from core.errors import NotAllowed
from core.roles import user_is_curator

# Accessions are a prefix and a number; this is wide enough for any prefix setting.
ACCESSION_SHAPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")


class StudyNotFound(Exception):
    """The study does not exist, or the caller may not know that it does."""


class StudyGone(Exception):
    """The study was removed from the public record (P-REMOVE): answer 410 with a tombstone."""

    def __init__(self, study: Study):
        super().__init__(study.accession)
        self.study = study


def studies_visible_to(user) -> QuerySet[Study]:
    """Return the studies `user` may open.

    Curators see every study. Everyone sees released and obsolete studies. A
    signed-in user also sees confidential studies on which they hold the
    `view_study` object permission (owner, invited collaborators). Removed
    studies are visible to curators only; others get a tombstone by accession.
    """
    # The search vector is only ever read by the database.
    studies = Study.objects.defer("search_vector")
    if user_is_curator(user):
        return studies
    public = Q(status__in=PUBLIC_STATUSES)
    if user is None or not user.is_authenticated:
        return studies.filter(public)
    return studies.filter(public | Q(status=StudyStatus.CONFIDENTIAL, pk__in=study_ids_granted_to(user)))


def studies_harvestable() -> QuerySet[Study]:
    """Return the studies harvesters (OAI-PMH) hear of: what the public may open, and the removed ones it once could.

    Of these, `study_record_is_live` ones are records; the others are announced as deleted, with no metadata:
    a hidden study leaves listings (P-HIDE), a removed one the public record (P-REMOVE). A study removed
    before it was ever released is never mentioned.
    """
    once_public = Study.objects.defer("search_vector").filter(status=StudyStatus.REMOVED, released_at__isnull=False)
    return studies_visible_to(None) | once_public


def study_record_is_live(study: Study) -> bool:
    """True when a harvestable study is a record the public may list; False for a tombstone (deleted record)."""
    return study.is_public and study.searchable


def study_ids_granted_to(user) -> QuerySet:
    """Return the ids of the studies on which `user` holds `view_study` (as owner or invited collaborator)."""
    granted = StudyUserObjectPermission.objects.filter(user=user, permission__codename="view_study")
    return granted.values("content_object_id")


def study_get_visible(user, accession: str) -> Study:
    """Return the study with this accession if `user` may open it.

    Raise StudyGone for a removed study (unless the caller is a curator) and
    StudyNotFound when it does not exist or is confidential to the caller.
    """
    if not ACCESSION_SHAPE.fullmatch(accession):
        # Junk (control characters, overlong input) never reaches the database.
        raise StudyNotFound(accession[:40])
    study = studies_visible_to(user).select_related("licence").filter(accession=accession).first()
    if study is not None:
        return study
    removed = Study.objects.filter(accession=accession, status=StudyStatus.REMOVED).first()
    if removed is not None:
        raise StudyGone(removed)
    raise StudyNotFound(accession)


def study_version_get(*, study: Study, number: int | None = None) -> StudyVersion:
    """Return version `number` of a visible study (the newest when None)."""
    versions = study.versions.all()
    version = versions.first() if number is None else versions.filter(number=number).first()
    if version is None:
        raise StudyNotFound(f"{study.accession} v{number}")
    return version


@dataclass(frozen=True)
class StudyPage:
    study: Study
    version: StudyVersion
    versions: list[StudyVersion]
    # The accession of the entry that supersedes an obsolete one (P-OBSOLETE), and whether the caller may open it.
    superseded_by: str = ""
    superseded_by_visible: bool = False

    @property
    def is_newest(self) -> bool:
        return self.version.number == self.versions[0].number


def study_page_get(user, accession: str, number: int | None = None) -> StudyPage:
    """Return a visible study with version `number` (the newest when None) and its version list.

    Raise StudyNotFound or StudyGone as `study_get_visible` does.
    """
    study = study_get_visible(user, accession)
    # A study has few versions: one query reads them all, metadata included.
    versions = list(study.versions.all())
    wanted = versions[0].number if number is None and versions else number
    version = next((v for v in versions if v.number == wanted), None)
    if version is None:
        raise StudyNotFound(f"{accession} v{number}")
    superseding = {}
    if study.superseded_by_id is not None:
        superseding = {
            "superseded_by": Study.objects.values_list("accession", flat=True).get(pk=study.superseded_by_id),
            "superseded_by_visible": studies_visible_to(user).filter(pk=study.superseded_by_id).exists(),
        }
    return StudyPage(study=study, version=version, versions=versions, **superseding)


# --- Confidential access: reviewer links and collaborators ------------------------------

# Tokens are secrets.token_urlsafe output; anything else is refused before hashing.
REVIEWER_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,100}")


def reviewer_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def study_access_manageable_by(user, study: Study) -> bool:
    """True for the owner and curators: they decide who else sees a study."""
    return bool(user and user.is_authenticated and (study.owner_id == user.pk or user_is_curator(user)))


def study_access_check_manager(
    user,
    study: Study,
    *,
    rule: str,
    field: str = "non_field_errors",
    message: str = "Only the owner of the study or a curator may manage who can see it.",
) -> None:
    """Raise NotAllowed (403) under `rule`, naming `field`, unless `user` owns `study` or is a curator."""
    if not study_access_manageable_by(user, study):
        raise NotAllowed(rule=rule, field=field, message=message)


def study_get_by_reviewer_token(token: str, *, now=None) -> tuple[Study, ReviewerLink]:
    """Return the one study a reviewer link opens, and the link.

    Raise StudyNotFound when the token is unknown, revoked or expired (without
    saying which), and StudyGone when its study was removed: removed studies
    never open through a link, whoever holds it (P-REMOVE).
    """
    if not REVIEWER_TOKEN_SHAPE.fullmatch(token):
        raise StudyNotFound("reviewer link")
    now = now or timezone.now()
    link = (
        ReviewerLink.objects.select_related("study__licence")
        .defer("study__search_vector")
        .filter(token_hash=reviewer_token_hash(token), revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if link is None:
        raise StudyNotFound("reviewer link")
    if link.study.status == StudyStatus.REMOVED:
        raise StudyGone(link.study)
    return link.study, link


def reviewer_links_for(*, study: Study, actor) -> QuerySet[ReviewerLink]:
    """Return a study's reviewer links, newest first, for its owner or a curator."""
    study_access_check_manager(actor, study, rule="REVIEWER-LINK")
    return study.reviewer_links.order_by("-created_at", "-pk")


def reviewer_link_get(*, study: Study, actor, link_id: int) -> ReviewerLink:
    """Return one reviewer link of a study, for its owner or a curator."""
    link = reviewer_links_for(study=study, actor=actor).filter(pk=link_id).first()
    if link is None:
        raise StudyNotFound(f"reviewer link {link_id}")
    return link


def study_collaborators(*, study: Study) -> QuerySet:
    """Return the users invited to see a study: holders of `view_study` other than its owner."""
    granted = StudyUserObjectPermission.objects.filter(content_object=study, permission__codename="view_study")
    return get_user_model().objects.filter(pk__in=granted.values("user_id")).exclude(pk=study.owner_id)


def study_get_managed(user, accession: str) -> Study:
    """Return the study if `user` sees it and may manage who else does (its owner or a curator).

    Raise StudyNotFound otherwise, even for a study the caller sees, so the owner's
    controls reveal nothing to anyone else; StudyGone as `study_get_visible` does.
    """
    study = study_get_visible(user, accession)
    if not study_access_manageable_by(user, study):
        raise StudyNotFound(accession)
    return study
