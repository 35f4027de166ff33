"""P-RELEASE-DATE: the allowed range at submission and later changes of an accessioned study."""

import datetime
import logging

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from archive.models import ReleaseDateChange, Study, StudyStatus
from archive.release_dates import release_date_validate
from archive.services.release import studies_release_due, study_release_date_change
from core.errors import PolicyViolation
from core.models import CurationEvent
from submissions.services import submission_create_draft
from tests.factories import UserFactory, make_study, study_metadata

NOW = datetime.datetime(2026, 3, 10, 9, 30, tzinfo=datetime.UTC)
TODAY = NOW.date()
LEAP_DAY = datetime.datetime(2028, 2, 29, 12, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_p_release_date_today_accepted(at_now):
    assert release_date_validate(release_date=TODAY, submitted_at=NOW) is False


def test_p_release_date_yesterday_refused(at_now):
    with pytest.raises(PolicyViolation) as raised:
        release_date_validate(release_date=TODAY - DAY, submitted_at=NOW)
    assert raised.value.rule == "P-RELEASE-DATE"
    assert raised.value.field == "release_date"


def test_p_release_date_exactly_two_years_accepted(at_now):
    assert release_date_validate(release_date=datetime.date(2028, 3, 10), submitted_at=NOW) is False


def test_p_release_date_two_years_and_a_day_refused(at_now):
    with pytest.raises(PolicyViolation) as raised:
        release_date_validate(release_date=datetime.date(2028, 3, 11), submitted_at=NOW)
    assert raised.value.field == "release_date"
    assert "10 March 2028" in raised.value.message


def test_p_release_date_the_refusal_states_the_bound_of_the_setting(at_now, settings):
    settings.RELEASE_DATE_MAX_YEARS = 3
    with pytest.raises(PolicyViolation) as raised:
        release_date_validate(release_date=datetime.date(2029, 3, 11), submitted_at=NOW)
    assert (
        raised.value.message == "The release date can be at most 3 years after submission: 10 March 2029 at the latest."
    )


def test_p_release_date_from_29_february_two_years_is_28_february():
    with time_machine.travel(LEAP_DAY, tick=False):
        assert release_date_validate(release_date=datetime.date(2030, 2, 28), submitted_at=LEAP_DAY) is False
        with pytest.raises(PolicyViolation):
            release_date_validate(release_date=datetime.date(2030, 3, 1), submitted_at=LEAP_DAY)


def test_p_release_date_curator_beyond_bound_needs_a_reason(at_now):
    later = datetime.date(2029, 1, 1)
    assert release_date_validate(release_date=later, submitted_at=NOW, actor_is_curator=True, reason="Embargo") is True
    with pytest.raises(PolicyViolation) as raised:
        release_date_validate(release_date=later, submitted_at=NOW, actor_is_curator=True, reason="  ")
    assert raised.value.field == "reason"


def test_p_release_date_curator_cannot_choose_the_past(at_now):
    with pytest.raises(PolicyViolation):
        release_date_validate(release_date=TODAY - DAY, submitted_at=NOW, actor_is_curator=True, reason="Backdate")


def test_p_release_date_draft_takes_today_and_refuses_yesterday(at_now, submitter):
    assert submission_create_draft(owner=submitter, metadata=study_metadata(), release_date=TODAY).release_date == TODAY
    with pytest.raises(PolicyViolation):
        submission_create_draft(owner=submitter, metadata=study_metadata(), release_date=TODAY - DAY)


def test_p_release_date_draft_may_leave_the_date_empty(at_now, submitter):
    assert submission_create_draft(owner=submitter, metadata=study_metadata()).release_date is None


@pytest.fixture
def confidential(submitter):
    """A study accessioned at NOW, due in 90 days."""
    with time_machine.travel(NOW, tick=False):
        return make_study(owner=submitter, status="confidential", release_date=TODAY + 90 * DAY)


def test_p_release_date_owner_changes_within_bound_while_confidential(confidential, submitter):
    # A year on, the bound is still 2 years from accessioning, not from the change.
    with time_machine.travel(NOW + 365 * DAY, tick=False):
        study = study_release_date_change(study=confidential, actor=submitter, release_date=datetime.date(2028, 3, 10))
    assert study.release_date == datetime.date(2028, 3, 10)
    assert study.status == StudyStatus.CONFIDENTIAL
    change = ReleaseDateChange.objects.get(study=study)
    assert (change.old_date, change.new_date, change.actor, change.beyond_bound) == (
        TODAY + 90 * DAY,
        datetime.date(2028, 3, 10),
        submitter,
        False,
    )


def test_p_release_date_owner_beyond_bound_refused(confidential, submitter):
    with time_machine.travel(NOW + 365 * DAY, tick=False), pytest.raises(PolicyViolation) as raised:
        study_release_date_change(study=confidential, actor=submitter, release_date=datetime.date(2028, 3, 11))
    assert raised.value.rule == "P-RELEASE-DATE"
    confidential.refresh_from_db()
    assert confidential.release_date == TODAY + 90 * DAY
    assert not ReleaseDateChange.objects.exists()


def test_p_release_date_owner_with_a_reason_still_cannot_go_beyond(confidential, submitter):
    with time_machine.travel(NOW, tick=False), pytest.raises(PolicyViolation):
        study_release_date_change(
            study=confidential, actor=submitter, release_date=datetime.date(2029, 1, 1), reason="Please"
        )


def test_p_release_date_curator_override_with_reason_is_stored_and_logged(confidential, curator):
    with time_machine.travel(NOW, tick=False):
        study = study_release_date_change(
            study=confidential, actor=curator, release_date=datetime.date(2029, 1, 1), reason="Patent embargo"
        )
    assert study.release_date == datetime.date(2029, 1, 1)
    change = ReleaseDateChange.objects.get(study=study)
    assert (change.actor, change.reason, change.beyond_bound, change.at) == (curator, "Patent embargo", True, NOW)
    event = CurationEvent.objects.get(study=study, action="study.release_date_changed")
    assert (event.actor, event.target_id, event.note, event.at) == (curator, study.accession, "Patent embargo", NOW)
    assert event.data == {
        "old_date": confidential.release_date.isoformat(),
        "new_date": "2029-01-01",
        "beyond_bound": True,
    }


def test_p_release_date_curator_override_without_reason_refused(confidential, curator):
    with time_machine.travel(NOW, tick=False), pytest.raises(PolicyViolation) as raised:
        study_release_date_change(study=confidential, actor=curator, release_date=datetime.date(2029, 1, 1))
    assert raised.value.field == "reason"
    assert not ReleaseDateChange.objects.exists()


def test_p_release_date_today_releases_at_once(confidential, submitter):
    later = NOW + 10 * DAY
    with time_machine.travel(later, tick=False):
        study = study_release_date_change(study=confidential, actor=submitter, release_date=later.date())
    assert study.status == StudyStatus.RELEASED
    assert study.released_at == later


@pytest.mark.parametrize("who", ["submitter", "curator"])
def test_p_release_date_released_study_date_is_fixed(submitter, curator, who):
    with time_machine.travel(NOW, tick=False):
        study = make_study(owner=submitter, status="released", release_date=TODAY)
        actor = {"submitter": submitter, "curator": curator}[who]
        with pytest.raises(PolicyViolation) as raised:
            study_release_date_change(study=study, actor=actor, release_date=TODAY + DAY, reason="Oops")
    assert raised.value.rule == "P-RELEASE-DATE"
    study.refresh_from_db()
    assert study.release_date == TODAY
    assert not ReleaseDateChange.objects.exists()


def test_p_release_date_other_users_refused(confidential, other_user):
    with time_machine.travel(NOW, tick=False), pytest.raises(PolicyViolation) as raised:
        study_release_date_change(study=confidential, actor=other_user, release_date=TODAY + DAY)
    assert raised.value.status == 403
    confidential.refresh_from_db()
    assert confidential.release_date == TODAY + 90 * DAY


def test_p_release_date_release_job_publishes_on_the_new_day(confidential, submitter):
    with time_machine.travel(NOW, tick=False):
        study_release_date_change(study=confidential, actor=submitter, release_date=TODAY + 5 * DAY)
    day_before = timezone.make_aware(datetime.datetime.combine(TODAY + 4 * DAY, datetime.time(23, 59)))
    assert studies_release_due(now=day_before) == []
    on_the_day = timezone.make_aware(datetime.datetime.combine(TODAY + 5 * DAY, datetime.time(0, 1)))
    assert studies_release_due(now=on_the_day) == [confidential.accession]


def _patch(client, study, body):
    return client.patch(
        reverse("api-study-detail", kwargs={"accession": study.accession}), body, content_type="application/json"
    )


def test_p_release_date_owner_moves_the_date_through_the_api(submitter, submitter_client):
    study = make_study(owner=submitter, status="confidential")
    new_date = timezone.localdate() + datetime.timedelta(days=200)
    response = _patch(submitter_client, study, {"release_date": new_date.isoformat()})
    assert response.status_code == 200
    assert response.json()["release_date"] == new_date.isoformat()
    study.refresh_from_db()
    assert study.release_date == new_date


def test_p_release_date_api_refuses_beyond_the_bound_naming_the_field(submitter, submitter_client):
    study = make_study(owner=submitter, status="confidential")
    before = study.release_date
    response = _patch(submitter_client, study, {"release_date": "2099-01-01"})
    assert response.status_code == 400
    assert response.json()["rule"] == "P-RELEASE-DATE"
    assert "release_date" in response.json()
    study.refresh_from_db()
    assert study.release_date == before


def test_p_release_date_api_today_releases_at_once(submitter, submitter_client, anonymous_client):
    study = make_study(owner=submitter, status="confidential")
    response = _patch(submitter_client, study, {"release_date": timezone.localdate().isoformat()})
    assert response.status_code == 200
    assert response.json()["status"] == "released"
    assert anonymous_client.get(reverse("study-detail", kwargs={"accession": study.accession})).status_code == 200


@pytest.mark.parametrize(
    ("caller", "expected"), [("anonymous_client", 403), ("other_client", 404), ("curator_client", 200)]
)
def test_p_release_date_api_only_owner_or_curator(request, submitter, caller, expected):
    study = make_study(owner=submitter, status="confidential")
    response = _patch(
        request.getfixturevalue(caller),
        study,
        {"release_date": (timezone.localdate() + datetime.timedelta(days=30)).isoformat()},
    )
    assert response.status_code == expected


def test_p_release_date_released_study_date_is_fixed_through_the_api(submitter, submitter_client):
    study = make_study(owner=submitter, status="released")
    response = _patch(
        submitter_client, study, {"release_date": (timezone.localdate() + datetime.timedelta(days=30)).isoformat()}
    )
    assert response.status_code == 400


@pytest.mark.django_db(transaction=True)  # each release commits for real, and its e-mail goes then
def test_p_release_date_an_e_mail_that_fails_neither_undoes_a_release_nor_stops_the_others(caplog):
    unreachable, reachable = UserFactory(username="unreachable"), UserFactory(username="reachable")
    # An address stored before any check, which no mail header takes.
    type(unreachable).objects.filter(pk=unreachable.pk).update(email="ada@example.org\rBcc: eve@example.org")
    tomorrow = timezone.localdate() + DAY
    # Whichever order the job takes them in, a failing e-mail comes before the one that goes.
    studies = [
        make_study(owner=owner, status="confidential", release_date=tomorrow, title=f"Study {number}")
        for number, owner in enumerate([unreachable, reachable, unreachable])
    ]
    with caplog.at_level(logging.ERROR, logger="core.mail"):
        released = studies_release_due(now=timezone.now() + 2 * DAY)
    assert sorted(released) == sorted(study.accession for study in studies)
    assert {study.status for study in Study.objects.all()} == {StudyStatus.RELEASED}
    assert [message.to for message in mail.outbox] == [[reachable.email]]
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert f"study {studies[0].accession}" in logged and f"study {studies[2].accession}" in logged
