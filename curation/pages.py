"""What every curator page beside the model admin shares: who may open it, and the admin's look."""

from functools import wraps

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.roles import user_is_curator


def curator_required(view):
    """Send anonymous callers to log in and answer 403 to signed-in users who are not curators."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not user_is_curator(request.user):
            raise PermissionDenied("Only curators may open this page.")
        return view(request, *args, **kwargs)

    return wrapped


def admin_context(request, title: str, **context) -> dict:
    """What the admin's own templates need, so curator pages look and navigate like the admin."""
    return {**admin.site.each_context(request), "title": title, **context}
