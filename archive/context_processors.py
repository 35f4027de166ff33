from django.conf import settings

from core.roles import user_is_curator


def portal(request):
    return {
        "portal_name": settings.PORTAL_NAME,
        "is_curator": user_is_curator(getattr(request, "user", None)),
    }
