"""Folders of study versions with their files counted once, the trigram extension for finding files by path, and
bytewise order of paths on PostgreSQL (so a folder's files are one range of the (version, path) index).
"""

from collections import defaultdict

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import BooleanField, Case, CharField, Count, F, Func, Q, Sum, Value, When
from django.db.models.functions import Replace

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


# Migrations must not follow app code that may change later: what archive.services.file_tree and archive.file_tree
# did when this migration was written is inlined here, to the same rows.
FOLDERS_BATCH = 5000


def _ancestors(folder: str) -> list[str]:
    """A folder ("raw/day 1/") and each one above it, the root ("") last."""
    chain = [folder]
    while chain[-1]:
        chain.append(chain[-1][: chain[-1][:-1].rfind("/") + 1])
    return chain


def _parent(folder: str) -> str | None:
    return None if folder == "" else _ancestors(folder)[1]


def count_folders(apps, schema_editor):
    """Count the folders of every version made before folders were counted.

    One grouped query over all files gives each version's (folder, removed) file counts and sizes, in version
    order; each version's are rolled up into the folders above them and written before the next is read.
    """
    ArchiveFile = apps.get_model("archive", "ArchiveFile")
    StudyFolder = apps.get_model("archive", "StudyFolder")
    StudyVersion = apps.get_model("archive", "StudyVersion")
    # RTRIM(path, every character of path but "/") strips the file name: the same on PostgreSQL and SQLite.
    folder = Func(F("path"), Replace(F("path"), Value("/"), Value("")), function="RTRIM", output_field=CharField())
    removed = Case(When(status="removed", then=True), default=False, output_field=BooleanField())
    direct = (
        ArchiveFile.objects.order_by()
        .annotate(folder=folder, removed=removed)
        .values_list("version_id", "folder", "removed")
        .annotate(count=Count("pk"), size=Sum("size"))
        .order_by("version_id")
    )
    pending = []

    def write(version_id: int, totals: dict) -> None:
        for path, (files_count, total_size, removed_count, removed_size) in totals.items():
            pending.append(
                StudyFolder(
                    version_id=version_id,
                    path=path,
                    parent=_parent(path),
                    files_count=files_count,
                    total_size=total_size,
                    removed_count=removed_count,
                    removed_size=removed_size,
                )
            )
        if len(pending) >= FOLDERS_BATCH:
            StudyFolder.objects.bulk_create(pending)
            pending.clear()

    current, totals = None, {}
    for version_id, path, is_removed, count, size in direct.iterator(chunk_size=FOLDERS_BATCH):
        if version_id != current:
            if current is not None:
                write(current, totals)
            current, totals = version_id, defaultdict(lambda: [0, 0, 0, 0])
        for ancestor in _ancestors(path):
            counted = totals[ancestor]
            counted[2 * is_removed] += count
            counted[2 * is_removed + 1] += size or 0
    if current is not None:
        write(current, totals)
    # A version without files still has its root, with nothing under it.
    bare = StudyVersion.objects.filter(~Q(pk__in=ArchiveFile.objects.values("version_id"))).values_list("pk", flat=True)
    for version_id in bare.iterator(chunk_size=FOLDERS_BATCH):
        write(version_id, {"": [0, 0, 0, 0]})
    StudyFolder.objects.bulk_create(pending)


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
