"""Folder counts of study versions: made once with the version, kept right when files are removed or restored.

Listings read them (`archive/selectors/file_tree.py`) instead of counting a version's files on every request.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict

from django.db.models import BooleanField, Case, CharField, Count, F, Func, QuerySet, Sum, Value, When
from django.db.models.functions import Replace

from archive.file_tree import ancestors_of, folder_of, folder_totals, parent_of
from archive.models import FileStatus, Study, StudyFolder, StudyVersion

FOLDERS_BATCH = 5000


def _folder_of_path() -> Func:
    # RTRIM(path, every character of path but "/") strips the file name: the same on PostgreSQL and SQLite.
    return Func(F("path"), Replace(F("path"), Value("/"), Value("")), function="RTRIM", output_field=CharField())


def folders_create_from(files: QuerySet, *, version_id: int) -> None:
    """Create the folders of one version from its files: one grouped query, then one row per folder in batches.

    Migration 0010 keeps its own copy of this counting (migrations must not follow app code that changes).
    """
    removed = Case(When(status=FileStatus.REMOVED, then=True), default=False, output_field=BooleanField())
    direct = (
        files.order_by()
        .annotate(folder=_folder_of_path(), removed=removed)
        .values_list("folder", "removed")
        .annotate(count=Count("pk"), size=Sum("size"))
    )
    totals = folder_totals(direct)
    StudyFolder.objects.bulk_create(
        [
            StudyFolder(version_id=version_id, path=path, parent=parent_of(path), **asdict(counted))
            for path, counted in totals.items()
        ],
        batch_size=FOLDERS_BATCH,
    )


def version_folders_build(version: StudyVersion) -> None:
    """Count the files of a new version into its folders; called once its files are in."""
    folders_create_from(version.files.all(), version_id=version.pk)


def folders_count_change(changes: Iterable[tuple[int, str, int, bool]]) -> None:
    """Move files between listed and removed in their folders' counts: `(version_id, path, size, now_removed)`."""
    deltas: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for version_id, path, size, now_removed in changes:
        sign = 1 if now_removed else -1
        for folder in ancestors_of(folder_of(path)):
            delta = deltas[version_id, folder]
            delta[0] += sign
            delta[1] += sign * size
    for (version_id, folder), (count, size) in sorted(deltas.items()):
        StudyFolder.objects.filter(version_id=version_id, path=folder).update(
            files_count=F("files_count") - count,
            total_size=F("total_size") - size,
            removed_count=F("removed_count") + count,
            removed_size=F("removed_size") + size,
        )


def study_totals_mirror(study: Study) -> None:
    """Copy the newest version's listed files count and size onto the study, for search and lists."""
    root = StudyFolder.objects.filter(version__study=study, path="").order_by("-version__number").first()
    study.files_count, study.total_size = (root.files_count, root.total_size) if root else (0, 0)
    Study.objects.filter(pk=study.pk).update(files_count=study.files_count, total_size=study.total_size)
