"""Display helpers for archive pages; no reads, no rules."""

import datetime
import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# The characters that could end a <script> element or open a comment, as json_script escapes them.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def jsonld(value) -> str:
    """Serialise `value` for a <script type="application/ld+json"> element."""
    return mark_safe(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES))


@register.filter
def checksum_short(sha256: str) -> str:
    """What `truncatechars:13` shows of a checksum, its first 12 digits and "…", without that filter's cost in a
    table of 50 rows (it normalises the text and looks up a translation every time)."""
    return sha256 if len(sha256) <= 13 else sha256[:12] + "…"


@register.filter
def days_left(day: datetime.date) -> int:
    return (day - timezone.localdate()).days


@register.filter
def release_time_left(day: datetime.date) -> str:
    """How long until a confidential study's release date, in its largest unit, rounded: "in 3 months"."""
    today = timezone.localdate()
    if day <= today:
        return "due today"
    days = (day - today).days
    # Months up to two years (the usual bound of P-RELEASE-DATE), so "in 20 months" is not rounded to "in 2 years".
    for unit, length, from_days in (("year", 365, 730), ("month", 30, 30), ("week", 7, 7), ("day", 1, 1)):
        if days >= from_days:
            count = round(days / length)
            return f"in {count} {unit}{'' if count == 1 else 's'}"


@register.simple_tag
def licence_badge(licence):
    """A badge naming the licence by its SPDX id, linking to its text (P-LICENCE)."""
    return format_html(
        '<a class="badge rounded-pill text-bg-success licence-badge" href="{}" rel="license" title="{}">{}</a>',
        licence.url,
        licence.name,
        licence.spdx_id,
    )


@register.filter
def orcid_url(orcid: str) -> str:
    return f"https://orcid.org/{orcid}"


@register.simple_tag
def elided_pages(page_obj):
    """Page numbers around the current page, with ellipses (Paginator.ELLIPSIS) for the gaps."""
    return page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)
