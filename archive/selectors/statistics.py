"""Statistics: a study's COUNTER usage for its page, and the public statistics page's aggregates.

Everything is read through the visibility selector as the public sees it: the archive-wide figures cover the
studies a listing shows (released and obsolete, hidden ones left out as in the search facets, P-HIDE), so
nothing confidential, hidden or removed counts anywhere.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import CharField, Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Concat, TruncMonth

from archive.models import Study, UsageEvent, UsageKind
from archive.selectors.search import StudySearch, studies_listed_for

TOP_GROUPS = 10
REQUESTS = Q(kind=UsageKind.REQUEST)


@dataclass(frozen=True)
class UsageCounts:
    """COUNTER's four totals: investigations include requests; unique ones count each user-session once a day."""

    investigations: int
    unique_investigations: int
    requests: int
    unique_requests: int


# A unique count is one per study, visitor and day (a visitor hash names one day): distinct (study, visitor) pairs,
# or within one study its distinct visitors (cheaper to compile and to count).
STUDY_VISITORS = Concat(Cast("study_id", CharField()), Value(" "), "visitor", output_field=CharField())


def _usage_counts(events: QuerySet[UsageEvent], *, session=STUDY_VISITORS) -> UsageCounts:
    """Totals of `events` in one query; `session` is what a unique count counts once."""
    return UsageCounts(
        **events.aggregate(
            investigations=Count("pk"),
            unique_investigations=Count(session, distinct=True),
            requests=Count("pk", filter=REQUESTS),
            unique_requests=Count(session, distinct=True, filter=REQUESTS),
        )
    )


def study_usage(study: Study) -> UsageCounts | None:
    """The usage of one study for its page; None for a study that is not public, whose use is never counted."""
    if not study.is_public:
        return None
    return _usage_counts(UsageEvent.objects.filter(study=study), session="visitor")


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _released_per_month(studies: QuerySet[Study]) -> list[dict]:
    """Studies, files and bytes released each month and in all up to it, every month from the first one."""
    rows = {
        row["month"]: row
        for row in studies.annotate(month=TruncMonth("release_date"))
        .values("month")
        .annotate(studies=Count("pk"), files=Sum("files_count"), bytes=Sum("total_size"))
    }
    found, totals = [], {"studies": 0, "files": 0, "bytes": 0}
    for month in _months(min(rows), max(rows)) if rows else []:
        row = rows.get(month, {})
        added = {key: row.get(key) or 0 for key in totals}
        totals = {key: totals[key] + added[key] for key in totals}
        found.append({"month": month, **added, **{f"{key}_total": totals[key] for key in totals}})
    return found


def _top(studies: QuerySet[Study], field: str) -> list[dict]:
    """The TOP_GROUPS commonest values of `field` with their studies, files and bytes; blank values left out."""
    rows = (
        studies.exclude(**{field: ""})
        .values(field)
        .annotate(studies=Count("pk"), files=Sum("files_count"), bytes=Sum("total_size"))
        .order_by("-studies", field)[:TOP_GROUPS]
    )
    return [{"name": row.pop(field), **row} for row in rows]


def _usage_per_month(events: QuerySet[UsageEvent]) -> list[dict]:
    rows = (
        events.annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(investigations=Count("pk"), requests=Count("pk", filter=REQUESTS))
        .order_by("month")
    )
    return list(rows)


def archive_statistics() -> dict:
    """The public statistics page's figures (/statistics/), cached for ARCHIVE_SUMMARY_CACHE_SECONDS."""

    def compute():
        studies = studies_listed_for(AnonymousUser(), StudySearch(include_obsolete=True)).order_by()
        events = UsageEvent.objects.filter(study__in=studies.values("pk"))
        return {
            "released": _released_per_month(studies),
            "organisms": _top(studies, "organism"),
            "imaging_methods": _top(studies, "imaging_method"),
            "usage": _usage_counts(events),
            "usage_per_month": _usage_per_month(events),
        }

    return cache.get_or_set("archive:statistics", compute, settings.ARCHIVE_SUMMARY_CACHE_SECONDS)
