"""A study version browsed as a folder tree: folders with their stored counts, files paged by path (keyset).

Every page costs the same few queries whatever the version's size or the page's position: counts come
from `StudyFolder` rows made with the version (`archive/services/file_tree.py`), files from one range of
the (version, path) index, and thumbnails are looked up for the page's rows only.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from archive.file_tree import ancestors_of, prefix_upper_bound
from archive.models import ArchiveFile, StudyFolder, StudyVersion, Thumbnail, ThumbnailStatus
from archive.selectors.files import study_files
from archive.selectors.visibility import StudyNotFound
from core.keyset import KeysetPage, Position, from_position, keyset_page, paged
from core.planner import scans_off
from core.roles import user_is_curator

FOLDERS_PER_PAGE = 100


@dataclass(frozen=True)
class Folder:
    """A folder as the caller may count it: removed files only for curators (P-REMOVE)."""

    path: str
    files_count: int
    total_size: int

    @property
    def name(self) -> str:
        return self.path.rstrip("/").rsplit("/", 1)[-1]

    @property
    def breadcrumbs(self) -> list["Folder"]:
        """The folders from the root down to this one (counts are this folder's only: crumbs show names)."""
        return [Folder(path, 0, 0) for path in reversed(ancestors_of(self.path))]


# What a folder row is read as: its counts, in named tuples rather than model instances (a page holds 100 folders).
_COUNTS = ("path", "files_count", "total_size", "removed_count", "removed_size")


def _counted(row, *, curator: bool) -> Folder:
    if curator:
        return Folder(row.path, row.files_count + row.removed_count, row.total_size + row.removed_size)
    return Folder(row.path, row.files_count, row.total_size)


def folder_clean(raw: str) -> str:
    """Return a folder path as stored ("raw/day 1/"; "" for the root) from what a URL gives ("/raw/day 1")."""
    path = raw.strip("/")
    return f"{path}/" if path else ""


def folder_get(*, version: StudyVersion, user, path: str) -> Folder:
    """Return a folder of a version; StudyNotFound when it does not exist or holds nothing the caller may see."""
    row = version.folders.filter(path=path).values_list(*_COUNTS, named=True).first()
    folder = _counted(row, curator=user_is_curator(user)) if row else None
    if folder is None or (path and not folder.files_count):
        raise StudyNotFound(f"{version} folder {path[:200]}")
    return folder


def root_folders(versions: list[StudyVersion]) -> dict[int, Folder]:
    """The public counts of each version's root folder (every version has one), by version key, in one query."""
    rows = StudyFolder.objects.filter(version__in=versions, path="").order_by()
    return {row.version_id: _counted(row, curator=False) for row in rows}


def subfolders_page(
    *, version: StudyVersion, user, parent: str, position: Position = Position(), limit: int = FOLDERS_PER_PAGE
) -> KeysetPage:
    """Return one page of the folders directly inside `parent`, by path, each with what the caller may count."""
    curator = user_is_curator(user)
    rows = version.folders.filter(parent=parent).values_list(*_COUNTS, named=True)
    if not curator:
        rows = rows.filter(files_count__gt=0)
    page = keyset_page(rows, position=position, limit=limit)
    page.rows = [_counted(row, curator=curator) for row in page.rows]
    return page


def files_window(
    *,
    version: StudyVersion,
    user,
    folder: str = "",
    q: str = "",
    position: Position = Position(),
    limit: int,
    thumbnails: bool = True,
) -> KeysetPage:
    """Return one page of the listed files under `folder` (at any depth) whose path contains `q`, in path order.

    With `thumbnails`, each row gets `has_thumbnail` (one more query; the API shows none).
    """
    files = study_files(version=version, user=user)
    if folder:
        files = files.filter(path__gte=folder, path__lt=prefix_upper_bound(folder))
    if q and connection.vendor == "postgresql":
        page = _search_page(files, q=q, position=position, limit=limit)
    else:
        page = keyset_page(files.filter(path__icontains=q) if q else files, position=position, limit=limit)
    if thumbnails:
        _mark_thumbnails(page.rows)
    return page


# Index entries of the version a search reads in path order from the page's position before it asks the trigram
# index instead: 1 % of paths matching fill a page of 50 within 5,100 entries; a pattern too rare for that pays
# the whole walk first, 18-25 ms at 1M files (bench/README.md, large_study.py).
SEARCH_WALK = 20_000


def _search_page(files: QuerySet, *, q: str, position: Position, limit: int) -> KeysetPage:
    """Read a page of the files whose path contains `q` (PostgreSQL): first along the (version, path) index, at most
    SEARCH_WALK entries from the position, then, if those hold less than a page, through the trigram index of
    migration 0011 from where the walk ended.

    PostgreSQL estimates a pattern's matches from its trigrams alone, so a common pattern whose trigrams are in
    every path looked rare to it and it read the trigram index's candidates across the table (484 ms at 2.4M
    files) where the path index finds a page in a few thousand entries. The walk is one statement: the window of
    SEARCH_WALK rows (LIMIT), each marked with whether it matches and its place; it stops at the page's last match,
    and the window's last row comes back too, matching or not, to say where the window ended.
    """
    rows, backwards = from_position(files, position), position.backwards
    order = "-path" if backwards else "path"
    window = rows.annotate(
        hit=ExpressionWrapper(Q(path__icontains=q), output_field=BooleanField()),
        walked=Window(RowNumber(), order_by=order),
    ).order_by(order)[:SEARCH_WALK]
    sql, params = window.query.sql_with_params()
    walked = list(
        ArchiveFile.objects.raw(
            f"SELECT * FROM ({sql}) AS window_rows WHERE hit OR walked = %s"
            f" ORDER BY path {'DESC' if backwards else 'ASC'} LIMIT %s",
            [*params, SEARCH_WALK, limit + 2],
        )
    )
    found = [row for row in walked if row.hit][: limit + 1]
    ended = next((row.path for row in walked if row.walked == SEARCH_WALK), None)
    if ended is not None and len(found) <= limit:
        beyond = rows.filter(path__lt=ended) if backwards else rows.filter(path__gt=ended)
        with scans_off("enable_seqscan", "enable_indexscan"):  # the trigram index: a walk could read all the rest
            found += beyond.filter(path__icontains=q).order_by(order)[: limit + 1 - len(found)]
    return paged(found, position=position, limit=limit)


def _mark_thumbnails(rows: list[ArchiveFile]) -> None:
    """Set `has_thumbnail` on a page's files with one query over their contents, never the version's."""
    contents = {file.sha256 for file in rows}
    made = Thumbnail.objects.filter(status=ThumbnailStatus.MADE, sha256__in=contents) if contents else None
    made = set(made.values_list("sha256", flat=True)) if made is not None else set()
    for file in rows:
        file.has_thumbnail = file.sha256 in made


@dataclass
class FileListing:
    """What a listing page shows at one folder: the folder, its subfolders, and one page of its files."""

    folder: Folder
    subfolders: KeysetPage
    files: KeysetPage
    q: str


def study_listing(
    *,
    version: StudyVersion,
    user,
    folder: str = "",
    q: str = "",
    position: Position = Position(),
    folders_position: Position = Position(),
    per_page: int,
) -> FileListing:
    """Return a version's listing at `folder` for the caller: the accession, reviewer and curators' pages use it.

    A search (`q`) finds files under the folder by name or path and lists no subfolders.
    StudyNotFound when the folder holds nothing the caller may see.
    """
    shown = folder_get(version=version, user=user, path=folder)
    subfolders = (
        KeysetPage() if q else subfolders_page(version=version, user=user, parent=folder, position=folders_position)
    )
    files = files_window(version=version, user=user, folder=folder, q=q, position=position, limit=per_page)
    return FileListing(folder=shown, subfolders=subfolders, files=files, q=q)
