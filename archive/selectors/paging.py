"""One page of a long list, shared by search results and file listings."""

from collections.abc import Sequence

from archive.models import Study


class CountedPage(Sequence):
    """One page of rows that also knows the total number of results, for Django's Paginator.

    `more` says that the results go on beyond `total`, where counting stopped.
    """

    def __init__(self, rows: list[Study], *, total: int, start: int, more: bool = False):
        self.rows, self.total, self.start, self.more = rows, total, start, more

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.start != self.start:
            raise IndexError("CountedPage holds one page; ask the paginator for that page only.")
        return self.rows


# No list has rows this far; beyond it a page's OFFSET would overflow the database's 64-bit integer
# (PostgreSQL's bigint, SQLite's INTEGER), whatever number the URL carries.
MAX_PAGE_NUMBER = 10**9


def page_window(page: int, per_page: int) -> tuple[int, int]:
    """Return the start and stop offsets of page `page` (counted from 1), the page kept within 1..MAX_PAGE_NUMBER."""
    page = min(max(page, 1), MAX_PAGE_NUMBER)
    return (page - 1) * per_page, page * per_page
