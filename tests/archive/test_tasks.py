import datetime

import pytest
import time_machine
from django.core.management import call_command
from django_q.models import Schedule
from django_q.tasks import async_task, result

from archive.models import StudyStatus
from archive.tasks import studies_release_due
from tests.factories import make_study

pytestmark = pytest.mark.django_db


def test_setup_schedules_twice_leaves_one_release_schedule(settings):
    call_command("setup_schedules")
    first = Schedule.objects.get(name="archive.studies_release_due")
    call_command("setup_schedules")

    schedule = Schedule.objects.get(name="archive.studies_release_due")
    assert schedule.pk == first.pk
    assert schedule.func == "archive.tasks.studies_release_due"
    assert schedule.schedule_type == Schedule.MINUTES
    assert schedule.minutes == settings.RELEASE_JOB_MINUTES
    assert schedule.repeats == -1
    # Re-running keeps the pending run time instead of pushing it back.
    assert schedule.next_run == first.next_run


def test_setup_schedules_follows_a_changed_interval(settings):
    call_command("setup_schedules")
    settings.RELEASE_JOB_MINUTES = 5
    call_command("setup_schedules")
    assert Schedule.objects.get(name="archive.studies_release_due").minutes == 5


@time_machine.travel(datetime.datetime(2026, 5, 1, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_p_release_date_task_releases_a_due_study_once(submitter):
    study = make_study(owner=submitter, status="confidential", release_date=datetime.date(2026, 5, 4))
    assert studies_release_due() == []

    with time_machine.travel(datetime.datetime(2026, 5, 4, 0, 5, tzinfo=datetime.UTC), tick=False):
        assert studies_release_due() == [study.accession]
        assert studies_release_due() == []  # a second run finds nothing left
    study.refresh_from_db()
    assert study.status == StudyStatus.RELEASED


@time_machine.travel(datetime.datetime(2026, 5, 4, 12, 0, tzinfo=datetime.UTC), tick=False)
def test_p_release_date_task_runs_through_the_queue(submitter):
    study = make_study(owner=submitter, status="confidential", release_date=datetime.date(2026, 5, 10))
    with time_machine.travel(datetime.datetime(2026, 5, 10, 6, 0, tzinfo=datetime.UTC), tick=False):
        task_id = async_task("archive.tasks.studies_release_due", sync=True)
    assert result(task_id) == [study.accession]
    study.refresh_from_db()
    assert study.status == StudyStatus.RELEASED
