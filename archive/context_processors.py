from django.conf import settings

from core.roles import user_is_curator


def portal(request):
    return {
        "portal_name": settings.PORTAL_NAME,
        "release_date_max_years": settings.RELEASE_DATE_MAX_YEARS,  # P-RELEASE-DATE, in the pages' own words
        "is_curator": user_is_curator(getattr(request, "user", None)),
    }
