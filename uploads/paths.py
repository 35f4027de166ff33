"""The one check of a path inside an upload area (tus `relativePath` metadata)."""

import unicodedata

from core.errors import PolicyViolation

PATH_RULE = "UPLOAD-PATH"
MAX_COMPONENT_BYTES = 255
MAX_PATH_BYTES = 4096


def _refuse(message: str):
    raise PolicyViolation(rule=PATH_RULE, field="relativePath", message=message)


def upload_path_validate(raw: str) -> str:
    """Return `raw` as a safe relative path in NFC, or raise PolicyViolation naming the broken rule."""
    if not isinstance(raw, str) or raw == "":
        _refuse("Give a relative path, e.g. images/cell_01.tif.")
    # Category Cc covers NUL, the C0 and C1 control characters and DEL.
    if any(unicodedata.category(char) == "Cc" for char in raw):
        _refuse("No NUL or control characters are allowed in a path.")
    try:
        raw.encode()
    except UnicodeEncodeError:
        _refuse("A path must be valid Unicode text.")
    if "\\" in raw:
        _refuse("Backslashes are not allowed in a path; separate folders with '/'.")
    path = unicodedata.normalize("NFC", raw)
    if path.startswith("/"):
        _refuse("Absolute paths are not allowed; give a path relative to the upload area.")
    components = path.split("/")
    if "" in components:
        _refuse("Empty path components are not allowed (no '//' and no trailing '/').")
    if ".." in components:
        _refuse("'..' is not allowed in a path.")
    if "." in components:
        _refuse("'.' is not allowed as a path component.")
    if any(len(component.encode()) > MAX_COMPONENT_BYTES for component in components):
        _refuse(f"Each path component may be at most {MAX_COMPONENT_BYTES} bytes (UTF-8).")
    if len(path.encode()) > MAX_PATH_BYTES:
        _refuse(f"A path may be at most {MAX_PATH_BYTES} bytes (UTF-8) in all.")
    return path
