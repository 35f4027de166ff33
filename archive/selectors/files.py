"""The files of a study version a caller may list or open, and their thumbnails."""

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from archive.models import ArchiveFile, FileStatus, Study, StudyVersion, Thumbnail, ThumbnailStatus
from archive.selectors.visibility import StudyNotFound
from core.roles import user_is_curator


def study_files(*, version: StudyVersion, user=None) -> QuerySet[ArchiveFile]:
    """Return the files of a version that are listed: removed files only for curators (P-REMOVE)."""
    files = version.files.all().order_by("path")
    if not user_is_curator(user):
        files = files.exclude(status=FileStatus.REMOVED)
    return files


def active_files_head(*, version: StudyVersion, limit: int) -> list[tuple[str, int]]:
    """(path, size) of a version's first `limit` + 1 active files by path, for what describes a small study's files
    one by one (JSON-LD's distribution, the signposts' items); more than `limit` of them means too many to."""
    return list(study_files(version=version).filter(status=FileStatus.ACTIVE).values_list("path", "size")[: limit + 1])


class FileGone(Exception):
    """The file was removed from the public record (P-REMOVE): answer 410."""

    def __init__(self, file: ArchiveFile):
        super().__init__(file.path)
        self.file = file


def study_file_get_visible(*, user, version: StudyVersion, path: str) -> ArchiveFile:
    """Return the file at `path` of a version the caller can see.

    Obsolete files are still public (P-OBSOLETE); removed ones raise FileGone
    except for curators (P-REMOVE); a missing one raises StudyNotFound.
    """
    file = version.files.filter(path=path).first()
    if file is None:
        raise StudyNotFound(path)
    if file.status == FileStatus.REMOVED and not user_is_curator(user):
        raise FileGone(file)
    return file


def file_attribute_columns(files: list[ArchiveFile]) -> list[str]:
    """Return the File List attribute names the given files carry, sorted regardless of case.

    Sorted rather than in the File List's order: stored attributes keep no column order (PostgreSQL's jsonb
    reorders keys), and a table's columns must not move between databases or pages.
    """
    return sorted({name for file in files for name in file.attributes}, key=lambda name: (name.casefold(), name))


# --- Thumbnails --------------------------------------------------------------------------


def _made_thumbnails() -> QuerySet[Thumbnail]:
    return Thumbnail.objects.filter(status=ThumbnailStatus.MADE)


def studies_with_thumbnail(studies: QuerySet[Study]) -> QuerySet[Study]:
    """Annotate each study with `thumbnail_path`: its newest version's first listed file with a thumbnail.

    Subqueries of the same query, so a list page reads its thumbnails without one
    more query per row (or at all). Removed files never lend their thumbnail.
    """
    newest = StudyVersion.objects.filter(study=OuterRef(OuterRef("pk"))).order_by("-number").values("pk")[:1]
    first = (
        ArchiveFile.objects.filter(version=Subquery(newest))
        .exclude(status=FileStatus.REMOVED)
        .filter(Exists(_made_thumbnails().filter(sha256=OuterRef("sha256"))))
        .order_by("path")
        .values("path")[:1]
    )
    return studies.annotate(thumbnail_path=Subquery(first))


def thumbnail_for_file(file: ArchiveFile) -> Thumbnail | None:
    """Return the made thumbnail of a visible file's content, or None while there is none."""
    return _made_thumbnails().filter(sha256=file.sha256).first()
