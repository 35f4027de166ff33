"""Scheduled jobs of the archive (django-q2). Each calls one service and is safe to run twice."""

from archive.services import studies_release_due


def release_due_studies() -> list[str]:
    """Publish every confidential study whose release date has come (P-RELEASE-DATE).

    Return the accessions this run released; a second run finds none left.
    """
    return studies_release_due()
