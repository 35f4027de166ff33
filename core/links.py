"""Absolute links to the portal, for e-mails that jobs send without a request to build them from."""

from django.conf import settings


def portal_url(path: str = "") -> str:
    """Return `path` (e.g. from `reverse`) on the portal's public address, `PORTAL_URL`."""
    return settings.PORTAL_URL.rstrip("/") + path
