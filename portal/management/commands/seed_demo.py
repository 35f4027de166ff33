"""Load the demo archive (docs/design.md §10.1, `make demo`); safe to run again."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.links import portal_url
from portal.demo.builder import DEMO_PASSWORD, LOGINS, demo_seed


class Command(BaseCommand):
    help = "Create demo users and studies (once) and print the demo logins."

    def handle(self, *args, **options):
        # The demo makes a superuser with a published password: never on a production database.
        if not settings.DEBUG:
            raise CommandError("seed_demo creates accounts with a published password; run it with DEBUG=1 only.")
        result = demo_seed()
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created the demo archive: {result.studies} studies, {result.upload_files} upload files,"
                    f" {result.submissions} submissions."
                )
            )
        else:
            self.stdout.write("The demo archive is already there; nothing created.")
        # `make demo` sets PORTAL_URL from PORT: the address printed is the one the server runs on.
        self.stdout.write(f"\nOpen {portal_url('/')} and sign in with password {DEMO_PASSWORD}:")
        for login in LOGINS:
            self.stdout.write(f"  {login.username:<6} {login.role}")
