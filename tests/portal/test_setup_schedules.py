"""setup_schedules (docs/design.md §4): every recurring job exists once, whatever the number of runs."""

import io

import pytest
from django.core.management import call_command
from django.utils.module_loading import import_string
from django_q.models import Schedule

pytestmark = pytest.mark.django_db


def test_setup_schedules_creates_every_schedule_once(settings):
    call_command("setup_schedules")
    call_command("setup_schedules")

    schedules = {s.name: (s.func, s.schedule_type, s.minutes, s.repeats) for s in Schedule.objects.all()}
    assert schedules == {
        "archive.studies_release_due": (
            "archive.tasks.studies_release_due",
            Schedule.MINUTES,
            settings.RELEASE_JOB_MINUTES,
            -1,
        ),
        "uploads.upload_warnings_send": ("uploads.tasks.upload_warnings_send", Schedule.MINUTES, 60, -1),
        "uploads.uploads_purge_due": ("uploads.tasks.uploads_purge_due", Schedule.MINUTES, 15, -1),
        "archive.thumbnails_make_missing": ("archive.tasks.thumbnails_make_missing", Schedule.MINUTES, 10, -1),
        "archive.dois_register_pending": ("archive.tasks.dois_register_pending", Schedule.MINUTES, 10, -1),
        "curation.fixity_run": ("curation.tasks.fixity_run", Schedule.MINUTES, 60, -1),
    }


def test_setup_schedules_removes_the_schedules_of_renamed_tasks_and_keeps_foreign_ones():
    """A deploy after a task was renamed leaves no schedule that would run a function gone from the code."""
    renamed = {
        "archive.release_due_studies": "archive.tasks.release_due_studies",
        "uploads.upload_purge_due": "uploads.tasks.upload_purge_due",
        "curation.fixity_check_due": "curation.tasks.fixity_check_due",
    }
    for name, func in renamed.items():
        Schedule.objects.create(name=name, func=func, schedule_type=Schedule.MINUTES, minutes=15, repeats=-1)
    Schedule.objects.create(name="ops.backup", func="ops.tasks.backup", schedule_type=Schedule.DAILY, repeats=-1)

    call_command("setup_schedules", stdout=io.StringIO())

    names = set(Schedule.objects.values_list("name", flat=True))
    assert names.isdisjoint(renamed) and "ops.backup" in names
    for schedule in Schedule.objects.exclude(name="ops.backup"):
        assert callable(import_string(schedule.func)), schedule.func
