"""The `sha256sum -c` manifest of a study version: streamed in database order, at the database's own speed."""

from collections.abc import Iterator

from django.db import connection, transaction
from django.db.models import CharField, QuerySet, Value
from django.db.models.functions import Concat

from archive.models import ArchiveFile, FileStatus, StudyVersion
from archive.selectors.files import study_files

# Lines are sent in blocks of about this size: one write per block, not per file.
MANIFEST_BLOCK_BYTES = 256 * 1024
# Rows per fetch of the PostgreSQL cursor: Python then touches each fetch, not each row. (`COPY … TO STDOUT`
# hands rows to Python one at a time, which ran at half the speed of psql's own COPY at a million files.)
ROWS_PER_FETCH = 2000


def manifest_line(sha256: str, path: str) -> str:
    """One line in GNU coreutils' format; a name with a backslash or newline is escaped and the line marked "\\"."""
    if "\\" in path or "\n" in path:
        escaped = path.replace("\\", "\\\\").replace("\n", "\\n")
        return "\\" + sha256 + "  " + escaped + "\n"
    return f"{sha256}  {path}\n"


def downloadable_files(*, version: StudyVersion, user, folder: str = "") -> QuerySet[ArchiveFile]:
    """The files of `version` that `user` may download (never removed ones, P-REMOVE), under `folder` if given."""
    files = study_files(version=version, user=user).exclude(status=FileStatus.REMOVED)
    return files.filter(path__startswith=folder) if folder else files


def manifest_blocks(*, version: StudyVersion, user, folder: str = "") -> Iterator[bytes]:
    """Yield the manifest of the files of `version` (under `folder`) that `user` may download, as UTF-8 blocks.

    On PostgreSQL the lines are made by the database and read ROWS_PER_FETCH at a time from one server-side
    cursor (one snapshot, flat memory), so a study of millions of files streams at about the speed of `COPY`
    of the same columns; elsewhere rows are read in chunks.
    """
    files = downloadable_files(version=version, user=user, folder=folder)
    if connection.vendor == "postgresql":
        yield from _blocks(_fetched_pieces(files))
        return
    lines = (manifest_line(sha256, path) for sha256, path in files.values_list("sha256", "path").iterator(2000))
    yield from _blocks(line.encode() for line in lines)


def _fetched_pieces(files: QuerySet[ArchiveFile]) -> Iterator[bytes]:
    """The manifest's lines, a fetch at a time; a fetch holding a name with a backslash or newline is redone
    line by line, as GNU escapes them."""
    lines = files.annotate(line=Concat("sha256", Value("  "), "path", output_field=CharField()))
    sql, params = lines.values_list("line").query.sql_with_params()
    with transaction.atomic():  # a server-side cursor without WITH HOLD, which would copy every row first
        cursor = connection.chunked_cursor()
        try:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(ROWS_PER_FETCH):
                fetched = [row[0] for row in rows]
                piece = "\n".join(fetched)
                if "\\" in piece or piece.count("\n") != len(fetched) - 1:
                    piece = "".join(manifest_line(line[:64], line[66:]) for line in fetched)
                else:
                    piece += "\n"
                yield piece.encode()
        finally:
            cursor.close()


def _blocks(pieces: Iterator[bytes]) -> Iterator[bytes]:
    """The pieces' bytes cut into blocks of exactly MANIFEST_BLOCK_BYTES (the last one shorter), whatever their
    sizes: a line, or a whole fetch of lines."""
    pending = bytearray()
    for piece in pieces:
        pending += piece
        while len(pending) >= MANIFEST_BLOCK_BYTES:
            yield bytes(pending[:MANIFEST_BLOCK_BYTES])
            del pending[:MANIFEST_BLOCK_BYTES]
    if pending:
        yield bytes(pending)
