"""Create or update the scheduled jobs (docs/design.md §4): safe to run on every deploy."""

from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django_q.models import Schedule

from archive.tasks import DOIS_RETRY_EVERY_MINUTES, THUMBNAILS_EVERY_MINUTES
from curation.tasks import FIXITY_EVERY_MINUTES
from uploads.tasks import PURGE_EVERY_MINUTES, WARNINGS_EVERY_MINUTES


@dataclass(frozen=True)
class ScheduleSpec:
    """One recurring job; `name` is its identity, so re-running updates instead of adding."""

    name: str
    func: str
    minutes: int


def schedule_specs() -> list[ScheduleSpec]:
    """Every recurring job of the portal; each app adds one entry per job."""
    return [
        ScheduleSpec(
            name="archive.studies_release_due",
            func="archive.tasks.studies_release_due",
            minutes=settings.RELEASE_JOB_MINUTES,
        ),
        ScheduleSpec(
            name="archive.thumbnails_make_missing",
            func="archive.tasks.thumbnails_make_missing",
            minutes=THUMBNAILS_EVERY_MINUTES,
        ),
        ScheduleSpec(
            name="archive.dois_register_pending",
            func="archive.tasks.dois_register_pending",
            minutes=DOIS_RETRY_EVERY_MINUTES,
        ),
        ScheduleSpec(
            name="uploads.upload_warnings_send",
            func="uploads.tasks.upload_warnings_send",
            minutes=WARNINGS_EVERY_MINUTES,
        ),
        ScheduleSpec(
            name="uploads.uploads_purge_due",
            func="uploads.tasks.uploads_purge_due",
            minutes=PURGE_EVERY_MINUTES,
        ),
        ScheduleSpec(
            name="curation.fixity_run",
            func="curation.tasks.fixity_run",
            minutes=FIXITY_EVERY_MINUTES,
        ),
    ]


class Command(BaseCommand):
    help = "Create or update the portal's scheduled jobs (idempotent)."

    def handle(self, *args, **options):
        specs = schedule_specs()
        for spec in specs:
            defaults = {"func": spec.func, "schedule_type": Schedule.MINUTES, "minutes": spec.minutes, "repeats": -1}
            _, created = Schedule.objects.update_or_create(
                name=spec.name,
                defaults=defaults,
                # Only a new schedule gets a first run time: a re-deploy must not postpone a due run.
                create_defaults={**defaults, "next_run": timezone.now()},
            )
            self.stdout.write(f"{'Created' if created else 'Updated'} schedule {spec.name} (every {spec.minutes} min)")
        # A schedule of our task modules that no spec names any more (a renamed or retired job) would run a
        # function gone from the code; schedules of other modules are not ours to judge.
        task_modules = {spec.func.rpartition(".")[0] for spec in specs}
        for stale in Schedule.objects.exclude(name__in=[spec.name for spec in specs]):
            if stale.func.rpartition(".")[0] in task_modules:
                stale.delete()
                self.stdout.write(f"Removed stale schedule {stale.name} ({stale.func})")
