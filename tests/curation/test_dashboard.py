"""The curator dashboard (issue #6, part 7): its numbers on a small known archive, its access, its query count."""

import datetime
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from curation.dashboard import dashboard_figures
from curation.services.fixity import fixity_run
from tests.curation.review_helpers import in_review_for_no_publication, in_review_for_scope, submitted
from tests.factories import make_study, stored_file
from uploads.services.upload import upload_file_put

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 4, 20, 12, 0, tzinfo=UTC)
DASHBOARD = reverse("curation:dashboard")


def at(moment: datetime.datetime):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def archive(submitter, other_user):
    """A small archive whose every figure is known.

    January: 1 study released (2 files: 10 + 20 bytes), 1 submission.
    March: 1 study released with one file of the January content again (stored once) and a new one of 5 bytes;
    1 confidential study with a 7-byte file; 2 submissions, one of them waiting for review.
    April: 1 submission waiting for review (submitted 2 days before NOW).
    Upload areas: other_user's file uploaded 3 months less 5 days before NOW is deleted in 5 days.
    """
    with at(datetime.datetime(2026, 1, 10, 9, 0, tzinfo=UTC)):
        make_study(files=[stored_file("a.tif", b"A" * 10), stored_file("b.tif", b"B" * 20)])
        submitted(submitter, title="January study", contents={"jan/x.tif": b"x" * 100})
    with at(datetime.datetime(2026, 3, 5, 9, 0, tzinfo=UTC)):
        make_study(files=[stored_file("again/a.tif", b"A" * 10), stored_file("c.tif", b"C" * 5)])
        make_study(status="confidential", files=[stored_file("d.tif", b"D" * 7)])
        submitted(submitter, title="March study", contents={"mar/y.tif": b"y" * 200})
        in_review_for_scope(submitter, contents={"mar/z.tif": b"z" * 300})
    with at(datetime.datetime(2026, 4, 18, 12, 0, tzinfo=UTC)):
        in_review_for_no_publication(submitter, contents={"apr/w.tif": b"w" * 400})
    with at(datetime.datetime(2026, 1, 25, 12, 0, tzinfo=UTC)):  # deleted 3 calendar months later: 25 April
        upload_file_put(owner=other_user, relative_path="old/forgotten.tif", content=b"f" * 50)
    with at(NOW):
        upload_file_put(owner=other_user, relative_path="new/fresh.tif", content=b"n" * 60)


def test_dashboard_counts_submissions_and_releases_per_month(archive):
    assert dashboard_figures(now=NOW)["per_month"] == [
        {"month": "2026-01", "submissions": 1, "releases": 1},
        {"month": "2026-03", "submissions": 2, "releases": 1},
        {"month": "2026-04", "submissions": 1, "releases": 0},
    ]


def test_dashboard_archive_size_counts_each_stored_content_once(archive):
    assert dashboard_figures(now=NOW)["archive_size"] == [
        {"month": "2026-01", "contents": 2, "added": 30, "total": 30},
        {"month": "2026-03", "contents": 2, "added": 12, "total": 42},  # the January content again adds nothing
    ]


def test_dashboard_upload_area_use_and_deletions_due(archive):
    figures = dashboard_figures(now=NOW)
    uploads = figures["uploads"]
    # Held by the three submissions still waiting to move or for review: 100 + 200 + 300 + 400 bytes.
    assert (uploads["held_files"], uploads["held_bytes"]) == (4, 1000)
    assert (uploads["waiting_files"], uploads["waiting_bytes"]) == (2, 110)
    assert uploads["areas"] == 2
    due = {row["day"]: (row["files"], row["bytes"]) for row in figures["deletions"] if row["files"]}
    assert due == {"2026-04-25": (1, 50)}
    assert len(figures["deletions"]) == 15 and figures["deletions"][0]["day"] == "2026-04-20"


def test_dashboard_review_queue_length_and_age(archive):
    queue = dashboard_figures(now=NOW)["queue"]
    assert queue["length"] == 2 and queue["oldest_days"] == 46
    assert {row["label"]: row["count"] for row in queue["ages"]} == {
        "under a week": 1,
        "1–2 weeks": 0,
        "2–4 weeks": 0,
        "4 weeks or more": 1,
    }
    reasons = {row["label"]: row["count"] for row in queue["reasons"]}
    assert sum(reasons.values()) == 2


def test_dashboard_fixity_before_and_after_checks(archive, curator_client):
    assert dashboard_figures(now=NOW)["fixity"] is None
    assert "No fixity checks yet." in curator_client.get(DASHBOARD).content.decode()

    fixity_run(byte_budget=None)
    key = next(p for p in Path(settings.ARCHIVE_ROOT).rglob("*") if p.is_file() and p.stat().st_size == 7)
    key.write_bytes(b"E" * 7)  # the confidential study's file rots on disk
    fixity_run(byte_budget=None)
    fixity = dashboard_figures(now=NOW)["fixity"]
    assert fixity["objects"] == fixity["checked"] == 4
    assert {row["label"]: row["count"] for row in fixity["rows"]}["Changed (SHA-256 or size differs)"] == 1
    assert fixity["reports"] == {"total": 1, "open": 1}
    html = curator_client.get(DASHBOARD).content.decode()
    assert "open report" in html and "No fixity checks yet." not in html


def test_dashboard_page_shows_every_chart_with_its_table(archive, curator_client, django_assert_max_num_queries):
    with at(NOW), django_assert_max_num_queries(14):
        response = curator_client.get(DASHBOARD)
    html = response.content.decode()
    assert response.status_code == 200
    for canvas in ("chart-per-month", "chart-archive-size", "chart-uploads", "chart-deletions", "chart-queue"):
        assert f'id="{canvas}"' in html
    assert "vendor/chart.js/chart.umd.js" in html
    assert '<td>2026-03</td><td class="num">2</td><td class="num">1</td>' in html
    assert "<strong>2</strong> submissions waiting" in html


def test_dashboard_queries_do_not_grow_with_the_archive(submitter, curator_client, django_assert_max_num_queries):
    for month in range(1, 7):
        with at(datetime.datetime(2025, month, 3, tzinfo=UTC)):
            make_study(files=[stored_file(f"m{month}.tif", bytes([month]) * month)])
            in_review_for_scope(submitter, contents={f"m{month}/q.tif": b"q" * month})
    with django_assert_max_num_queries(14):
        assert curator_client.get(DASHBOARD).status_code == 200


def test_dashboard_is_for_curators_only(submitter_client, other_client, anonymous_client, curator_client):
    assert curator_client.get(DASHBOARD).status_code == 200
    assert submitter_client.get(DASHBOARD).status_code == 403
    assert other_client.get(DASHBOARD).status_code == 403
    assert anonymous_client.get(DASHBOARD).status_code == 302


def test_dashboard_is_linked_from_the_admin_index(curator_client):
    html = curator_client.get(reverse("admin:index")).content.decode()
    assert DASHBOARD in html and reverse("curation:review_queue") in html
