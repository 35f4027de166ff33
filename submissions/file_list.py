"""File Lists: a TSV or CSV table with a `Files` column and free attribute columns (channel, plate, well...).

Parsing and the report are pure; `submissions.services.drafts.submission_file_list_check`
compares the rows with the submission's files and stores the result.
"""

import csv
import io
import unicodedata
from collections import Counter, defaultdict

from core.errors import PolicyViolation

FILE_LIST_RULE = "FILE-LIST"
FILES_COLUMN = "Files"
MAX_FILE_LIST_BYTES = 50 * 1024 * 1024
MAX_ATTRIBUTE_COLUMNS = 100


def _refuse(message: str) -> PolicyViolation:
    return PolicyViolation(rule=FILE_LIST_RULE, field="file_list", message=message)


def _rows(reader, name: str):
    """Yield the table's rows; a row the csv module cannot read is refused naming the File List and its line."""
    line_number = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            # On decoded text without NUL, read with newline="" and a non-strict dialect, the csv module's one
            # error is a cell over its field size limit.
            raise _refuse(
                f"Line {line_number} of the File List {name} has a cell of more than "
                f"{csv.field_size_limit():,} characters."
            ) from None
        yield row
        line_number += 1


def file_list_parse(*, name: str, content: bytes) -> tuple[list[str], dict[str, dict[str, str]]]:
    """Read a File List; return its attribute columns and, per file path, its attributes.

    TSV or CSV is told by the name's extension (.tsv/.txt or .csv), else by
    the first line. Paths are NFC-normalised and folder separators made `/`,
    as the upload area stores them.
    """
    if len(content) > MAX_FILE_LIST_BYTES:
        raise _refuse(f"A File List can be at most {MAX_FILE_LIST_BYTES // 1024**2} MB.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse("Save the File List as UTF-8 text.") from None
    if "\x00" in text:
        raise _refuse("The File List is not a text table.")
    lower = name.lower()
    first_line = text.split("\n", 1)[0]
    tab = lower.endswith((".tsv", ".txt")) or (not lower.endswith(".csv") and "\t" in first_line)
    rows_read = _rows(csv.reader(io.StringIO(text, newline=""), dialect=csv.excel_tab if tab else csv.excel), name)
    header = [column.strip() for column in next(rows_read, [])]
    if FILES_COLUMN not in header:
        raise _refuse(f"The File List needs a column headed “{FILES_COLUMN}” (found: {', '.join(header) or 'none'}).")
    attributes = [column for column in header if column != FILES_COLUMN]
    if len(attributes) > MAX_ATTRIBUTE_COLUMNS or len(set(header)) != len(header) or "" in attributes:
        raise _refuse("Give every column a distinct heading (at most 100 attribute columns).")
    files_at = header.index(FILES_COLUMN)
    rows: dict[str, dict[str, str]] = {}
    for line_number, row in enumerate(rows_read, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise _refuse(f"Line {line_number} has {len(row)} cells; the heading has {len(header)}.")
        path = unicodedata.normalize("NFC", row[files_at].strip().replace("\\", "/")).lstrip("/")
        if not path:
            raise _refuse(f"Line {line_number} names no file.")
        if path in rows:
            raise _refuse(f"Line {line_number} lists {path} a second time.")
        rows[path] = {column: cell.strip() for column, cell in zip(header, row, strict=True) if column != FILES_COLUMN}
    if not rows:
        raise _refuse("The File List has no rows.")
    return attributes, rows


def _top_folder_split(path: str) -> tuple[str, str]:
    """A path's top folder and the rest (no top folder: "" and the path)."""
    top, separator, rest = path.partition("/")
    return (top, rest) if separator else ("", path)


def path_suggestions(*, missing: list[str], extra: list[str]) -> dict[str, str]:
    """For rows naming no chosen file, the chosen file without a row each names once its top folder is added,
    removed or changed: row → file.

    Browser and command-line uploads start paths with the uploaded folder's
    name, and a File List written by hand often leaves it out (or names another
    one). Only a row with exactly one such file, which no other row would
    take, gets a suggestion: a guess between several files helps nobody.
    """
    unlisted = set(extra)
    by_rest: dict[str, list[str]] = defaultdict(list)  # a file's path without its top folder → the files
    for path in extra:
        top, rest = _top_folder_split(path)
        if top:
            by_rest[rest].append(path)
    found: dict[str, str] = {}
    for row in missing:
        top, rest = _top_folder_split(row)
        candidates = set(by_rest.get(row, ()))  # the row leaves out the file's top folder
        if top:
            candidates.update({rest} & unlisted)  # the row has a top folder the file lacks
            candidates.update(by_rest.get(rest, ()))  # the row names another top folder
        if len(candidates) == 1:
            found[row] = candidates.pop()
    taken = Counter(found.values())
    return {row: path for row, path in found.items() if taken[path] == 1}


def _top_folder_change(row: str, path: str) -> tuple[str, str]:
    """(the row's top folder, the file's top folder) where they differ; "" for a top folder one side lacks."""
    row_top, row_rest = _top_folder_split(row)
    path_top, path_rest = _top_folder_split(path)
    if path_rest == row:
        return "", path_top
    if row_rest == path:
        return row_top, ""
    return row_top, path_top


def path_hints(suggestions: dict[str, str]) -> list[str]:
    """One sentence for each top-folder change the suggestions make, most rows first, with an example."""
    changes: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row, path in sorted(suggestions.items()):
        changes[_top_folder_change(row, path)].append(path)
    hints = []
    for (row_top, path_top), paths in sorted(changes.items(), key=lambda change: -len(change[1])):
        rows = f"{len(paths)} row{'s match' if len(paths) != 1 else ' matches'} a chosen file"
        if not row_top:
            reason = f"Your File List's paths leave out the top folder “{path_top}” ({rows} with it)."
        elif not path_top:
            reason = (
                f"Your File List's paths start with a folder “{row_top}” that the chosen files' paths do not have "
                f"({rows} without it)."
            )
        else:
            reason = (
                f"Your File List's paths start with the folder “{row_top}” where the chosen files' paths have "
                f"“{path_top}” ({rows} with it)."
            )
        hints.append(f"Did you mean {paths[0]}? {reason}")
    return hints


def file_list_report_of(file_list: dict) -> dict:
    """What the submitter is shown of a stored File List check (no rows, which can be many).

    `missing` rows name files that are not chosen, `extra` files have no row,
    and `suggestions` (row → file) and `hints` say which chosen file a missing
    row meant when only the top folder differs.
    """
    report = {key: file_list.get(key, []) for key in ("name", "columns", "missing", "extra")}
    report["suggestions"] = path_suggestions(missing=report["missing"], extra=report["extra"])
    report["hints"] = path_hints(report["suggestions"])
    return report
