"""Folder counts of study versions: made once with the version, kept right when files are removed or restored.

Listings read them (`archive/selectors/file_tree.py`) instead of counting a version's files on every request.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import BooleanField, Case, CharField, Count, F, Func, QuerySet, Sum, Value, When
from django.db.models.functions import Replace

from archive.file_tree import ancestors_of, folder_of
from archive.models import FileStatus, Study, StudyFolder, StudyVersion


def _folder_of_path() -> Func:
    # RTRIM(path, every character of path but "/") strips the file name: the same on PostgreSQL and SQLite.
    return Func(F("path"), Replace(F("path"), Value("/"), Value("")), function="RTRIM", output_field=CharField())


def _parent_sql(column: str) -> str:
    """SQL for the folder enclosing the folder in `column` ("raw/day 1/" → "raw/", "raw/" → "") by the RTRIM trick
    of `_folder_of_path`, on the folder without its closing "/"."""
    bare = f"SUBSTR({column}, 1, LENGTH({column}) - 1)"
    return f"RTRIM({bare}, REPLACE({bare}, '/', ''))"


def folders_create_from(files: QuerySet, *, version_id: int) -> None:
    """Create the folders of one version from its files, in one statement: nothing per folder passes through Python.

    Files are grouped by the folder they lie in, each group climbs to the root (a recursive CTE, a few rows a
    folder), and each folder sums what reached it: a million files in 100,000 folders held 100 MB of Python
    rows when they were rolled up here. The root is always made, so an empty version has its totals.
    Migration 0010 keeps its own copy of this counting (migrations must not follow app code that changes).
    """
    removed = Case(When(status=FileStatus.REMOVED, then=True), default=False, output_field=BooleanField())
    direct = (
        files.order_by()
        .annotate(folder=_folder_of_path(), removed=removed)
        .values_list("folder", "removed")
        .annotate(count=Count("pk"), size=Sum("size"))
    )
    try:
        direct_sql, params = direct.query.sql_with_params()
    except EmptyResultSet:  # Django knows no file matches and makes no SQL: the root alone
        direct_sql, params = "SELECT '' AS folder, %s AS removed, 0 AS count, 0 AS size WHERE 1 = 0", [False]
    folder = connection.ops.quote_name(StudyFolder._meta.db_table)
    sql = f"""
        WITH RECURSIVE up (folder, removed, n, size) AS (
            SELECT * FROM ({direct_sql}) AS direct
            UNION ALL SELECT '', %s, 0, 0
            UNION ALL SELECT {_parent_sql("folder")}, removed, n, size FROM up WHERE folder <> ''
        )
        INSERT INTO {folder} (version_id, path, parent, files_count, total_size, removed_count, removed_size)
        SELECT %s, folder, CASE WHEN folder = '' THEN NULL ELSE {_parent_sql("folder")} END,
            SUM(CASE WHEN removed THEN 0 ELSE n END), COALESCE(SUM(CASE WHEN removed THEN 0 ELSE size END), 0),
            SUM(CASE WHEN removed THEN n ELSE 0 END), COALESCE(SUM(CASE WHEN removed THEN size ELSE 0 END), 0)
        FROM up GROUP BY folder
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, False, version_id])


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
