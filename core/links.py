"""Absolute links to the portal, for e-mails and records built with or without a request to take the host from.

The address is `PORTAL_URL` when it is set (production; `make demo` sets it from `PORT`); otherwise the
address the request being answered came to (RequestOriginMiddleware remembers it); otherwise, in a job with
no request, the one-machine address.
"""

from collections.abc import Callable
from contextvars import ContextVar
from urllib.parse import quote

from django.conf import settings
from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS

LOCAL_PORTAL_URL = "http://127.0.0.1:8000"  # `make demo`'s default address

_request_origin: ContextVar[str] = ContextVar("request_origin", default="")


def portal_url(path: str = "") -> str:
    """Return `path` (e.g. from `reverse`) on the portal's address: PORTAL_URL, the request's host, or the local one."""
    base = settings.PORTAL_URL or _request_origin.get() or LOCAL_PORTAL_URL
    return base.rstrip("/") + path


def path_reverser(name: str, args: list) -> Callable[[str], str]:
    """`path -> reverse(name, args=[*args, path])` for a route ending in a `<path:…>`, reversed once for a whole
    table: the path is quoted as `reverse` quotes it (a `reverse` costs tens of microseconds, a page lists 50)."""
    marker = "-"
    prefix = reverse(name, args=[*args, marker]).removesuffix(marker)
    return lambda path: prefix + quote(path, safe=RFC3986_SUBDELIMS + "/~:@")


class RequestOriginMiddleware:
    """Remember the scheme and host of the request being answered, for `portal_url` while it is answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # get_host() checks ALLOWED_HOSTS first, so a forged Host header never makes a link.
        token = _request_origin.set(f"{request.scheme}://{request.get_host()}")
        try:
            return self.get_response(request)
        finally:
            _request_origin.reset(token)
