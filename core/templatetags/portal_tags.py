"""Display helpers every app's templates share; no reads, no rules."""

import datetime
from urllib.parse import urlencode

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def iso_datetime(value: datetime.date | datetime.datetime) -> str:
    """Format a date or time for a <time datetime> attribute: ISO 8601, a time to the second in the current zone.

    HTML allows at most three digits of a second's fraction, and no one reads them: they are dropped.
    """
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).replace(microsecond=0)
    return value.isoformat()


@register.inclusion_tag("includes/keyset_pager.html")
def keyset_pager(page, query: str = "", label: str = "", prefix: str = "") -> dict:
    """First, Previous, Next and Last of a keyset page (core/keyset.py), each link keeping `query` (the list's
    filters as a query string); `prefix` is the PositionForm's, with its dash, for a second list of the page."""

    def link(**cursor) -> str:
        return "?" + "&".join(part for part in (query, urlencode({prefix + k: v for k, v in cursor.items()})) if part)

    back, on = page.has_previous, page.has_next
    return {
        "first": link() if back else "",
        "previous": link(before=page.first_path) if back else "",
        "next": link(after=page.last_path) if on else "",
        "last": link(last=1) if on else "",
        "label": label,
    }
