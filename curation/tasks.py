"""Scheduled jobs of curation (django-q2). Each calls one service and is safe to run twice."""

from django.conf import settings

from curation.services import fixity

FIXITY_EVERY_MINUTES = 60


def fixity_run() -> dict:
    """Re-hash the least recently checked stored objects within FIXITY_BYTES_PER_RUN (P-INTEGRITY)."""
    return fixity.fixity_run(byte_budget=settings.FIXITY_BYTES_PER_RUN).as_dict()
