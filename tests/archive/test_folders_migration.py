"""Migration 0010 counts the folders of versions made before folders were counted, with no app code of its own:
the rows it writes are the rows the folder service writes when a version is made (archive/services/file_tree.py)."""

import importlib
from pathlib import Path

import pytest
from django.apps import apps

from archive.models import StudyFolder
from archive.services.accession import study_version_add
from archive.services.status import files_set_status
from tests.factories import make_curator, make_study, stored_file, study_metadata

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("archive.migrations.0010_study_folders")
COLUMNS = ("version_id", "path", "parent", "files_count", "total_size", "removed_count", "removed_size")


def _folders() -> list[tuple]:
    return sorted(StudyFolder.objects.values_list(*COLUMNS))


def test_the_migration_counts_the_folders_the_service_counts():
    files = [
        stored_file("raw/plate 1/a.tif", b"a" * 10),
        stored_file("raw/plate 1/b.tif", b"b" * 20),
        stored_file("raw/c.tif", b"c" * 30),
        stored_file("analysis/deep/er/tracks.csv", b"frame\n"),
        stored_file("README.txt", b"About"),
    ]
    study = make_study(files=files)
    files_set_status(
        version=study.versions.get(),
        paths=["raw/plate 1/b.tif"],
        status="removed",
        actor=make_curator(),
        reason_category="other",
    )
    study_version_add(study=study, metadata=study_metadata("v2"), files=[stored_file("new/x.txt", b"x")])
    make_study(files=[])  # a version without files has its root alone
    made_by_the_service = _folders()
    StudyFolder.objects.all().delete()

    MIGRATION.count_folders(apps, schema_editor=None)

    assert _folders() == made_by_the_service
    assert ("", None) in {(path, parent) for _version, path, parent, *_ in made_by_the_service}
    assert any(row[1] == "raw/plate 1/" and row[5:] == (1, 20) for row in made_by_the_service)


def test_the_migration_imports_no_app_code():
    source = importlib.util.find_spec("archive.migrations.0010_study_folders").origin
    imported = [line for line in Path(source).read_text().splitlines() if line.startswith(("import ", "from "))]

    assert not [line for line in imported if line.split()[1].split(".")[0] in {"archive", "core", "curation"}]
