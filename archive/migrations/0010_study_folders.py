"""Folders of study versions with their files counted once, the trigram extension for finding files by path, and
bytewise order of paths on PostgreSQL (so a folder's files are one range of the (version, path) index).
"""

import django.db.models.deletion
from django.db import migrations, models

from archive.services.file_tree import folders_create_from

POSTGRESQL_FORWARD = [
    # Folders are path prefixes; under a language collation "raw/x" and "rawx" interleave in the index.
    'ALTER TABLE archive_archivefile ALTER COLUMN path TYPE varchar(4096) COLLATE "C"',
    # The trigram index for finding files by path is 0011's: building one here only to replace it would read
    # every file of a large archive twice.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
]
POSTGRESQL_BACKWARD = [
    'ALTER TABLE archive_archivefile ALTER COLUMN path TYPE varchar(4096) COLLATE pg_catalog."default"',
]


def postgresql_only(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


def count_folders(apps, schema_editor):
    """Count the folders of every version made before folders were counted."""
    ArchiveFile = apps.get_model("archive", "ArchiveFile")
    StudyFolder = apps.get_model("archive", "StudyFolder")
    StudyVersion = apps.get_model("archive", "StudyVersion")
    for version_id in StudyVersion.objects.values_list("pk", flat=True).iterator():
        files = ArchiveFile.objects.filter(version_id=version_id)
        folders_create_from(files, version_id=version_id, folder_model=StudyFolder)


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0009_study_superseded_by"),
    ]

    operations = [
        migrations.CreateModel(
            name="StudyFolder",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("path", models.CharField(blank=True, max_length=4096)),
                ("parent", models.CharField(blank=True, max_length=4096, null=True)),
                ("files_count", models.PositiveBigIntegerField(default=0)),
                ("total_size", models.PositiveBigIntegerField(default=0)),
                ("removed_count", models.PositiveBigIntegerField(default=0)),
                ("removed_size", models.PositiveBigIntegerField(default=0)),
                (
                    "version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="folders", to="archive.studyversion"
                    ),
                ),
            ],
            options={
                "ordering": ["version", "path"],
                "indexes": [models.Index(fields=["version", "parent", "path"], name="folder_children_idx")],
                "constraints": [models.UniqueConstraint(fields=("version", "path"), name="unique_version_folder")],
            },
        ),
        migrations.RunPython(postgresql_only(POSTGRESQL_FORWARD), postgresql_only(POSTGRESQL_BACKWARD)),
        migrations.RunPython(count_folders, migrations.RunPython.noop),
    ]
