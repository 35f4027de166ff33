"""The audit log's model now lives in core (core/0001): state only, the table and its trigger stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0003_fixity_and_imports"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="CurationEvent")],
            database_operations=[],
        ),
    ]
