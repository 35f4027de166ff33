"""setup_schedules (DESIGN §4): every recurring job exists once, whatever the number of runs."""

import pytest
from django.core.management import call_command
from django_q.models import Schedule

pytestmark = pytest.mark.django_db


def test_setup_schedules_creates_every_schedule_once(settings):
    call_command("setup_schedules")
    call_command("setup_schedules")

    schedules = {s.name: (s.func, s.schedule_type, s.minutes, s.repeats) for s in Schedule.objects.all()}
    assert schedules == {
        "archive.release_due_studies": (
            "archive.tasks.release_due_studies",
            Schedule.MINUTES,
            settings.RELEASE_JOB_MINUTES,
            -1,
        ),
        "uploads.upload_warnings_send": ("uploads.tasks.upload_warnings_send", Schedule.MINUTES, 60, -1),
        "uploads.upload_purge_due": ("uploads.tasks.upload_purge_due", Schedule.MINUTES, 15, -1),
        "archive.thumbnails_make_missing": ("archive.tasks.thumbnails_make_missing", Schedule.MINUTES, 10, -1),
        "curation.fixity_check_due": ("curation.tasks.fixity_check_due", Schedule.MINUTES, 60, -1),
    }
