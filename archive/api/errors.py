"""Turn every API error into a 4xx JSON body that names the field and the rule."""

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from archive.api.parsers import REQUEST_BODY_RULE
from archive.api.serializers import TombstoneSerializer
from archive.selectors.visibility import StudyGone, StudyNotFound
from core.errors import PolicyViolation

# The rules of the request itself, beside the policies of docs/design.md §5.
AUTH_RULE = "AUTH"  # who the caller is: no credentials, or refused ones
PERMISSION_RULE = "PERMISSION"  # what the caller may do
NOT_FOUND_RULE = "NOT-FOUND"  # nothing at the address, or nothing the caller may see
INPUT_RULE = "INPUT"  # a request of the wrong shape (a type, a format, a query parameter) that no policy claims

# DRF's own refusals answer `{detail}` or `{field: [messages]}`; each also names the rule it applies.
# The first class the error is an instance of gives the rule.
DRF_RULES = (
    ((exceptions.NotAuthenticated, exceptions.AuthenticationFailed), AUTH_RULE),
    (exceptions.PermissionDenied, PERMISSION_RULE),
    (exceptions.NotFound, NOT_FOUND_RULE),
    (exceptions.MethodNotAllowed, "METHOD"),
    (exceptions.NotAcceptable, "ACCEPT"),
    (exceptions.UnsupportedMediaType, "MEDIA-TYPE"),
    (exceptions.ParseError, REQUEST_BODY_RULE),
    (exceptions.Throttled, "THROTTLE"),
)
# The same rules for the error pages of addresses under /api/ that no API view answers.
STATUS_RULES = {400: INPUT_RULE, 403: PERMISSION_RULE, 404: NOT_FOUND_RULE}


def _rule_of(exc: Exception) -> str:
    return next((rule for kinds, rule in DRF_RULES if isinstance(exc, kinds)), INPUT_RULE)


def exception_handler(exc, context):
    if isinstance(exc, PolicyViolation):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, StudyGone):
        # P-REMOVE: date and reason only, and search engines must drop the entry.
        return Response(TombstoneSerializer(exc.study).data, status=410, headers={"X-Robots-Tag": "noindex"})
    if isinstance(exc, StudyNotFound):
        exc = exceptions.NotFound(f"Not found: {exc}. It does not exist or is not visible to you.")
    response = drf_exception_handler(exc, context)
    if response is not None:
        if isinstance(response.data, list):  # a ValidationError raised with messages only
            response.data = {"non_field_errors": response.data}
        response.data.setdefault("rule", _rule_of(exc))
    return response
