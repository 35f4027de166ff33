"""The `sha256sum -c` manifest of a study version: streamed in database order, at the database's own speed."""

from collections.abc import Iterator

from django.db import connection
from django.db.models import CharField, QuerySet, Value
from django.db.models.functions import Concat

from archive.models import ArchiveFile, FileStatus, StudyVersion
from archive.selectors.files import study_files

# Lines are sent in blocks of about this size: one write per block, not per file.
MANIFEST_BLOCK_BYTES = 256 * 1024


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

    On PostgreSQL the lines come from `COPY … TO STDOUT`, so a study of millions of files streams at
    close to COPY's own speed with flat memory; elsewhere rows are read in chunks.
    """
    files = downloadable_files(version=version, user=user, folder=folder)
    if connection.vendor == "postgresql":
        yield from _copied_blocks(files)
        return
    lines = (manifest_line(sha256, path) for sha256, path in files.values_list("sha256", "path").iterator(2000))
    yield from _blocks(line.encode() for line in lines)


def _copied_blocks(files: QuerySet[ArchiveFile]) -> Iterator[bytes]:
    lines = files.annotate(line=Concat("sha256", Value("  "), "path", output_field=CharField())).values_list("line")
    sql, params = lines.query.sql_with_params()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
        with raw.copy(f"COPY ({sql}) TO STDOUT", params) as copy:
            yield from _blocks(_manifest_row(row) for row in copy)


def _manifest_row(row) -> bytes:
    """One COPY text row as a manifest line: COPY escapes only backslashes and control characters."""
    row = bytes(row)
    if b"\\" not in row:
        return row
    sha256, _, path = row[:-1].decode().partition("  ")
    return manifest_line(sha256, _copy_unescaped(path)).encode()


_COPY_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}


def _copy_unescaped(text: str) -> str:
    out, chars = [], iter(text)
    for char in chars:
        out.append(_COPY_ESCAPES.get(next(chars, ""), "") if char == "\\" else char)
    return "".join(out)


def _blocks(pieces: Iterator[bytes]) -> Iterator[bytes]:
    block, size = [], 0
    for piece in pieces:
        block.append(piece)
        size += len(piece)
        if size >= MANIFEST_BLOCK_BYTES:
            yield b"".join(block)
            block, size = [], 0
    if block:
        yield b"".join(block)
