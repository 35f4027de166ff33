"""Import a brokered dataset from a JSON manifest (P-LICENCE): `manage.py import_study MANIFEST.json`."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.json_input import json_parse
from curation.services.import_manifest import ManifestRefused
from curation.services.imports import study_import


class Command(BaseCommand):
    help = (
        "Import a dataset from another resource under its own licence. Relative local file locations are read "
        "from the manifest's folder. A manifest with any problem is refused whole, listing them all."
    )

    def add_arguments(self, parser):
        parser.add_argument("manifest", type=Path, help="the manifest (JSON)")
        parser.add_argument(
            "--curator", help="username of the curator importing it (recorded in the audit log; the default owner)"
        )

    def handle(self, *args, manifest: Path, curator: str | None, **options):
        actor = None
        if curator:
            actor = get_user_model().objects.filter(username=curator, is_active=True).first()
            if actor is None:
                raise CommandError(f"No active account has the username “{curator}”.")
        try:
            data = json_parse(manifest.read_bytes())
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read the manifest {manifest}: {error}") from error
        try:
            result = study_import(actor=actor, manifest=data, base_dir=manifest.resolve().parent)
        except ManifestRefused as refused:
            for problem in refused.problems:
                self.stderr.write(f"  {problem} [{problem.rule}]")
            raise CommandError(refused.message) from refused
        study, version = result.study, result.version
        what = "Imported as" if result.created else "Re-imported: new version of"
        self.stdout.write(
            f"{what} {study.accession} v{version.number} ({study.source} {study.source_id}, {study.licence.spdx_id},"
            f" {study.files_count} files, {study.total_size} bytes, {study.get_status_display().lower()})"
        )
