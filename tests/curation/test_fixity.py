"""Fixity (P-INTEGRITY): stored objects are re-hashed on a schedule; failures are reported, never repaired."""

import datetime
import hashlib
import io
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from archive.storage import archive_storage, content_key
from core.errors import NotAllowed
from core.models import CurationEvent
from curation import tasks
from curation.models import FixityCheck, FixityReport, FixityReportStatus, FixityResult
from curation.services.fixity import fixity_report_resolve, fixity_run
from tests.factories import UserFactory, make_study, stored_file

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)


def _key(content: bytes) -> str:
    return content_key(hashlib.sha256(content).hexdigest())


def _on_disk(content: bytes) -> Path:
    return Path(archive_storage().path(_key(content)))


def _run(capture, **kwargs):
    with capture(execute=True):
        return fixity_run(**kwargs)


def _study(title: str, *contents: bytes):
    files = [stored_file(f"file_{n}.bin", content) for n, content in enumerate(contents)]
    return make_study(title=title, files=files)


def test_p_integrity_file_corrupted_on_disk_is_reported_not_repaired(
    curator, django_capture_on_commit_callbacks, mailoutbox
):
    study = _study("Corrupted", b"good bytes of image one", b"second image")
    _on_disk(b"good bytes of image one").write_bytes(b"bad bytes of image one!")  # same size, other content

    summary = _run(django_capture_on_commit_callbacks, byte_budget=None)

    assert (summary.checked, summary.ok, summary.mismatch, summary.missing) == (2, 1, 1, 0)
    report = FixityReport.objects.get()
    expected = hashlib.sha256(b"good bytes of image one").hexdigest()
    assert (report.result, report.status, report.studies) == (FixityResult.MISMATCH, "open", [study.accession])
    assert report.expected_sha256 == expected
    assert report.observed_sha256 == hashlib.sha256(b"bad bytes of image one!").hexdigest()
    assert _on_disk(b"good bytes of image one").read_bytes() == b"bad bytes of image one!"  # not repaired
    check = FixityCheck.objects.get(storage_key=content_key(expected))
    assert check.last_result == FixityResult.MISMATCH and check.last_checked_at is not None
    event = CurationEvent.objects.get(action="fixity.mismatch")
    assert (event.actor, event.target_type, event.target_id, event.study) == (None, "stored_object", expected, study)
    assert event.data["storage_key"] == content_key(expected) and event.data["report"] == report.pk
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [curator.email]
    assert mail.subject == f"[{settings.PORTAL_NAME}] Fixity: 1 stored object failed its check"
    assert content_key(expected) in mail.body and study.accession in mail.body
    assert "Nothing has been repaired" in mail.body


def test_p_integrity_failure_is_reported_once_until_resolved(curator, django_capture_on_commit_callbacks, mailoutbox):
    _study("Vanishing", b"will vanish")
    _on_disk(b"will vanish").unlink()

    _run(django_capture_on_commit_callbacks, byte_budget=None)
    second = _run(django_capture_on_commit_callbacks, byte_budget=None)

    assert second.missing == 1 and second.reports == []
    report = FixityReport.objects.get()
    assert (report.result, report.observed_size, report.observed_sha256) == (FixityResult.MISSING, None, "")
    assert len(mailoutbox) == 1


def test_p_integrity_a_later_intact_check_resolves_the_report(django_capture_on_commit_callbacks):
    _study("Restored", b"original content")
    path = _on_disk(b"original content")
    path.write_bytes(b"tampered content")
    _run(django_capture_on_commit_callbacks, byte_budget=None)

    path.write_bytes(b"original content")  # a curator restored it from a copy
    summary = _run(django_capture_on_commit_callbacks, byte_budget=None)

    assert summary.ok == 1
    report = FixityReport.objects.get()
    assert report.status == FixityReportStatus.RESOLVED and "intact" in report.resolution_note
    assert CurationEvent.objects.filter(action="fixity.resolved", actor=None).count() == 1


def test_p_integrity_object_changed_in_seaweedfs_is_reported_not_repaired(
    curator, s3_archive, django_capture_on_commit_callbacks, mailoutbox
):
    study = _study("On S3", b"pixels stored in the object store", b"untouched object")
    key = _key(b"pixels stored in the object store")
    s3_archive.client.put_object(Bucket=s3_archive.bucket, Key=key, Body=b"pixels changed behind our back")
    s3_archive.client.delete_object(Bucket=s3_archive.bucket, Key=_key(b"untouched object"))

    summary = _run(django_capture_on_commit_callbacks, byte_budget=None)

    assert (summary.checked, summary.mismatch, summary.missing) == (2, 1, 1)
    reports = {r.fixity.storage_key: r for r in FixityReport.objects.select_related("fixity")}
    assert reports[key].result == FixityResult.MISMATCH
    assert reports[key].observed_size == len(b"pixels changed behind our back")
    assert reports[_key(b"untouched object")].result == FixityResult.MISSING
    assert all(r.studies == [study.accession] for r in reports.values())
    body = s3_archive.client.get_object(Bucket=s3_archive.bucket, Key=key)["Body"].read()
    assert body == b"pixels changed behind our back"  # not repaired
    assert len(mailoutbox) == 1 and "2 stored objects failed their check" in mailoutbox[0].subject


def test_p_integrity_intact_objects_in_seaweedfs_pass(s3_archive, django_capture_on_commit_callbacks):
    _study("On S3", b"a" * 3_000_000, b"b")

    summary = _run(django_capture_on_commit_callbacks, byte_budget=None)

    assert (summary.checked, summary.ok, summary.bytes) == (2, 2, 3_000_001)
    assert not FixityReport.objects.exists()


def test_p_integrity_byte_budget_and_least_recently_checked_first(django_capture_on_commit_callbacks):
    contents = [b"1" * 100, b"2" * 100, b"3" * 100, b"4" * 100]
    _study("Budget", *contents)

    with time_machine.travel(T0, tick=False):
        first = _run(django_capture_on_commit_callbacks, byte_budget=250)
    with time_machine.travel(T0 + datetime.timedelta(hours=1), tick=False):
        second = _run(django_capture_on_commit_callbacks, byte_budget=250)
    with time_machine.travel(T0 + datetime.timedelta(hours=2), tick=False):
        third = _run(django_capture_on_commit_callbacks, byte_budget=250)

    assert (first.checked, first.bytes) == (2, 200)  # a third object would pass the 250-byte budget
    assert (second.checked, third.checked) == (2, 2)
    checked_at = {c.storage_key: c.last_checked_at for c in FixityCheck.objects.all()}
    # Never-checked objects first (in registration order), then the oldest check: the first two again.
    by_key = [checked_at[_key(c)] for c in contents]
    assert by_key == [T0 + datetime.timedelta(hours=2)] * 2 + [T0 + datetime.timedelta(hours=1)] * 2


def test_p_integrity_an_object_larger_than_the_budget_is_still_checked_alone(django_capture_on_commit_callbacks):
    _study("Big", b"x" * 1000, b"y" * 10)

    summary = _run(django_capture_on_commit_callbacks, byte_budget=100)

    assert (summary.checked, summary.bytes) == (1, 1000)


def test_p_integrity_task_uses_the_budget_setting(settings, django_capture_on_commit_callbacks):
    _study("Task", b"p" * 60, b"q" * 60)
    settings.FIXITY_BYTES_PER_RUN = 100

    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.fixity_run()

    assert (result["checked"], result["bytes"], result["ok"]) == (1, 60, 1)
    assert FixityCheck.objects.filter(last_checked_at__isnull=True).count() == 1


def test_p_integrity_objects_shared_by_studies_are_checked_once(django_capture_on_commit_callbacks):
    first = _study("First", b"shared content")
    second = _study("Second", b"shared content")
    _on_disk(b"shared content").write_bytes(b"oops")

    summary = _run(django_capture_on_commit_callbacks, byte_budget=None)

    assert summary.checked == 1
    assert FixityReport.objects.get().studies == [first.accession, second.accession]


# --- The operators' command ---------------------------------------------------------------


def test_p_integrity_command_study_checks_only_that_study(django_capture_on_commit_callbacks):
    mine = _study("Mine", b"mine 1", b"mine 2")
    _study("Other", b"other 1")
    _on_disk(b"mine 2").unlink()
    out, err = io.StringIO(), io.StringIO()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CommandError, match="failed their check"):
        call_command("fixity_check", "--study", mine.accession, stdout=out, stderr=err)

    assert "Checked 2 objects (" in out.getvalue() and f"study {mine.accession}" in out.getvalue()
    assert "1 intact, 0 changed, 1 missing." in out.getvalue()
    assert "Opened 1 report for curators (nothing was repaired)" in out.getvalue()
    assert FixityCheck.objects.get(storage_key=_key(b"other 1")).last_checked_at is None


def test_p_integrity_command_all_ignores_the_budget(settings, django_capture_on_commit_callbacks):
    _study("One", b"a" * 50, b"b" * 50)
    _study("Two", b"c" * 50)
    settings.FIXITY_BYTES_PER_RUN = 60
    out = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("fixity_check", "--all", stdout=out)
        call_command("fixity_check", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Checked 3 objects (150\xa0bytes, every object)")
    assert lines[0].endswith("3 intact, 0 changed, 0 missing.")
    assert lines[1].startswith("Checked 1 object (50\xa0bytes, budget 60\xa0bytes)")


def test_fixity_command_refuses_an_unknown_accession():
    with pytest.raises(CommandError, match="No study has the accession S-BIAD999"):
        call_command("fixity_check", "--study", "S-BIAD999")


# --- Reports in the admin -----------------------------------------------------------------


def _report(capture) -> FixityReport:
    _study("Reported", b"to be damaged")
    _on_disk(b"to be damaged").write_bytes(b"damaged")
    _run(capture, byte_budget=None)
    return FixityReport.objects.get()


def test_p_integrity_reports_and_checks_listed_read_only_for_curators(
    curator_client, other_client, django_capture_on_commit_callbacks
):
    report = _report(django_capture_on_commit_callbacks)
    reports_url = reverse("admin:curation_fixityreport_changelist")
    checks_url = reverse("admin:curation_fixitycheck_changelist")

    listing = curator_client.get(reports_url + "?status__exact=open")
    assert listing.status_code == 200 and f'title="{report.fixity.storage_key}"' in listing.content.decode()
    assert curator_client.get(checks_url).status_code == 200
    detail = curator_client.get(reverse("admin:curation_fixityreport_change", args=[report.pk]))
    assert detail.status_code == 200 and 'name="expected_sha256"' not in detail.content.decode()
    assert curator_client.get(reverse("admin:curation_fixityreport_delete", args=[report.pk])).status_code == 403
    assert curator_client.get(reverse("admin:curation_fixitycheck_add")).status_code == 403
    staff = UserFactory(username="staff_not_curator", is_staff=True)
    staff_client = Client()
    staff_client.force_login(staff)
    assert staff_client.get(reports_url).status_code == 403
    assert other_client.get(reports_url).status_code == 302  # not staff: to the admin log-in


def test_p_integrity_reports_open_as_read_only_views_without_save_buttons(
    curator, curator_client, django_capture_on_commit_callbacks
):
    report = _report(django_capture_on_commit_callbacks)
    url = reverse("admin:curation_fixityreport_change", args=[report.pk])

    detail = curator_client.get(url).content.decode()
    changed = curator_client.post(url, {"status": "resolved", "resolution_note": "Edited by hand.", "_save": "Save"})
    listing = curator_client.get(reverse("admin:curation_fixityreport_changelist")).content.decode()

    assert "View fixity report" in detail
    for button in ("_save", "_continue", "_addanother"):
        assert f'name="{button}"' not in detail
    assert changed.status_code == 403
    report.refresh_from_db()
    assert (report.status, report.resolution_note) == (FixityReportStatus.OPEN, "")
    assert 'value="resolve_reports"' in listing  # resolving stays a curator's action on the list
    model_admin = admin.site._registry[FixityReport]
    request = RequestFactory().get("/")
    request.user = curator
    assert model_admin.has_view_permission(request, report)
    assert not model_admin.has_change_permission(request, report)
    assert not model_admin.has_add_permission(request)


def test_p_integrity_curator_resolves_a_report_with_a_note(curator, curator_client, django_capture_on_commit_callbacks):
    report = _report(django_capture_on_commit_callbacks)
    url = reverse("admin:curation_fixityreport_changelist")
    selected = {"action": "resolve_reports", "_selected_action": [report.pk]}

    page = curator_client.post(url, selected)
    assert page.status_code == 200 and "What was found and done" in page.content.decode()
    done = curator_client.post(url, {**selected, "confirm": "yes", "note": "Restored from the tape copy."})

    assert done.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.resolution_note) == (FixityReportStatus.RESOLVED, "Restored from the tape copy.")
    assert report.resolved_at is not None
    event = CurationEvent.objects.get(action="fixity.resolved")
    assert (event.actor, event.note) == (curator, "Restored from the tape copy.")


def test_p_integrity_only_curators_resolve_reports(submitter, django_capture_on_commit_callbacks):
    report = _report(django_capture_on_commit_callbacks)

    with pytest.raises(NotAllowed):
        fixity_report_resolve(report=report, actor=submitter, note="Looks fine to me.")

    report.refresh_from_db()
    assert report.status == FixityReportStatus.OPEN


def test_p_integrity_new_files_are_registered_with_the_size_and_checksum_they_were_archived_with(
    django_capture_on_commit_callbacks,
):
    _study("Registered", b"registered content")
    before = timezone.now()

    _run(django_capture_on_commit_callbacks, byte_budget=0)

    check = FixityCheck.objects.get()
    assert (check.sha256, check.size) == (hashlib.sha256(b"registered content").hexdigest(), 18)
    assert check.registered_at >= before


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_p_integrity_curator_sees_open_reports_in_a_browser(page, live_server, curator, output_path):
    _study("Shown in the admin", b"fine bytes", b"bytes to be damaged")
    _on_disk(b"bytes to be damaged").write_bytes(b"damaged")
    fixity_run(byte_budget=None)  # a transactional test: on_commit runs at once
    client = Client()
    client.force_login(curator)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])

    page.goto(live_server.url + reverse("admin:curation_fixityreport_changelist") + "?status__exact=open")
    expect(page.get_by_title(_key(b"bytes to be damaged"))).to_be_visible()
    page.screenshot(path=f"{output_path}/1-fixity-reports.png", full_page=True)
    page.goto(live_server.url + reverse("admin:curation_fixitycheck_changelist"))
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    page.screenshot(path=f"{output_path}/2-fixity-checks.png", full_page=True)


def test_p_integrity_an_unreadable_object_is_retried_not_reported(django_capture_on_commit_callbacks):
    _study("Unreadable", b"readable", b"unreadable")
    path = _on_disk(b"unreadable")
    path.unlink()
    path.mkdir()  # reading fails with another error than "no such file"

    summary = _run(django_capture_on_commit_callbacks, byte_budget=None)

    assert (summary.checked, summary.ok, summary.errors) == (1, 1, 1)
    assert not FixityReport.objects.exists()
    assert FixityCheck.objects.get(storage_key=_key(b"unreadable")).last_checked_at is None  # first in line next run
    path.rmdir()
    path.write_bytes(b"unreadable")
    assert _run(django_capture_on_commit_callbacks, byte_budget=None).ok == 2
