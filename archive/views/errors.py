"""Error pages for people: a heading, what went wrong, where to go next."""

from django.http import JsonResponse
from django.shortcuts import render

from archive.api.errors import STATUS_RULES


def _error(request, status: int, title: str, message: str, **context):
    # API clients get JSON even for addresses that match no API route, naming the rule as the API does.
    if request.path.startswith("/api/"):
        rule = {"rule": STATUS_RULES[status]} if status in STATUS_RULES else {}
        return JsonResponse({"detail": message, **rule}, status=status)
    context = {"status": status, "title": title, "message": message, **context}
    return render(request, "error.html", context, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "Bad request", "The address or its parameters are not valid.")


def permission_denied(request, exception=None):
    return _error(request, 403, "Not allowed", "You do not have permission to do this.")


def page_not_found(request, exception=None):
    # A submitter who opens their new accession while its files still move would otherwise see a bare 404;
    # the hint is the same for every signed-in caller, so it says nothing about whether the study exists.
    moving_hint = request.path.startswith("/studies/") and request.user.is_authenticated
    return _error(
        request, 404, "Not found", "There is no page at this address, or it is not public.", moving_hint=moving_hint
    )


def server_error(request):
    return _error(request, 500, "Something went wrong", "The error has been logged; please try again later.")
