"""Scheduled jobs of the archive (django-q2). Each calls one service and is safe to run twice."""

from archive.services import access, dois, release, thumbnails

# How often DOIs that DataCite has not taken yet are sent again (portal/management/commands/setup_schedules.py).
DOIS_RETRY_EVERY_MINUTES = 10


def studies_release_due() -> list[str]:
    """Publish every confidential study whose release date has come (P-RELEASE-DATE).

    Return the accessions this run released; a second run finds none left.
    """
    return release.studies_release_due()


THUMBNAILS_EVERY_MINUTES = 10
THUMBNAILS_PER_RUN = 200


def thumbnails_make_missing(limit: int = THUMBNAILS_PER_RUN) -> dict[str, int]:
    """Make the thumbnails that image files still lack; a second run finds none left."""
    return thumbnails.thumbnails_make_missing(limit=limit)


def collaborator_invitation_send(study_pk: int, user_pk: int, invited_by: str) -> None:
    """E-mail a new collaborator that they may see the study; queued, so the invitation's answer never waits on it."""
    access.collaborator_invitation_send(study_pk=study_pk, user_pk=user_pk, invited_by=invited_by)


def study_dois_register(study_pk: int) -> dict[str, int]:
    """Send a released or changed study's DOIs to DataCite; queued, so a release never waits on DataCite."""
    return dois.study_dois_register(study_pk=study_pk)


def dois_register_pending() -> dict[str, int]:
    """Retry every DOI DataCite has not accepted yet; a second run finds none left once DataCite answers."""
    return dois.dois_register_pending()
