"""Turn every API error into a 4xx JSON body that names the field and the rule."""

from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from archive.api.serializers import TombstoneSerializer
from archive.selectors import StudyGone, StudyNotFound
from portal.errors import PolicyViolation


def exception_handler(exc, context):
    if isinstance(exc, PolicyViolation):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, StudyGone):
        # P-REMOVE: date and reason only, and search engines must drop the entry.
        return Response(TombstoneSerializer(exc.study).data, status=410, headers={"X-Robots-Tag": "noindex"})
    if isinstance(exc, StudyNotFound):
        exc = NotFound(f"Not found: {exc}. It does not exist or is not visible to you.")
    return drf_exception_handler(exc, context)
