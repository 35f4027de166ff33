"""PostgreSQL only: index the trigrams of UPPER(path), the expression Django's `icontains` compares, so that a
search inside a study (`?q=`) reads the index instead of the whole table; the index on `path` of 0010 served
only `ILIKE`, which the ORM never writes.
"""

from django.db import migrations

FORWARD = [
    "DROP INDEX IF EXISTS archivefile_path_trgm",
    "CREATE INDEX IF NOT EXISTS archivefile_path_upper_trgm ON archive_archivefile"
    " USING gin (upper(path::text) gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS archivefile_path_upper_trgm",
    "CREATE INDEX IF NOT EXISTS archivefile_path_trgm ON archive_archivefile USING gin (path gin_trgm_ops)",
]


def postgresql_only(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("archive", "0010_study_folders")]
    operations = [migrations.RunPython(postgresql_only(FORWARD), postgresql_only(BACKWARD))]
