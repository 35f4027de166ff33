"""Keyset pages of a list ordered by one unique text key (a path): every page costs what the first does.

A page starts after a key, before one, at the end (`last`) or at the start; it reads `limit` + 1 rows
along the key's index from there, the extra one saying that more follow. The archive's file and folder
listings, the files step and the upload page page this way.
"""

from dataclasses import dataclass, field

from django import forms
from django.db.models import QuerySet


@dataclass(frozen=True)
class Position:
    """Where a page starts: after a key, before one, the last page, or (all empty) the first."""

    after: str = ""
    before: str = ""
    last: bool = False

    @property
    def backwards(self) -> bool:
        """Whether the page is read from its end (by key, descending)."""
        return bool(self.before) or self.last


class PositionForm(forms.Form):
    """A page's position as a URL gives it (`after`, `before`, `last`; a form prefix for a second list)."""

    after = forms.CharField(required=False, max_length=4096, strip=False, widget=forms.HiddenInput)
    before = forms.CharField(required=False, max_length=4096, strip=False, widget=forms.HiddenInput)
    last = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def position(self) -> Position:
        """Where the page starts; the first page when the form is invalid."""
        data = self.cleaned_data if self.is_valid() else {}
        return Position(after=data.get("after", ""), before=data.get("before", ""), last=data.get("last", False))


@dataclass
class KeysetPage:
    """One page of rows in key order, and whether pages lie before and after it."""

    rows: list = field(default_factory=list)
    has_previous: bool = False
    has_next: bool = False
    key: str = "path"

    @property
    def first_path(self) -> str:
        return getattr(self.rows[0], self.key) if self.rows else ""

    @property
    def last_path(self) -> str:
        return getattr(self.rows[-1], self.key) if self.rows else ""


def from_position(rows: QuerySet, position: Position, *, key: str = "path") -> QuerySet:
    """The rows on the page's side of its position."""
    if position.after:
        return rows.filter(**{f"{key}__gt": position.after})
    if position.before:
        return rows.filter(**{f"{key}__lt": position.before})
    return rows


def keyset_page(rows: QuerySet, *, position: Position, limit: int, key: str = "path") -> KeysetPage:
    """Read `limit` + 1 rows from the position on along the key's index, so the last page costs what the first does."""
    order = f"-{key}" if position.backwards else key
    found = list(from_position(rows, position, key=key).order_by(order)[: limit + 1])
    return paged(found, position=position, limit=limit, key=key)


def paged(found: list, *, position: Position, limit: int, key: str = "path") -> KeysetPage:
    """The page of up to `limit` + 1 rows read from the position on (the extra one says that more follow)."""
    more, found = len(found) > limit, found[:limit]
    if position.backwards:
        found.reverse()
        return KeysetPage(found, has_previous=more, has_next=bool(position.before), key=key)
    return KeysetPage(found, has_previous=bool(position.after), has_next=more, key=key)
