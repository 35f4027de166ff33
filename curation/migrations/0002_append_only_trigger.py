"""On PostgreSQL, the database itself refuses UPDATE and DELETE on the audit log."""

from django.db import migrations

FORBID = """
CREATE OR REPLACE FUNCTION curation_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'curation_curationevent is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER curation_event_append_only
    BEFORE UPDATE OR DELETE ON curation_curationevent
    FOR EACH ROW EXECUTE FUNCTION curation_event_append_only();
"""
ALLOW = """
DROP TRIGGER IF EXISTS curation_event_append_only ON curation_curationevent;
DROP FUNCTION IF EXISTS curation_event_append_only();
"""


def forbid(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORBID)


def allow(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW)


class Migration(migrations.Migration):
    dependencies = [("curation", "0001_initial")]

    operations = [migrations.RunPython(forbid, allow)]
