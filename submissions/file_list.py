"""File Lists: a TSV or CSV table with a `Files` column and free attribute columns (channel, plate, well...).

Parsing is pure; `submissions.services.drafts.submission_file_list_check`
compares the rows with the submission's files and stores the result.
"""

import csv
import io
import unicodedata

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
