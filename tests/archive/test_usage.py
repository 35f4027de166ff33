"""Usage statistics following the COUNTER Code of Practice for Research Data (archive/services/usage.py)."""

import datetime
import re

import pytest
import time_machine
from django.test import Client, RequestFactory
from django.urls import reverse

from archive.models import Study, StudyStatus, UsageEvent, UsageKind, UsageSalt
from archive.selectors.statistics import UsageCounts, study_usage
from archive.services.usage import is_robot, usage_record
from tests.factories import make_study, stored_file

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
NOON = datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC)


def _visitor(address: str = "192.0.2.10", agent: str = BROWSER) -> Client:
    return Client(REMOTE_ADDR=address, HTTP_USER_AGENT=agent)


def _counts(study) -> UsageCounts:
    return study_usage(study)


def _page(study) -> str:
    return reverse("study-detail", args=[study.accession])


def _file(study, path: str = "README.txt") -> str:
    return reverse("study-file", args=[study.accession, path])


def test_counter_double_click_inside_30_seconds_counts_once_and_at_31_seconds_twice():
    study = make_study()
    client = _visitor()
    with time_machine.travel(NOON, tick=False) as clock:
        assert client.get(_page(study)).status_code == 200
        clock.shift(datetime.timedelta(seconds=29))
        client.get(_page(study))
        assert _counts(study).investigations == 1
        clock.shift(datetime.timedelta(seconds=2))  # 31 s after the counted click
        client.get(_page(study))
    assert _counts(study) == UsageCounts(investigations=2, unique_investigations=1, requests=0, unique_requests=0)


def test_counter_double_click_rule_is_per_item():
    study = make_study()
    client = _visitor()
    with time_machine.travel(NOON, tick=False):
        client.get(_page(study))
        client.get(_file(study))
        client.get(_file(study, "images/cell_01.tif"))
    # A download is an investigation too (COUNTER); two files are two items.
    assert _counts(study) == UsageCounts(investigations=3, unique_investigations=1, requests=2, unique_requests=1)


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "python-requests/2.32.3",
        "Wget/1.21.4",
        "",
    ],
)
def test_counter_robots_are_not_counted(agent):
    study = make_study()
    client = _visitor(agent=agent)
    client.get(_page(study))
    client.get(_file(study))
    client.get(reverse("study-download-zip", args=[study.accession]))
    assert is_robot(agent)
    assert UsageEvent.objects.count() == 0


def test_counter_a_browser_is_not_a_robot():
    assert not is_robot(BROWSER)
    assert not is_robot(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari/605.1.15"
    )


def test_counter_unique_counts_one_user_session_a_day_totals_count_every_counted_hit():
    study = make_study()
    with time_machine.travel(NOON, tick=False) as clock:
        first, second = _visitor("192.0.2.1"), _visitor("192.0.2.2")
        for _ in range(3):  # a minute apart: each counts in the total
            first.get(_page(study))
            first.get(_file(study))
            clock.shift(datetime.timedelta(minutes=1))
        second.get(_page(study))
        clock.shift(datetime.timedelta(days=1))  # the same address and browser the next day: a new user-session
        first.get(_page(study))
    assert _counts(study) == UsageCounts(investigations=8, unique_investigations=3, requests=3, unique_requests=1)


def test_counter_a_signed_in_session_is_one_visitor_whatever_its_address(submitter):
    study = make_study()
    client = _visitor("192.0.2.1")
    client.force_login(submitter)
    with time_machine.travel(NOON, tick=False) as clock:
        client.get(_page(study))
        clock.shift(datetime.timedelta(minutes=5))
        client.defaults["REMOTE_ADDR"] = "198.51.100.7"
        client.get(_page(study))
    assert _counts(study).investigations == 2 and _counts(study).unique_investigations == 1


def test_counter_no_raw_address_is_stored_and_old_salts_are_deleted():
    study = make_study()
    with time_machine.travel(NOON, tick=False) as clock:
        _visitor("203.0.113.99").get(_page(study))
        clock.shift(datetime.timedelta(days=3))
        _visitor("203.0.113.99").get(_page(study))
    stored = list(UsageEvent.objects.values_list("visitor", "target"))
    assert all(re.fullmatch("[0-9a-f]{64}", value) for row in stored for value in row)
    assert stored[0][0] != stored[1][0]  # a new day's salt: yesterday's visitor cannot be followed
    assert list(UsageSalt.objects.values_list("day", flat=True)) == [datetime.date(2026, 3, 5)]


def test_counter_range_requests_continuing_a_download_count_once():
    study = make_study(files=[stored_file("big.bin", b"x" * 4096)])
    client = _visitor()
    with time_machine.travel(NOON, tick=False) as clock:
        assert client.get(_file(study, "big.bin"), HTTP_RANGE="bytes=0-1023").status_code == 206
        for start in (1024, 2048, 3072):
            clock.shift(datetime.timedelta(minutes=1))
            assert client.get(_file(study, "big.bin"), HTTP_RANGE=f"bytes={start}-").status_code == 206
        client.head(_file(study, "big.bin"))
    assert _counts(study).requests == 1


def test_counter_zip_list_and_metadata_records_count():
    study = make_study()
    client = _visitor()
    with time_machine.travel(NOON, tick=False):
        b"".join(client.get(reverse("study-download-zip", args=[study.accession])).streaming_content)
        b"".join(client.get(reverse("study-download-list", args=[study.accession])).streaming_content)
        client.get(reverse("study-datacite", args=[study.accession]))
        client.get(reverse("study-citation", args=[study.accession, "bib"]))
        client.get(_page(study), HTTP_ACCEPT="application/x-bibtex")  # the same record by content negotiation
    assert _counts(study) == UsageCounts(investigations=5, unique_investigations=1, requests=2, unique_requests=1)


def test_counter_confidential_study_views_are_not_counted_nor_shown(submitter, submitter_client, curator_client):
    study = make_study(owner=submitter, status="confidential")
    for client in (submitter_client, curator_client):
        client.defaults["HTTP_USER_AGENT"] = BROWSER
        page = client.get(_page(study))
        assert page.status_code == 200
        assert b'id="usage-heading"' not in page.content
        client.get(_file(study))
    assert UsageEvent.objects.count() == 0
    assert study_usage(study) is None
    assert _visitor().get(_page(study)).status_code == 404


def test_counter_usage_box_on_the_accession_page():
    study = make_study()
    client = _visitor()
    with time_machine.travel(NOON, tick=False) as clock:
        client.get(_file(study))
        clock.shift(datetime.timedelta(minutes=1))
        page = client.get(_page(study)).content.decode()
    box = page[page.index('id="usage-heading"') :]
    assert "Counted following COUNTER" in box
    assert re.search(r"Views</dt><dd[^>]*>2 \(1 unique\)", box)
    assert re.search(r"Downloads</dt><dd[^>]*>1 \(1 unique\)", box)


def test_counter_a_failure_to_count_is_logged_not_raised(caplog):
    # A study that was never saved cannot own a usage row: the INSERT fails, usage_record does not.
    unsaved = Study(accession="S-NEVER1", status=StudyStatus.RELEASED)
    request = RequestFactory().get("/studies/S-NEVER1/", HTTP_USER_AGENT=BROWSER)

    assert usage_record(request, unsaved, UsageKind.INVESTIGATION) is False
    assert "The use of S-NEVER1 was not counted" in caplog.text
    assert UsageEvent.objects.count() == 0


def test_counter_statistics_page_numbers_and_tables_public_only(submitter):
    make_study(title="A", organism="Danio rerio", release_date=datetime.date(2026, 1, 5))
    make_study(title="B", organism="Danio rerio", release_date=datetime.date(2026, 3, 9))
    make_study(owner=submitter, status="confidential", title="C", organism="Secretus organismus")
    page = _visitor().get(reverse("statistics"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<table" in html and 'id="data-released"' in html and "Secretus" not in html
    assert re.search(r"March 2026</th><td[^>]*>1</td>.*?<td[^>]*>2</td>", html)
    assert re.search(r"Danio rerio</th><td[^>]*>2</td>", html)
