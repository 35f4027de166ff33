"""The move of a submission's files from the upload area into archive storage (P-MOVE-ON-SUBMIT)."""

import functools
import logging
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Concat, Substr

from archive.models import ArchiveFile
from archive.services.accession import study_create, study_version_add
from archive.storage import (
    Verified,
    archive_storage,
    content_key,
    content_store_file,
    content_store_links,
    sha256_of,
    stored_size,
)
from core.errors import PolicyViolation
from core.threads import IO_THREADS, io_pool
from submissions.models import (
    Submission,
    SubmissionFile,
    SubmissionFileState,
    SubmissionKind,
    SubmissionState,
)
from submissions.notify import submission_notify
from uploads.services.retention import upload_files_moved_out
from uploads.services.upload import upload_files_hold
from uploads.storage import upload_area_clock_ns, upload_storage_path

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MovingFile:
    """What the move reads of a file, from one row of values (model instances cost more than the batch's queries)."""

    pk: int
    path: str
    size: int
    sha256: str
    storage_key: str
    upload_file_id: int | None
    storage_name: str | None  # of the upload; None once the upload row is gone


MOVE_FIELDS = ("pk", "path", "size", "sha256", "storage_key", "upload_file_id", "upload_file__storage_name")


def _moving(files: QuerySet) -> list[MovingFile]:
    return [MovingFile(*row) for row in files.values_list(*MOVE_FIELDS)]


MISSING = "missing from the upload area"


def _upload_problem(f: MovingFile) -> str:
    """Return why the upload bytes of `f` do not match its checksum, or "" if they do."""
    if f.storage_name is None:
        return MISSING
    try:
        with upload_storage_path(f.storage_name).open("rb") as handle:
            sha256, size = sha256_of(handle)
    except FileNotFoundError:
        return MISSING
    if size != f.size:
        return f"size {size} instead of {f.size}"
    if sha256 != f.sha256:
        return "SHA-256 does not match"
    return ""


def _orphan_remove(key: str) -> None:
    """Delete an object stored from bytes that changed under the move, unless something lists it."""
    if not (
        ArchiveFile.objects.filter(storage_key=key).exists() or SubmissionFile.objects.filter(storage_key=key).exists()
    ):
        archive_storage().delete(key)


def _archived(f: MovingFile) -> bool:
    return bool(f.storage_key) and stored_size(f.storage_key) == f.size


def _partial_remove(f: MovingFile) -> None:
    """Delete what a crash mid-write left under the file's key; the key names its content, so its size is known."""
    key = content_key(f.sha256)
    if stored_size(key) not in (None, f.size):
        archive_storage().delete(key)


@dataclass(frozen=True, slots=True)
class Batch:
    """A batch of a submission's files: those between two keys (a range, not a list of 500 keys to send)."""

    submission_id: int
    first_pk: int
    last_pk: int

    def files(self, state: str) -> QuerySet:
        return SubmissionFile.objects.filter(
            submission_id=self.submission_id, pk__gte=self.first_pk, pk__lte=self.last_pk, state=state
        )


def _locked(submission_id: int) -> Submission:
    """Lock the submission row: runs of the same submission's move serialise on it."""
    return Submission.objects.select_for_update().get(pk=submission_id)


def _locked_batch(batch: Batch, state: str) -> tuple[Submission, list[MovingFile]]:
    """Lock the batch's submission row and read the files of `batch` still in `state`, by key."""
    return _locked(batch.submission_id), _moving(batch.files(state).order_by("pk"))


def _content_key_of_sha256():
    """`content_key(sha256)` computed by the database from a row's `sha256`.

    bulk_update's CASE per row cost ~1 ms of Python per file; this keeps a batch one cheap UPDATE.
    """
    return Concat(Value("sha256/"), Substr("sha256", 1, 2), Value("/"), Substr("sha256", 3, 2), Value("/"), F("sha256"))


def _in_threads(function: Callable, items: Sequence, *, threads: int = IO_THREADS) -> list:
    """Return `function` of each item, in order, computed by `threads` threads of the pool; re-raise the first failure.

    Checks of many files mostly wait for the disk or the object store, and
    hashing releases the GIL, so threads overlap them. Each thread takes one
    run of items (a future per item cost more than a tiny file's check), and
    stops at its first failure. `function` must not use the database.
    """
    if threads == 1:
        return [function(item) for item in items]
    run = math.ceil(len(items) / threads) or 1

    def each(start: int) -> list:
        return [function(item) for item in items[start : start + run]]

    return [result for results in io_pool().map(each, range(0, len(items), run)) for result in results]


def _keyset_batches(files: QuerySet, size: int) -> Iterator[list[MovingFile]]:
    """The rows of `files` by pk, `size` per query: no OFFSET, one batch held at a time (memory flat at 1M files)."""
    last = 0
    while batch := _moving(files.filter(pk__gt=last).order_by("pk")[:size]):
        yield batch
        last = batch[-1].pk


# Files whose inode changed this close before the check began are hashed again when stored: a filesystem's
# timestamps are coarse, and its clock may be stepped back.
CLOCK_MARGIN_NS = 10 * 10**9
MOVE_BATCH = 500  # files per transaction: queries per batch stay fixed, a crash redoes at most one batch
MOVE_PROBLEMS_LISTED = 1000  # failed files listed in `move_error`: a million changed files are not all kept


def submission_files_move(
    *, submission_id: int, fault: Callable[[str], None] | None = None, batch_size: int = MOVE_BATCH
) -> Submission:
    """Verify, then move a submitted submission's files into archive storage and accession the study.

    P-INTEGRITY: every file still in the upload area is first re-hashed
    (streamed); any mismatch or missing file stops the submission in
    `changes_requested` with the files listed in `move_error` (the first
    MOVE_PROBLEMS_LISTED found), and nothing is moved. P-MOVE-ON-SUBMIT then
    moves the files, a batch at a time, in two steps, each one transaction
    with the submission row locked:

    1. pending → stored: the upload bytes go into archive storage under their
       content key (hashed as it is read: hard-linked on local storage, copied to S3) and the key is
       recorded;
    2. stored → done: once every archive copy of the batch is seen present
       with the right size, the upload bytes are deleted, then the upload
       rows, and the files are marked done; the transaction commits after
       the bytes are gone.

    Finally the study is created with all files and remembered on the
    submission in the same transaction, which makes it `accepted`.

    Why a crash anywhere loses and duplicates nothing, and a re-run finishes:
    before 1 commits, the uploads are intact and storing again is harmless
    (the key is the content's hash, so it is stored once; an object of the
    wrong size under it, left by a write that died, is deleted and written
    again). Between 1 and 2 the files are in both places; the re-run re-checks
    the archive copies and continues. If 2 dies after bytes went, it rolls
    back to `stored` with upload rows without bytes: the re-run verifies only
    `pending` files against the upload area, finds the archive copies,
    deletes the (missing) bytes again and finishes 2. Bytes leave the upload
    area only when they are in the archive, and the upload rows go with
    them, so nothing is left behind. The study is created in the transaction
    that records it on the submission, so a rollback leaves no study and a
    commit makes any re-run stop at the state check. Runs of the same
    submission serialise on its row lock; each step re-reads its files
    under the lock and skips work another run did.

    A file whose bytes change after the check stops the submission the same
    way; files moved before it stay in the archive, which is where they
    belong, and the object made from the changed bytes is deleted.

    `fault` is called with the name of each step after it, so tests can stop
    the move at any point.
    """
    fault = fault or (lambda step: None)
    submission = Submission.objects.get(pk=submission_id)
    if submission.state != SubmissionState.SUBMITTED:
        return submission
    pending = submission.files.filter(state=SubmissionFileState.PENDING)
    checked_from_ns = upload_area_clock_ns() - CLOCK_MARGIN_NS
    problems = {}
    for batch in _keyset_batches(pending, batch_size):
        found = _in_threads(_upload_problem, batch)
        problems |= {f.pk: {"path": f.path, "problem": p} for f, p in zip(batch, found, strict=True) if p}
        if len(problems) >= MOVE_PROBLEMS_LISTED:  # the submission stops anyway: enough to tell the owner
            break
    if problems:
        return _stop(submission_id, problems)
    fault("verified")
    for files in _keyset_batches(submission.files.exclude(state=SubmissionFileState.DONE), batch_size):
        batch = Batch(submission_id, files[0].pk, files[-1].pk)
        if problems := _files_store(batch, fault, checked_from_ns=checked_from_ns):
            return _stop(submission_id, problems)
        _files_release(batch, fault)
    with transaction.atomic():
        submission = _locked(submission_id)
        if submission.state != SubmissionState.SUBMITTED:
            return submission
        if submission.files.exclude(state=SubmissionFileState.DONE).exists():  # another run is still moving
            return submission
        files = submission.files.all()  # the study's rows are copied from these by the database
        if submission.kind == SubmissionKind.NEW_VERSION:
            version = study_version_add(
                study=submission.study, metadata=submission.metadata, files=files, note="New version"
            )
            study = version.study
            submission_notify(submission=submission, template="version_added", context={"version": version})
        else:
            study = study_create(
                owner=submission.owner,
                metadata=submission.metadata,
                files=files,
                release_date=submission.release_date,
                reserved=(submission.accession_number, submission.accession) if submission.accession else None,
            )
            submission.study = study
            submission_notify(submission=submission, template="accessioned")
        fault("study_created")
        submission.state = SubmissionState.ACCEPTED
        submission.move_error = []
        submission.save(update_fields=["study", "state", "move_error", "updated_at"])
    logger.info("submission %s accessioned as %s", submission_id, study.accession)
    return submission


def _stop(submission_id: int, problems: dict[int, dict]) -> Submission:
    """Stop a submission in `changes_requested`, listing the files that failed (P-INTEGRITY)."""
    with transaction.atomic():
        submission = _locked(submission_id)
        # A concurrent run may have moved a file while it was being hashed here.
        still_pending = submission.files.filter(pk__in=problems, state=SubmissionFileState.PENDING)
        failed = [problems[pk] for pk in still_pending.values_list("pk", flat=True)]
        if failed and submission.state == SubmissionState.SUBMITTED:
            submission.state = SubmissionState.CHANGES_REQUESTED
            submission.move_error = failed
            submission.save(update_fields=["state", "move_error", "updated_at"])
            # Nothing moved: the files are the owner's again, under the usual retention.
            pending = submission.files.filter(state=SubmissionFileState.PENDING)
            upload_files_hold(pks=pending.values("upload_file_id"), held=False)
            logger.warning("submission %s stopped: %d files fail their checksum", submission_id, len(failed))
    return submission


def _files_store(batch: Batch, fault: Callable[[str], None], *, checked_from_ns: int) -> dict[int, dict]:
    """Step 1 for a batch: store pending files in archive storage (a hard link on local storage, a copy on S3).

    Links are made by threads: a tiny file's link is a few system calls, each
    a wait. Copies (S3, another filesystem) are bound by bandwidth and go one
    at a time. Two files of one content go in different rounds, so that one
    never sees the other's object half-written. The batch stops at the first
    file (in order) that changed since it was verified or went missing: the
    files after it are not marked, and the objects made for them and from
    the changed bytes are deleted unless something lists them. Return that
    file's problem.
    """
    with transaction.atomic():
        submission, files = _locked_batch(batch, SubmissionFileState.PENDING)
        if submission.state != SubmissionState.SUBMITTED:
            return {}
        links = content_store_links()
        store = functools.partial(_file_store, fault=fault, links=links, checked_from_ns=checked_from_ns)
        threads = IO_THREADS if links else 1
        results = []
        for round_files in _rounds_of_distinct_content(files):
            results += zip(round_files, _in_threads(store, round_files, threads=threads), strict=True)
        unlisted, problems = [], {}
        for f, (key, problem) in sorted(results, key=lambda result: result[0].pk):
            if problem and not problems:
                problems[f.pk] = {"path": f.path, "problem": problem}
            if problems and key:
                unlisted.append(key)
        # The key is the content's hash, checked equal to the file's in `_file_store`: one UPDATE marks the batch.
        stored_files = batch.files(SubmissionFileState.PENDING)
        if problems:  # the batch stopped at its first problem: that file and the ones after it stay pending
            stored_files = stored_files.filter(pk__lt=next(iter(problems)))
        stored_files.update(storage_key=_content_key_of_sha256(), state=SubmissionFileState.STORED)
        for key in unlisted:
            _orphan_remove(key)
    fault("stored")
    return problems


def _rounds_of_distinct_content(files: list[MovingFile]) -> list[list[MovingFile]]:
    """Split `files` into rounds in which no two files have the same SHA-256 (the first copy of each goes first)."""
    rounds: list[list[MovingFile]] = []
    seen: dict[str, int] = {}
    for f in files:
        index = seen[f.sha256] = seen.get(f.sha256, -1) + 1
        if index == len(rounds):
            rounds.append([])
        rounds[index].append(f)
    return rounds


def _file_store(f: MovingFile, *, fault: Callable[[str], None], links: bool, checked_from_ns: int) -> tuple[str, str]:
    """Store one file's upload bytes under their content key; return (key, problem), problem "" when stored.

    A key comes back with a problem when bytes that changed were stored: the caller deletes that object.
    A link replaces a partial object itself; a copy is preceded by removing one. Uses no database, so threads
    may run it.
    """
    if f.storage_name is None:
        return "", MISSING
    if not links:
        _partial_remove(f)
    verified = Verified(sha256=f.sha256, size=f.size, checked_from_ns=checked_from_ns)
    try:
        key, sha256, size = content_store_file(upload_storage_path(f.storage_name), verified=verified)
    except FileNotFoundError:
        return "", MISSING
    if (sha256, size) != (f.sha256, f.size):
        return key, "changed in the upload area while moving"
    fault("archive_written")
    return key, ""


def _files_release(batch: Batch, fault: Callable[[str], None]) -> None:
    """Step 2 for a batch: with the archive copies checked, delete the uploads and mark the files done."""
    with transaction.atomic():
        submission, files = _locked_batch(batch, SubmissionFileState.STORED)
        if submission.state != SubmissionState.SUBMITTED or not files:
            return
        if missing := [f.path for f, ok in zip(files, _in_threads(_archived, files), strict=True) if not ok]:
            raise PolicyViolation(
                rule="P-INTEGRITY", field="files", message=f"Archive copies missing or incomplete: {missing[:20]}"
            )
        stored = batch.files(SubmissionFileState.STORED)
        upload_files_moved_out(
            pks=stored.filter(upload_file__isnull=False).values("upload_file_id"),
            after_each_file=lambda: fault("upload_bytes_removed"),
        )
        stored.update(upload_file=None, state=SubmissionFileState.DONE)
    fault("done")
