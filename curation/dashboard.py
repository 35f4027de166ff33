"""Figures of the curator dashboard: each is a few aggregate queries, grouped in the database.

Every function returns rows for a table and the series its chart draws, so
that the page shows each chart's numbers beside it.
"""

import datetime

from django.db.models import Count, Exists, Min, OuterRef, Q, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from archive.models import ArchiveFile, Study
from curation.models import FixityCheck, FixityReport, FixityReportStatus, FixityResult
from submissions.models import ReviewReason, Submission, SubmissionState
from uploads.models import UploadFile, UploadState

DELETION_WINDOW_DAYS = 14
# The review queue's age groups: label, and days waited from (inclusive) and under (None: no upper bound).
QUEUE_AGE_GROUPS = (
    ("under a week", 0, 7),
    ("1–2 weeks", 7, 14),
    ("2–4 weeks", 14, 28),
    ("4 weeks or more", 28, None),
)


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
    kinds = (
        ("waiting", "Complete, waiting to be submitted"),
        ("held", "Held by a submission in review or moving"),
        ("uploading", "Still uploading (bytes received)"),
    )
    figures["rows"] = [
        {"label": label, "files": figures[f"{kind}_files"], "bytes": figures[f"{kind}_bytes"]} for kind, label in kinds
    ]
    return figures


def deletions_due(*, now: datetime.datetime) -> list[dict]:
    """Upload files the purge deletes on each of the next 14 days (P-UPLOAD-RETENTION); held files are kept."""
    due = (
        UploadFile.objects.filter(
            held_by_submission=False,
            expires_at__gte=now,
            expires_at__lt=now + datetime.timedelta(days=DELETION_WINDOW_DAYS),
        )
        .annotate(day=TruncDate("expires_at"))
        .values("day")
        .annotate(n=Count("pk"), size=Coalesce(Sum("size"), 0))
        .values_list("day", "n", "size")
    )
    rows = {day: (n, size) for day, n, size in due}
    today = timezone.localdate(now)
    days = [today + datetime.timedelta(days=i) for i in range(DELETION_WINDOW_DAYS + 1)]
    return [
        {"day": day.isoformat(), "files": rows.get(day, (0, 0))[0], "bytes": rows.get(day, (0, 0))[1]} for day in days
    ]


def review_queue_figures(*, now: datetime.datetime) -> dict:
    """The review queue's length, its age groups (by submission time), its oldest entry and the count of each reason."""
    queue = Submission.objects.filter(state=SubmissionState.IN_REVIEW)
    groups = {}
    for i, (_, at_least, under) in enumerate(QUEUE_AGE_GROUPS):
        waited = Q(submitted_at__lte=now - datetime.timedelta(days=at_least))
        if under is not None:
            waited &= Q(submitted_at__gt=now - datetime.timedelta(days=under))
        groups[f"age_{i}"] = Count("pk", filter=waited)
    figures = queue.aggregate(length=Count("pk"), oldest=Min("submitted_at"), **groups)
    # A JSON list is not countable by element on every database; the queue is short, so count its rows here.
    reasons = dict.fromkeys(ReviewReason.values, 0)
    for submission_reasons in queue.values_list("review_reasons", flat=True):
        for reason in submission_reasons:
            if reason in reasons:
                reasons[reason] += 1
    oldest = figures["oldest"]
    return {
        "length": figures["length"],
        "oldest_days": (now - oldest).days if oldest else None,
        "ages": [{"label": group[0], "count": figures[f"age_{i}"]} for i, group in enumerate(QUEUE_AGE_GROUPS)],
        "reasons": [{"label": ReviewReason(value).label, "count": n} for value, n in reasons.items()],
    }


def fixity_figures() -> dict | None:
    """Stored objects by their last fixity result, the oldest check, and the reports (P-INTEGRITY).

    None while no object has been checked yet.
    """
    by_result = {result: Count("pk", filter=Q(last_result=result)) for result in FixityResult.values}
    checks = FixityCheck.objects.aggregate(
        objects=Count("pk"), checked=Count("last_checked_at"), oldest_check=Min("last_checked_at"), **by_result
    )
    if not checks["checked"]:
        return None
    reports = FixityReport.objects.aggregate(
        total=Count("pk"), open=Count("pk", filter=Q(status=FixityReportStatus.OPEN))
    )
    return {
        **checks,
        "reports": reports,
        "rows": [{"label": FixityResult(result).label, "count": checks[result]} for result in FixityResult.values],
    }


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
