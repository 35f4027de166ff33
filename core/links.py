"""Absolute links to the portal, for e-mails and records built with or without a request to take the host from.

The address is `PORTAL_URL` when it is set (production; `make demo` sets it from `PORT`); otherwise the
address the request being answered came to (RequestOriginMiddleware remembers it); otherwise, in a job with
no request, the one-machine address.
"""

from contextvars import ContextVar

from django.conf import settings

LOCAL_PORTAL_URL = "http://127.0.0.1:8000"  # `make demo`'s default address

_request_origin: ContextVar[str] = ContextVar("request_origin", default="")


def portal_url(path: str = "") -> str:
    """Return `path` (e.g. from `reverse`) on the portal's address: PORTAL_URL, the request's host, or the local one."""
    base = settings.PORTAL_URL or _request_origin.get() or LOCAL_PORTAL_URL
    return base.rstrip("/") + path


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
