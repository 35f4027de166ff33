"""Figures of the curator dashboard: each is a few aggregate queries, grouped in the database.

Every function returns rows for a table and the series its chart draws, so
that the page shows each chart's numbers beside it.
"""

import datetime

from django.apps import apps
from django.db.models import Count, Exists, Min, OuterRef, Q, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from archive.models import ArchiveFile, Study
from submissions.models import ReviewReason, Submission, SubmissionState
from uploads.models import UploadFile, UploadState

DELETION_WINDOW_DAYS = 14
# Upper bounds (in days) of the review queue's age groups; the last group is open-ended.
QUEUE_AGE_GROUPS = ((7, "under a week"), (14, "1–2 weeks"), (28, "2–4 weeks"))
QUEUE_AGE_LAST = "4 weeks or more"


def _month(value) -> str:
    return value.strftime("%Y-%m")


def submissions_and_releases_per_month() -> list[dict]:
    """Submissions made and studies released in each month, oldest month first (months with neither are left out)."""
    submitted = (
        Submission.objects.filter(submitted_at__isnull=False)
        .annotate(month=TruncMonth("submitted_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    released = (
        Study.objects.filter(released_at__isnull=False)
        .annotate(month=TruncMonth("released_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    months: dict[str, dict] = {}
    for key, rows in (("submissions", submitted), ("releases", released)):
        for month, n in rows:
            months.setdefault(_month(month), {"month": _month(month), "submissions": 0, "releases": 0})[key] = n
    return [months[m] for m in sorted(months)]


def archive_size_per_month() -> list[dict]:
    """Bytes archive storage gained each month, and its running total, oldest month first.

    Storage holds each content once (content-addressed keys), so a file counts
    in the month of the first version that listed its content: a file kept in
    a later version, or the same bytes in another study, adds nothing.
    """
    earlier_copy = ArchiveFile.objects.filter(sha256=OuterRef("sha256"), pk__lt=OuterRef("pk"))
    rows = (
        ArchiveFile.objects.filter(~Exists(earlier_copy))
        .annotate(month=TruncMonth("version__created_at"))
        .values("month")
        .annotate(contents=Count("pk"), added=Sum("size"))
        .order_by("month")
        .values_list("month", "contents", "added")
    )
    total, table = 0, []
    for month, contents, added in rows:
        total += added
        table.append({"month": _month(month), "contents": contents, "added": added, "total": total})
    return table


def upload_area_use() -> dict:
    """Files and bytes in upload areas now: waiting to be submitted, held by a submission, still uploading."""
    waiting = Q(state=UploadState.COMPLETE, held_by_submission=False)
    held = Q(state=UploadState.COMPLETE, held_by_submission=True)
    uploading = Q(state=UploadState.UPLOADING)
    figures = UploadFile.objects.aggregate(
        areas=Count("area", distinct=True),
        waiting_files=Count("pk", filter=waiting),
        waiting_bytes=Coalesce(Sum("size", filter=waiting), 0),
        held_files=Count("pk", filter=held),
        held_bytes=Coalesce(Sum("size", filter=held), 0),
        uploading_files=Count("pk", filter=uploading),
        uploading_bytes=Coalesce(Sum("offset", filter=uploading), 0),
    )
    figures["rows"] = [
        {
            "label": "Complete, waiting to be submitted",
            "files": figures["waiting_files"],
            "bytes": figures["waiting_bytes"],
        },
        {"label": "Held by a submission being moved", "files": figures["held_files"], "bytes": figures["held_bytes"]},
        {
            "label": "Still uploading (bytes received)",
            "files": figures["uploading_files"],
            "bytes": figures["uploading_bytes"],
        },
    ]
    return figures


def deletions_due(*, now: datetime.datetime) -> list[dict]:
    """Upload files the purge deletes on each of the next 14 days (P-UPLOAD-RETENTION); held files are kept."""
    rows = dict(
        (day, (n, size))
        for day, n, size in UploadFile.objects.filter(
            held_by_submission=False,
            expires_at__gte=now,
            expires_at__lt=now + datetime.timedelta(days=DELETION_WINDOW_DAYS),
        )
        .annotate(day=TruncDate("expires_at"))
        .values("day")
        .annotate(n=Count("pk"), size=Coalesce(Sum("size"), 0))
        .values_list("day", "n", "size")
    )
    today = timezone.localdate(now)
    days = [today + datetime.timedelta(days=i) for i in range(DELETION_WINDOW_DAYS + 1)]
    return [
        {"day": day.isoformat(), "files": rows.get(day, (0, 0))[0], "bytes": rows.get(day, (0, 0))[1]} for day in days
    ]


def review_queue_figures(*, now: datetime.datetime) -> dict:
    """The review queue's length, its age groups (by submission time), its oldest entry and the count of each reason."""
    queue = Submission.objects.filter(state=SubmissionState.IN_REVIEW)
    aggregates, lower = {}, None
    for days, label in QUEUE_AGE_GROUPS:
        newer = Q(submitted_at__gt=now - datetime.timedelta(days=days))
        aggregates[label] = Count("pk", filter=newer if lower is None else newer & ~lower)
        lower = newer if lower is None else lower | newer
    aggregates[QUEUE_AGE_LAST] = Count("pk", filter=~lower)
    figures = queue.aggregate(length=Count("pk"), oldest=Min("submitted_at"), **aggregates)
    ages = [
        {"label": label, "count": figures[label]} for label in [*(g[1] for g in QUEUE_AGE_GROUPS), "4 weeks or more"]
    ]
    # A JSON list is not countable by element on every database; the queue is short, so count its rows here.
    reasons = {value: 0 for value in ReviewReason.values}
    for submission_reasons in queue.values_list("review_reasons", flat=True):
        for reason in submission_reasons:
            reasons[reason] = reasons.get(reason, 0) + 1
    oldest = figures["oldest"]
    return {
        "length": figures["length"],
        "oldest_days": (now - oldest).days if oldest else None,
        "ages": ages,
        "reasons": [{"label": ReviewReason(value).label, "count": n} for value, n in reasons.items()],
    }


def fixity_figures() -> dict | None:
    """Fixity reports (P-INTEGRITY): how many, how many still open; None while the archive has no fixity checks."""
    try:
        report = apps.get_model("curation", "FixityReport")
    except LookupError:
        return None
    field_names = {field.name for field in report._meta.get_fields()}
    if "resolved_at" in field_names:
        open_filter = Q(resolved_at__isnull=True)
    elif "status" in field_names:
        open_filter = Q(status="open")
    else:  # a report is open until something records its resolution
        open_filter = Q()
    return report.objects.aggregate(total=Count("pk"), open=Count("pk", filter=open_filter))


def dashboard_figures(*, now: datetime.datetime | None = None) -> dict:
    """Every figure of the curator dashboard, at `now`."""
    now = now or timezone.now()
    return {
        "per_month": submissions_and_releases_per_month(),
        "archive_size": archive_size_per_month(),
        "uploads": upload_area_use(),
        "deletions": deletions_due(now=now),
        "queue": review_queue_figures(now=now),
        "fixity": fixity_figures(),
        "deletion_window_days": DELETION_WINDOW_DAYS,
        "now": now,
    }
