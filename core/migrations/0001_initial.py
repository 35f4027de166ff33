"""The audit log moves from curation to core: state only, the table `curation_curationevent` stays as it is."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("archive", "0005_thumbnail"),
        ("curation", "0003_fixity_and_imports"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CurationEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("action", models.CharField(db_index=True, max_length=64)),
                        ("target_type", models.CharField(max_length=32)),
                        ("target_id", models.CharField(max_length=64)),
                        ("reason_category", models.CharField(blank=True, max_length=32)),
                        ("note", models.TextField(blank=True)),
                        ("data", models.JSONField(blank=True, default=dict)),
                        ("at", models.DateTimeField(db_index=True)),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                help_text="Empty for scheduled jobs.",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "study",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="curation_events",
                                to="archive.study",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "curation_curationevent",
                        "ordering": ["-at", "-pk"],
                        "indexes": [models.Index(fields=["target_type", "target_id"], name="curationevent_target")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
