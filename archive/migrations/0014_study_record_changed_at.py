from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest


def record_changed_at_fill(apps, schema_editor):
    """Date every existing study by its latest recorded change: release, status change or newest version."""
    Study = apps.get_model("archive", "Study")
    StudyVersion = apps.get_model("archive", "StudyVersion")
    newest_version = StudyVersion.objects.filter(study=OuterRef("pk")).order_by("-number").values("created_at")[:1]
    # Coalesce each to created_at (never null): SQLite's max() of several values is null if any one is.
    Study.objects.update(
        record_changed_at=Greatest(
            Coalesce("released_at", "created_at"),
            Coalesce("status_changed_at", "created_at"),
            Coalesce(Subquery(newest_version), F("created_at")),
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0013_study_doi"),
    ]

    operations = [
        migrations.AddField(
            model_name="study",
            name="record_changed_at",
            field=models.DateTimeField(blank=True, db_index=True, null=True),
        ),
        migrations.RunPython(record_changed_at_fill, migrations.RunPython.noop),
    ]
