"""Turn every API error into a 4xx JSON body that names the field and the rule."""

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.errors import PolicyViolation


def exception_handler(exc, context):
    if isinstance(exc, PolicyViolation):
        return Response(exc.as_dict(), status=400)
    return drf_exception_handler(exc, context)
