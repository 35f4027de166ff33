"""PostgreSQL only: the accession sequence and the GIN index for full-text search.

SQLite uses the AccessionNumber table and a simple text search instead.
"""

from django.db import migrations

FORWARD = [
    "CREATE SEQUENCE IF NOT EXISTS archive_accession_seq START 1",
    "CREATE INDEX IF NOT EXISTS study_search_vector_gin ON archive_study USING gin (search_vector)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS study_search_vector_gin",
    "DROP SEQUENCE IF EXISTS archive_accession_seq",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("archive", "0001_initial")]
    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
