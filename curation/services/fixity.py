"""Fixity: re-hash stored objects on a schedule and report any that changed or vanished (P-INTEGRITY).

Each stored object (one per distinct content) has a FixityCheck row with the
SHA-256 and size its files were accessioned with. A run re-hashes objects least
recently checked first until its byte budget is spent. A mismatch or a missing
object opens a FixityReport for curators, writes an audit row and e-mails the
curators group; nothing is ever rewritten or restored by the job: a curator
decides what to do. A later intact check resolves the open report.
"""

import functools
import hashlib
import logging
import os
import time
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import F, Min, Q
from django.urls import reverse
from django.utils import timezone

from archive.models import ArchiveFile, Study
from archive.storage import archive_storage
from core import audit
from core.audit import AuditAction
from core.errors import PolicyViolation
from core.links import portal_url
from core.mail import after_commit, mail_send
from core.roles import CURATORS_GROUP, curator_required
from curation.models import FixityCheck, FixityReport, FixityReportStatus, FixityResult

logger = logging.getLogger(__name__)

# 1 MiB reads: large enough that system calls cost nothing, small enough that the bytes
# are still in the CPU cache when they are hashed (8 MiB was no faster, 32 MiB much slower: bench/fixity.py).
READ_BUFFER = 1024 * 1024


@dataclass
class FixitySummary:
    checked: int = 0
    bytes: int = 0
    ok: int = 0
    mismatch: int = 0
    missing: int = 0
    errors: int = 0  # objects the store could not read (left for the next run, not reported)
    seconds: float = 0.0
    reports: list[int] = field(default_factory=list)  # reports this run opened

    def as_dict(self) -> dict:
        return {
            "checked": self.checked,
            "bytes": self.bytes,
            "ok": self.ok,
            "mismatch": self.mismatch,
            "missing": self.missing,
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "reports": self.reports,
        }


def _file_digest(path: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    buffer = bytearray(READ_BUFFER)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as handle:
        os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_SEQUENTIAL)
        while count := handle.readinto(buffer):
            digest.update(view[:count])
            size += count
    return digest.hexdigest(), size


def _stream_digest(handle) -> tuple[str, int]:
    # An S3 object is streamed from the store (S3File.read would first download it whole).
    obj = getattr(handle, "obj", None)
    chunks = (
        obj.get()["Body"].iter_chunks(READ_BUFFER) if obj is not None else iter(lambda: handle.read(READ_BUFFER), b"")
    )
    digest = hashlib.sha256()
    size = 0
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def object_digest(*, storage: Storage, key: str) -> tuple[str, int] | None:
    """Return the SHA-256 and size of the stored object `key` as read now, or None if it is missing."""
    try:
        local = storage.path(key)
    except NotImplementedError:  # object stores have no local path
        local = None
    try:
        if local is not None:
            return _file_digest(local)
        with storage.open(key, "rb") as handle:
            return _stream_digest(handle)
    except FileNotFoundError:
        return None


def fixity_objects_register(*, now=None) -> int:
    """Give every stored object that files list, and that has no fixity row yet, its row; return how many."""
    now = now or timezone.now()
    known = FixityCheck.objects.values("storage_key")
    # In the order the files were archived, so that never-checked objects are checked oldest first.
    new = (
        ArchiveFile.objects.exclude(storage_key__in=known)
        .values("storage_key", "sha256", "size")
        .annotate(first=Min("pk"))
        .order_by("first")
    )
    rows = [
        FixityCheck(storage_key=row["storage_key"], sha256=row["sha256"], size=row["size"], registered_at=now)
        for row in new.iterator()
    ]
    FixityCheck.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)


DUE_BATCH = 500
MAX_READ_ERRORS = 10  # a run that cannot read this many objects stops: the store is likely down


def _due(*, byte_budget: int | None, started, keys=None, skip: set[int] = frozenset()):
    """Yield fixity rows least recently checked first (never checked first), within `byte_budget`.

    The first object is always taken, even if larger than the budget, so that no
    object is skipped forever; the order is kept strictly, so a large object waits
    at the head of the queue rather than being overtaken by small ones. Rows are
    read in batches of those not checked since `started`: each check moves its row
    out of that set, so no cursor stays open over the rows being updated; rows
    in `skip` (unreadable this run) are passed over.
    """
    rows = FixityCheck.objects.filter(Q(last_checked_at__isnull=True) | Q(last_checked_at__lt=started)).order_by(
        F("last_checked_at").asc(nulls_first=True), "pk"
    )
    if keys is not None:
        rows = rows.filter(storage_key__in=keys)
    total = 0
    while batch := list(rows.exclude(pk__in=skip)[:DUE_BATCH]):
        for check in batch:
            if byte_budget is not None and total and total + check.size > byte_budget:
                return
            total += check.size
            yield check


def _studies_listing(key: str) -> list[str]:
    return list(
        Study.objects.filter(versions__files__storage_key=key)
        .order_by("number")
        .values_list("accession", flat=True)
        .distinct()
    )


# The audit action of each failed check.
FAILED_ACTIONS = {FixityResult.MISMATCH: AuditAction.FIXITY_MISMATCH, FixityResult.MISSING: AuditAction.FIXITY_MISSING}


def _result_record(*, check_pk: int, observed: tuple[str, int] | None, now) -> tuple[str, FixityReport | None]:
    """Store one object's result; open a report (with its audit row) if it failed and none is open.

    Return the result and the report opened, if any.
    """
    with transaction.atomic():
        check = FixityCheck.objects.select_for_update().get(pk=check_pk)
        if observed is None:
            result = FixityResult.MISSING
        elif observed == (check.sha256, check.size):
            result = FixityResult.OK
        else:
            result = FixityResult.MISMATCH
        check.last_checked_at, check.last_result = now, result
        check.save(update_fields=["last_checked_at", "last_result"])
        open_report = check.reports.filter(status=FixityReportStatus.OPEN).first()
        if result == FixityResult.OK:
            if open_report is not None:
                _report_close(open_report, actor=None, note="A later check found the object intact.", now=now)
            return result, None
        if open_report is not None:  # already in front of the curators; one report per incident
            return result, None
        accessions = _studies_listing(check.storage_key)
        report = FixityReport.objects.create(
            fixity=check,
            result=result,
            expected_sha256=check.sha256,
            expected_size=check.size,
            observed_sha256=observed[0] if observed else "",
            observed_size=observed[1] if observed else None,
            studies=accessions,
            detected_at=now,
        )
        audit.record(
            actor=None,
            action=FAILED_ACTIONS[result],
            # The audit log's target ids are short: the content's SHA-256 names the object (key in data).
            target_type="stored_object",
            target_id=check.sha256,
            study=Study.objects.filter(accession=accessions[0]).first() if accessions else None,
            note=f"Fixity report {report.pk}: {report.get_result_display().lower()}; not repaired.",
            data={
                "report": report.pk,
                "storage_key": check.storage_key,
                "expected_sha256": check.sha256,
                "expected_size": check.size,
                "observed_sha256": report.observed_sha256,
                "observed_size": report.observed_size,
                "studies": accessions,
            },
        )
    logger.warning("Fixity %s: %s (studies %s)", result, check.storage_key, ", ".join(accessions) or "none")
    return result, report


def fixity_run(*, byte_budget: int | None, study: Study | None = None) -> FixitySummary:
    """Re-hash stored objects, least recently checked first, and record each result.

    `byte_budget` bounds the bytes read (None: every object); `study` limits the
    run to the objects of that study's versions. New failures are e-mailed to
    the curators, once per run, after commit. Safe to run twice or at once:
    each result is written under a row lock and a failure opens at most one report.
    """
    started = time.perf_counter()
    fixity_objects_register()
    keys = None
    if study is not None:
        keys = ArchiveFile.objects.filter(version__study=study).values("storage_key")
    storage = archive_storage()
    summary = FixitySummary()
    unreadable: set[int] = set()
    for check in _due(byte_budget=byte_budget, started=timezone.now(), keys=keys, skip=unreadable):
        try:
            observed = object_digest(storage=storage, key=check.storage_key)
        except Exception:  # the store failed us (not "no such object"): try again next run, report nothing yet
            logger.exception("Fixity: could not read %s", check.storage_key)
            unreadable.add(check.pk)
            summary.errors += 1
            if summary.errors >= MAX_READ_ERRORS:
                logger.error("Fixity run stopped after %d read errors: is the store reachable?", summary.errors)
                break
            continue
        result, report = _result_record(check_pk=check.pk, observed=observed, now=timezone.now())
        summary.checked += 1
        summary.bytes += observed[1] if observed else 0
        setattr(summary, result, getattr(summary, result) + 1)
        if report is not None:
            summary.reports.append(report.pk)
    summary.seconds = time.perf_counter() - started
    if summary.reports:
        after_commit(
            functools.partial(_reports_mail_send, report_pks=list(summary.reports)),
            about=f"fixity reports {summary.reports}",
        )
    logger.info("Fixity run: %s", summary.as_dict())
    return summary


def _report_close(report: FixityReport, *, actor, note: str, now) -> None:
    report.status, report.resolved_at, report.resolution_note = FixityReportStatus.RESOLVED, now, note
    report.save(update_fields=["status", "resolved_at", "resolution_note"])
    audit.record(
        actor=actor,
        action=AuditAction.FIXITY_RESOLVED,
        target_type="stored_object",
        target_id=report.fixity.sha256,
        note=note,
        data={"report": report.pk, "storage_key": report.fixity.storage_key},
    )


def fixity_report_resolve(*, report: FixityReport, actor, note: str) -> FixityReport:
    """Mark an open report resolved by a curator, with what was done (the job itself repairs nothing)."""
    curator_required(actor, rule="P-INTEGRITY", message="Only curators may resolve fixity reports.")
    if not note.strip():
        raise PolicyViolation(rule="P-INTEGRITY", field="note", message="Say what was found and done.")
    with transaction.atomic():
        report = FixityReport.objects.select_for_update().select_related("fixity").get(pk=report.pk)
        if report.status == FixityReportStatus.OPEN:
            _report_close(report, actor=actor, note=note.strip(), now=timezone.now())
    return report


def _reports_mail_send(*, report_pks: list[int]) -> None:
    recipients = list(
        get_user_model()
        .objects.filter(groups__name=CURATORS_GROUP, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    if not recipients:
        logger.error("Fixity reports %s opened, but no curator has an e-mail address", report_pks)
        return
    reports = FixityReport.objects.filter(pk__in=report_pks).select_related("fixity").order_by("pk")
    context = {
        "reports": [
            (report, portal_url(reverse("admin:curation_fixityreport_change", args=[report.pk]))) for report in reports
        ],
        "count": len(report_pks),
        "reports_url": portal_url(reverse("admin:curation_fixityreport_changelist") + "?status__exact=open"),
    }
    mail_send(to=recipients, template="curation/email/fixity_reports.txt", context=context)
