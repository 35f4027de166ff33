"""Pure folder arithmetic on file paths, for the folder-count service and the folder listings.

A folder's path ends with "/" ("raw/day 1/"); the root is "". Paths are compared as the database
orders them for file paths (bytewise, PostgreSQL's "C" collation and SQLite's BINARY alike).
"""


def folder_of(path: str) -> str:
    """Return the folder a file path lies in: "raw/day 1/a.tif" → "raw/day 1/", "a.tif" → ""."""
    return path[: path.rfind("/") + 1]


def parent_of(folder: str) -> str | None:
    """Return the folder enclosing a folder ("raw/day 1/" → "raw/", "raw/" → ""), None for the root."""
    return None if folder == "" else folder_of(folder[:-1])


def ancestors_of(folder: str) -> list[str]:
    """Return a folder and every folder above it, the root last."""
    chain = [folder]
    while (parent := parent_of(chain[-1])) is not None:
        chain.append(parent)
    return chain


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string above every string starting with a non-empty `prefix` that ends with "/"."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)
