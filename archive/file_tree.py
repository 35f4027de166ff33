"""Pure folder arithmetic on file paths, for the folder-count service and the folder listings.

A folder's path ends with "/" ("raw/day 1/"); the root is "". Paths are compared as the database
orders them for file paths (bytewise, PostgreSQL's "C" collation and SQLite's BINARY alike).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass


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


@dataclass
class FolderTotals:
    """What lies under one folder, at any depth: listed files, and removed ones apart (P-REMOVE)."""

    files_count: int = 0
    total_size: int = 0
    removed_count: int = 0
    removed_size: int = 0

    def add(self, *, count: int, size: int, removed: bool) -> None:
        if removed:
            self.removed_count += count
            self.removed_size += size
        else:
            self.files_count += count
            self.total_size += size


def folder_totals(direct: Iterable[tuple[str, bool, int, int]]) -> dict[str, FolderTotals]:
    """Roll `(folder, removed, count, size)` rows of files directly in a folder up into every folder above them.

    The root ("") is always there, so an empty version still has its totals.
    """
    totals: dict[str, FolderTotals] = defaultdict(FolderTotals)
    totals[""] = FolderTotals()
    for folder, removed, count, size in direct:
        for ancestor in ancestors_of(folder):
            totals[ancestor].add(count=count, size=size or 0, removed=removed)
    return dict(totals)


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string above every string starting with a non-empty `prefix` that ends with "/"."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)
