"""P-MOVE-ON-SUBMIT and P-INTEGRITY: the move of a submission's files into archive storage, crash-safe."""

import errno
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import connection, connections

from archive.models import ArchiveFile, Study
from archive.storage import archive_storage, content_key
from submissions.models import Submission, SubmissionFileState, SubmissionState
from submissions.selectors import submission_move_progress
from submissions.services import submission_files_move, submission_submit
from tests.factories import UserFactory
from tests.submissions.move_helpers import archive_keys, file_contents, ready_draft, upload_area_files
from uploads.models import UploadFile
from uploads.storage import upload_storage_path

N_FILES = 3  # plus one copy of the first: 4 files, 3 distinct contents


class Crash(Exception):
    """The injected fault: the move dies here."""


def _submitted(owner, contents):
    """A submitted submission whose move has not run (on_commit callbacks do not run in these tests)."""
    submission, uploads = ready_draft(owner, contents)
    return submission_submit(submission=submission, actor=owner), uploads


def _assert_moved_once(submission: Submission, contents: dict[str, bytes]) -> None:
    submission.refresh_from_db()
    assert submission.state == SubmissionState.ACCEPTED and submission.move_error == []
    study = Study.objects.get(submissions=submission)
    assert Study.objects.filter(owner=submission.owner).count() == 1
    assert study.files_count == len(contents)
    assert study.total_size == sum(len(data) for data in contents.values())
    files = ArchiveFile.objects.filter(version__study=study)
    assert sorted(files.values_list("path", "size")) == sorted((p, len(d)) for p, d in contents.items())
    storage = archive_storage()
    distinct = {content_key(f.sha256): f.size for f in files}
    assert sorted(archive_keys()) == sorted(distinct)  # each content stored exactly once, nothing else
    assert all(storage.size(key) == size for key, size in distinct.items())
    for f in files:
        with storage.open(f.storage_key) as handle:
            assert handle.read() == contents[f.path]
    assert UploadFile.objects.count() == 0 and upload_area_files() == []
    assert set(submission.files.values_list("state", flat=True)) == {SubmissionFileState.DONE}


def _fault_at(step: str, occurrence: int):
    seen = []

    def fault(name: str) -> None:
        if name == step:
            seen.append(name)
            if len(seen) == occurrence:
                raise Crash(f"{step} #{occurrence}")

    return fault


BATCH = 2  # 4 files in two batches, so that a crash can fall between batches
FILE_STEPS = ["archive_written", "upload_bytes_removed"]  # called for each file
BATCH_STEPS = ["stored", "done"]  # called for each batch
FAULTS = (
    [("verified", 1), ("study_created", 1)]
    + [(step, n) for step in FILE_STEPS for n in (1, 3, N_FILES + 1)]  # n=3: the second batch's first file
    + [(step, n) for step in BATCH_STEPS for n in (1, 2)]
    + [("archive_written", 2)]  # the duplicate content, whose key is already stored
)


@pytest.mark.django_db
@pytest.mark.parametrize("step, occurrence", FAULTS, ids=[f"{s}-{o}" for s, o in FAULTS])
def test_p_move_on_submit_a_crash_at_any_step_then_a_rerun_moves_everything_once(submitter, step, occurrence):
    contents = file_contents(N_FILES)
    submission, _ = _submitted(submitter, contents)
    with pytest.raises(Crash):
        submission_files_move(submission_id=submission.pk, fault=_fault_at(step, occurrence), batch_size=BATCH)
    submission.refresh_from_db()
    assert submission.state == SubmissionState.SUBMITTED and Study.objects.count() == 0
    # Nothing is lost: every file is in the upload area or in archive storage.
    stored = set(archive_keys())
    for f in submission.files.select_related("upload_file"):
        in_upload = f.upload_file is not None and upload_storage_path(f.upload_file.storage_name).exists()
        assert in_upload or content_key(f.sha256) in stored, f.path
    submission_files_move(submission_id=submission.pk)
    _assert_moved_once(submission, contents)
    submission_files_move(submission_id=submission.pk)  # a third run changes nothing
    _assert_moved_once(submission, contents)


@pytest.mark.django_db
def test_p_move_on_submit_a_failing_storage_write_then_a_rerun_finishes(submitter, monkeypatch, settings):
    settings.ARCHIVE_HARDLINK_UPLOADS = False  # the copy, as to S3 or another filesystem
    contents = file_contents(N_FILES)
    submission, _ = _submitted(submitter, contents)
    real_save, calls = FileSystemStorage._save, []

    def save_fails_on_the_second_file(self, name, content):
        calls.append(name)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", save_fails_on_the_second_file)
    with pytest.raises(OSError):
        submission_files_move(submission_id=submission.pk, batch_size=1)
    assert 0 < submission.files.filter(state=SubmissionFileState.DONE).count() < len(contents)
    submission_files_move(submission_id=submission.pk)
    _assert_moved_once(submission, contents)


@pytest.mark.django_db
def test_p_move_on_submit_a_failing_upload_delete_then_a_rerun_finishes(submitter, monkeypatch):
    contents = file_contents(N_FILES)
    submission, _ = _submitted(submitter, contents)
    real_unlink = type(upload_storage_path("x")).unlink

    def unlink_fails(self, missing_ok=False):
        raise PermissionError("read-only upload area")

    monkeypatch.setattr(type(upload_storage_path("x")), "unlink", unlink_fails)
    with pytest.raises(PermissionError):
        submission_files_move(submission_id=submission.pk)
    assert submission.files.filter(state=SubmissionFileState.STORED).count() == len(contents)
    monkeypatch.setattr(type(upload_storage_path("x")), "unlink", real_unlink)
    submission_files_move(submission_id=submission.pk)
    _assert_moved_once(submission, contents)


@pytest.mark.django_db
@pytest.mark.parametrize("damage", ["changed", "truncated", "deleted"])
def test_p_integrity_a_corrupted_upload_stops_the_submission_and_nothing_moves(submitter, damage):
    contents = file_contents(N_FILES)
    submission, uploads = _submitted(submitter, contents)
    victim = uploads[1]
    path = upload_storage_path(victim.storage_name)
    if damage == "changed":  # same size, other bytes
        data = path.read_bytes()
        path.write_bytes(bytes([data[0] ^ 0xFF]) + data[1:])
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:-1])
    else:
        path.unlink()
    submission_files_move(submission_id=submission.pk)
    submission.refresh_from_db()
    assert submission.state == SubmissionState.CHANGES_REQUESTED
    assert [e["path"] for e in submission.move_error] == [victim.relative_path]
    assert archive_keys() == [] and Study.objects.count() == 0
    assert UploadFile.objects.count() == len(contents)
    assert set(submission.files.values_list("state", flat=True)) == {SubmissionFileState.PENDING}
    submission_files_move(submission_id=submission.pk)  # a stopped submission is left alone
    assert archive_keys() == []


@pytest.mark.s3
@pytest.mark.django_db
def test_p_move_on_submit_with_s3_archive_storage(submitter, s3_archive):
    contents = file_contents(N_FILES)
    submission, _ = _submitted(submitter, contents)
    submission_files_move(submission_id=submission.pk)
    _assert_moved_once(submission, contents)


@pytest.mark.s3
@pytest.mark.django_db
@pytest.mark.parametrize("step", ["archive_written", "upload_bytes_removed", "study_created"])
def test_p_move_on_submit_with_s3_a_crash_then_a_rerun_moves_everything_once(submitter, s3_archive, step):
    contents = file_contents(N_FILES)
    submission, _ = _submitted(submitter, contents)
    with pytest.raises(Crash):
        submission_files_move(
            submission_id=submission.pk, fault=_fault_at(step, 1 if step == "study_created" else 3), batch_size=BATCH
        )
    submission_files_move(submission_id=submission.pk)
    _assert_moved_once(submission, contents)


def _in_own_connection(function, *args):
    try:
        return function(*args)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_p_move_on_submit_100_concurrent_submissions_get_distinct_accessions_and_keep_their_files():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is checked on PostgreSQL (CI); SQLite serialises writers")
    drafts = []
    for i in range(100):
        owner = UserFactory(username=f"depositor{i}")
        contents = file_contents(2, prefix=f"s{i}")
        drafts.append((ready_draft(owner, contents)[0], owner, contents))

    def submit(draft):  # Q_SYNC: the queued move runs in this thread once the submit commits
        submission, owner, _ = draft
        return submission_submit(submission=submission, actor=owner).pk

    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(lambda d: _in_own_connection(submit, d), drafts))
        # Runs of moves already finished, concurrently with each other, change nothing.
        list(pool.map(lambda d: _in_own_connection(lambda: submission_files_move(submission_id=d[0].pk)), drafts))
    accessions = list(Study.objects.values_list("accession", flat=True))
    assert len(accessions) == len(set(accessions)) == 100
    for submission, _, contents in drafts:
        submission.refresh_from_db()
        assert submission.state == SubmissionState.ACCEPTED
        files = ArchiveFile.objects.filter(version__study=submission.study)
        assert sorted(files.values_list("path", "size")) == sorted((p, len(d)) for p, d in contents.items())
    assert UploadFile.objects.count() == 0 and upload_area_files() == []
    assert len(archive_keys()) == 100 * 2  # two distinct contents per submission


@pytest.mark.django_db(transaction=True)
def test_p_move_on_submit_two_concurrent_runs_of_one_move_store_once():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is checked on PostgreSQL (CI); SQLite serialises writers")
    owner = UserFactory(username="depositor")
    contents = file_contents(20)
    submission, _ = ready_draft(owner, contents)
    Submission.objects.filter(pk=submission.pk).update(state=SubmissionState.SUBMITTED)  # the queued task not run
    with ThreadPoolExecutor(max_workers=4) as pool:
        runs = [pool.submit(_in_own_connection, lambda: submission_files_move(submission_id=submission.pk))]
        runs += [pool.submit(_in_own_connection, lambda: submission_files_move(submission_id=submission.pk))]
        runs += [pool.submit(_in_own_connection, lambda: submission_files_move(submission_id=submission.pk))]
        [run.result() for run in runs]
    _assert_moved_once(submission, contents)


@pytest.mark.django_db
def test_p_move_on_submit_a_write_that_died_half_way_is_written_again(submitter, monkeypatch, settings):
    settings.ARCHIVE_HARDLINK_UPLOADS = False  # a link is made whole or not at all; a copy can die half-way
    contents = file_contents(N_FILES)
    submission, _ = _submitted(submitter, contents)
    real_save = FileSystemStorage._save

    def save_half_then_die(self, name, content):
        target = self.path(name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(content.read()[: content.size // 2])
        raise OSError("killed mid-write")

    monkeypatch.setattr(FileSystemStorage, "_save", save_half_then_die)
    with pytest.raises(OSError):
        submission_files_move(submission_id=submission.pk)
    assert len(archive_keys()) == 1  # the partial object
    monkeypatch.setattr(FileSystemStorage, "_save", real_save)
    submission_files_move(submission_id=submission.pk)
    _assert_moved_once(submission, contents)


def _manage(env: dict, code: str, **popen) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def _run(env: dict, code: str) -> str:
    process = _manage(env, code)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return out


SETUP = """
from tests.factories import UserFactory
from tests.submissions.move_helpers import file_contents, ready_draft
from submissions.services import submission_submit
owner = UserFactory(username="killed")
submission, _ = ready_draft(owner, file_contents(5))
print(submission_submit(submission=submission, actor=owner).pk)
"""
SLOW_MOVE = """
import os
import time
from django.core.files.storage import FileSystemStorage
real_save, real_link = FileSystemStorage._save, os.link
def slow_save(self, name, content):
    time.sleep(0.4)
    return real_save(self, name, content)
def slow_link(source, target):  # local storage takes uploads by hard link: each file's store must take a while
    time.sleep(0.4)
    return real_link(source, target)
FileSystemStorage._save = slow_save
os.link = slow_link
from submissions.services import submission_files_move
submission_files_move(submission_id={pk}, batch_size=1)
"""
REPORT = """
import json
from archive.models import ArchiveFile, Study
from submissions.models import Submission
from uploads.models import UploadFile
submission = Submission.objects.get(pk={pk})
print(json.dumps({{
    "state": submission.state,
    "studies": Study.objects.count(),
    "files_count": submission.study.files_count,
    "total_size": submission.study.total_size,
    "archived": sorted(ArchiveFile.objects.values_list("path", "size")),
    "uploads": UploadFile.objects.count(),
}}))
"""


def test_p_move_on_submit_a_killed_process_then_a_rerun_moves_everything_once(tmp_path):
    """A real `kill -9` of a move half-way, on a file SQLite database and local storage."""
    env = {k: v for k, v in os.environ.items() if k not in ("ARCHIVE_ROOT", "UPLOAD_ROOT", "ARCHIVE_STORAGE")}
    env.update(DATABASE_URL="", VAR_DIR=str(tmp_path / "var"), Q_SYNC="0")
    _run(env, "from django.core.management import call_command; call_command('migrate', verbosity=0)")
    pk = int(_run(env, SETUP).split()[-1])
    contents = file_contents(5)
    database = tmp_path / "var" / "db.sqlite3"

    def done() -> int:
        with sqlite3.connect(database, timeout=10) as db:
            query = "SELECT count(*) FROM submissions_submissionfile WHERE state = 'done' AND submission_id = ?"
            return db.execute(query, [pk]).fetchone()[0]

    mover = _manage(env, SLOW_MOVE.format(pk=pk))
    deadline = time.monotonic() + 60
    while done() < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    mover.send_signal(signal.SIGKILL)
    mover.wait(timeout=10)
    assert 2 <= done() < len(contents)
    _run(env, f"from submissions.services import submission_files_move; submission_files_move(submission_id={pk})")
    report = json.loads(_run(env, REPORT.format(pk=pk)).splitlines()[-1])
    assert report["state"] == "accepted" and report["studies"] == 1
    assert report["files_count"] == len(contents)
    assert report["total_size"] == sum(len(d) for d in contents.values())
    assert report["archived"] == sorted([p, len(d)] for p, d in contents.items())
    assert report["uploads"] == 0
    archive = [p for p in (tmp_path / "var" / "archive").rglob("*") if p.is_file()]
    assert sorted(p.read_bytes() for p in archive) == sorted(set(contents.values()))
    assert [p for p in (tmp_path / "var" / "uploads").rglob("*") if p.is_file()] == []


@pytest.mark.django_db
def test_p_integrity_bytes_changed_during_the_move_stop_it_with_the_file_listed(submitter):
    contents = file_contents(N_FILES)
    submission, uploads = _submitted(submitter, contents)
    victim = max(uploads, key=lambda u: u.relative_path)  # files move in path order: this one last

    def corrupt_after_first_file(step: str) -> None:
        if step == "done" and not corrupt_after_first_file.fired:
            corrupt_after_first_file.fired = True
            path = upload_storage_path(victim.storage_name)
            path.write_bytes(b"Z" + path.read_bytes()[1:])

    corrupt_after_first_file.fired = False
    submission_files_move(submission_id=submission.pk, fault=corrupt_after_first_file, batch_size=1)
    submission.refresh_from_db()
    assert submission.state == SubmissionState.CHANGES_REQUESTED
    assert [e["path"] for e in submission.move_error] == [victim.relative_path]
    assert Study.objects.count() == 0
    moved = submission.files.filter(state=SubmissionFileState.DONE)
    assert moved.exists()
    assert sorted(archive_keys()) == sorted({content_key(f.sha256) for f in moved})  # no object of changed bytes
    assert UploadFile.objects.filter(pk=victim.pk).exists()


@pytest.mark.django_db
def test_p_integrity_bytes_changed_mid_batch_leave_no_object_of_later_files(submitter):
    """The batch stops at the changed file: nothing is left stored for it or for the files after it."""
    contents = {"a.tif": b"a" * 10, "b.tif": b"b" * 10, "c.tif": b"c" * 10, "d.tif": b"a" * 10}
    submission, uploads = _submitted(submitter, contents)
    victim = next(u for u in uploads if u.relative_path == "b.tif")

    def change_after_the_check(step: str) -> None:
        if step == "verified":
            upload_storage_path(victim.storage_name).write_bytes(b"B" * 10)

    submission_files_move(submission_id=submission.pk, fault=change_after_the_check)
    submission.refresh_from_db()
    assert submission.state == SubmissionState.CHANGES_REQUESTED
    assert submission.move_error == [{"path": "b.tif", "problem": "changed in the upload area while moving"}]
    stored = submission.files.get(state=SubmissionFileState.STORED)
    assert stored.path == "a.tif"
    # a.tif's object stays (d.tif has the same content); c.tif's and the changed bytes' objects are gone.
    assert archive_keys() == [content_key(stored.sha256)]


@pytest.mark.django_db
def test_p_move_on_submit_progress_counts_files_and_bytes_moved(submitter):
    contents = file_contents(N_FILES)
    submission, _ = _submitted(submitter, contents)
    total = sum(len(d) for d in contents.values())
    assert submission_move_progress(submission=submission) == {
        "done": 0,
        "total": len(contents),
        "bytes_done": 0,
        "bytes_total": total,
    }
    with pytest.raises(Crash):
        submission_files_move(submission_id=submission.pk, fault=_fault_at("done", 2), batch_size=1)
    first_two = sorted(contents)[:2]  # files move in path order
    assert submission_move_progress(submission=submission) == {
        "done": 2,
        "total": len(contents),
        "bytes_done": sum(len(contents[p]) for p in first_two),
        "bytes_total": total,
    }
    submission_files_move(submission_id=submission.pk)
    assert submission_move_progress(submission=submission)["bytes_done"] == total


@pytest.mark.django_db
def test_p_move_on_submit_local_storage_links_the_upload_instead_of_copying(submitter):
    """Between the two steps the archive object and the upload are one file on disk: nothing was copied."""
    contents = file_contents(2)
    submission, _ = _submitted(submitter, contents)

    def stop_after_storing(step):
        if step == "stored":
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        submission_files_move(submission_id=submission.pk, fault=stop_after_storing)
    stored = submission.files.filter(state=SubmissionFileState.STORED).select_related("upload_file")
    assert stored.count() == len(contents)
    upload_inodes = {upload_storage_path(f.upload_file.storage_name).stat().st_ino for f in stored}
    for f in stored:  # identical contents share one object, linked from one of their uploads
        assert os.stat(archive_storage().path(f.storage_key)).st_ino in upload_inodes
    submission_files_move(submission_id=submission.pk)
    _assert_moved_once(submission, contents)


@pytest.mark.django_db
def test_p_move_on_submit_copies_where_no_hard_link_can_be_made(submitter, monkeypatch):
    def cross_device(source, target):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", cross_device)
    contents = file_contents(N_FILES)
    submission, _ = _submitted(submitter, contents)
    submission_files_move(submission_id=submission.pk)
    _assert_moved_once(submission, contents)
