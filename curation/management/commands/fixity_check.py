"""Re-hash stored objects now and print what was found (P-INTEGRITY): `manage.py fixity_check [--all|--study ACC]`."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from archive.models import Study
from curation.services.fixity import fixity_run


class Command(BaseCommand):
    help = (
        "Re-hash archive objects, least recently checked first, within FIXITY_BYTES_PER_RUN (as the scheduled job), "
        "or every object (--all), or those of one study (--study). Failures are reported to curators, never repaired."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group()
        which.add_argument(
            "--all", dest="every", action="store_true", help="check every stored object, whatever the budget"
        )
        which.add_argument("--study", metavar="ACC", help="check every object of this study's versions")

    def handle(self, *args, every: bool, study: str | None, **options):
        target = None
        if study:
            target = Study.objects.filter(accession=study).first()
            if target is None:
                raise CommandError(f"No study has the accession {study}.")
        budget = None if (every or target) else settings.FIXITY_BYTES_PER_RUN
        summary = fixity_run(byte_budget=budget, study=target)
        scope = f"study {study}" if study else "every object" if every else f"budget {filesizeformat(budget)}"
        self.stdout.write(
            f"Checked {summary.checked} object{'s' if summary.checked != 1 else ''}"
            f" ({filesizeformat(summary.bytes)}, {scope}) in {summary.seconds:.1f} s:"
            f" {summary.ok} intact, {summary.mismatch} changed, {summary.missing} missing"
            + (f", {summary.errors} unreadable (tried again next run)." if summary.errors else ".")
        )
        if summary.reports:
            self.stdout.write(
                f"Opened {len(summary.reports)} report{'s' if len(summary.reports) != 1 else ''} for curators"
                f" (nothing was repaired): {', '.join(map(str, summary.reports))}"
            )
        if summary.errors:
            self.stderr.write("Some objects could not be read; the log says why.")
        if summary.mismatch or summary.missing:
            # A non-zero exit lets an operator's cron or script notice without parsing the text.
            raise CommandError("Some objects failed their check; see the open fixity reports in the admin.")
