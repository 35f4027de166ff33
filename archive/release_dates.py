"""The release date rules of P-RELEASE-DATE: pure checks that forms, submissions and imports share with the services."""

import datetime

from django.conf import settings
from django.utils import timezone

from core.errors import PolicyViolation


def release_date_bounds(*, submitted_at: datetime.datetime) -> tuple[datetime.date, datetime.date]:
    """Return the earliest and latest release dates a submitter may choose (P-RELEASE-DATE)."""
    day = timezone.localdate(submitted_at)
    years = settings.RELEASE_DATE_MAX_YEARS
    try:
        latest = day.replace(year=day.year + years)
    except ValueError:  # 29 February
        latest = day.replace(year=day.year + years, day=28)
    return day, latest


def release_date_validate(
    *,
    release_date: datetime.date,
    submitted_at: datetime.datetime,
    actor_is_curator: bool = False,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> bool:
    """Check a release date against P-RELEASE-DATE; return whether it lies beyond the usual bound.

    The date runs from today (released at once) to exactly RELEASE_DATE_MAX_YEARS
    years after the submission time. Only a curator may go past that, and only with a reason.
    """
    today = timezone.localdate(now or timezone.now())
    _, latest = release_date_bounds(submitted_at=submitted_at)
    if release_date < today:
        raise PolicyViolation(
            rule="P-RELEASE-DATE", field="release_date", message="The release date cannot be in the past."
        )
    if release_date <= latest:
        return False
    if not actor_is_curator:
        raise PolicyViolation(
            rule="P-RELEASE-DATE",
            field="release_date",
            message=(
                f"The release date can be at most {settings.RELEASE_DATE_MAX_YEARS} years after submission: "
                f"{latest:%-d %B %Y} at the latest."
            ),
        )
    if not reason.strip():
        raise PolicyViolation(
            rule="P-RELEASE-DATE",
            field="reason",
            message=f"A release date after {latest.isoformat()} needs a reason, which is logged.",
        )
    return True
