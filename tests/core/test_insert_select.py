"""`insert_select` copies rows by the database, and refreshes the planner's statistics after a bulk copy."""

import pytest
from django.db import connection

from archive.models import ArchiveFile
from archive.services.accession import study_version_add
from core import insert_select as module
from tests.factories import make_study, stored_file, study_metadata


def _estimated_rows(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


def _copy_of_files(study) -> int:
    """Copy the files of `study` into a new version of another, as a version's rows are copied by the database."""
    target = make_study(files=[])
    version = study_version_add(
        study=target, metadata=study_metadata(), files=ArchiveFile.objects.filter(version__study=study)
    )
    return version.files.count()


@pytest.mark.django_db
def test_a_bulk_copy_refreshes_the_planner_statistics_of_its_table(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("ANALYZE after a bulk copy is for PostgreSQL's planner")
    study = make_study(files=[stored_file(f"raw/{i}.tif", bytes([i])) for i in range(6)])
    monkeypatch.setattr(module, "ANALYZE_AFTER_ROWS", 6)

    copied = _copy_of_files(study)

    assert copied == 6
    assert _estimated_rows(ArchiveFile._meta.db_table) == ArchiveFile.objects.count() == 12


@pytest.mark.django_db
def test_a_small_copy_leaves_the_statistics_to_autovacuum():
    if connection.vendor != "postgresql":
        pytest.skip("ANALYZE after a bulk copy is for PostgreSQL's planner")
    study = make_study(files=[stored_file(f"raw/{i}.tif", bytes([i])) for i in range(3)])
    before = _estimated_rows(ArchiveFile._meta.db_table)

    assert _copy_of_files(study) == 3
    assert _estimated_rows(ArchiveFile._meta.db_table) == before
