"""Display helpers every app's templates share; no reads, no rules."""

import datetime

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
