"""Error pages for people: a heading, what went wrong, where to go next."""

from django.http import JsonResponse
from django.shortcuts import render


def _error(request, status: int, title: str, message: str):
    # API clients get JSON even for addresses that match no API route.
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return render(request, "error.html", {"status": status, "title": title, "message": message}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "Bad request", "The address or its parameters are not valid.")


def permission_denied(request, exception=None):
    return _error(request, 403, "Not allowed", "You do not have permission to do this.")


def page_not_found(request, exception=None):
    return _error(request, 404, "Not found", "There is no page at this address, or it is not public.")


def server_error(request):
    return _error(request, 500, "Something went wrong", "The error has been logged; please try again later.")
