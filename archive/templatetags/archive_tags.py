"""Display helpers for archive pages; no reads, no rules."""

import datetime
import html
import json

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.serializers.json import DjangoJSONEncoder
from django.template.defaultfilters import filesizeformat
from django.template.loader import get_template
from django.utils import timezone
from django.utils.formats import localize
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


# The folder and file tables of templates/archive/includes/study_files.html write their rows here, as its loops
# would (the same markup and values), escaping with the standard library's html.escape (what Django's escape
# calls, without its checks for lazy strings): the template language costs 25-35 µs a row, a page lists up to
# 100 folders and 50 files, and what is left is mostly Django's localised number formatting.
_FOLDER_ROW = (
    '\n        <tr><td class="file-path"><a href="{}">{}/</a></td><td class="text-end">{}</td>'
    '<td class="text-end text-nowrap">{}</td></tr>\n        '
)
_FILE_ROW = (
    '\n        <tr>\n          <td class="file-path">{}{}{}</td>\n          {}\n'
    '          <td class="text-end text-nowrap" data-label="Size">{}</td>\n'
    '          <td class="d-none d-md-table-cell"><code class="checksum" title="{}">{}</code></td>\n'
    '          <td class="text-end"><a class="btn btn-sm btn-outline-primary" href="{}" download>Download'
    '<span class="visually-hidden"> {}</span></a></td>\n        </tr>\n        '
)
_STATUS_BADGES = {
    "obsolete": ' <span class="badge text-bg-warning">Obsolete</span>',
    "removed": ' <span class="badge text-bg-danger">Removed</span>',
}


def _escaped(value) -> str:
    return html.escape(str(value))


@register.simple_tag
def folder_rows(subfolders) -> str:
    """The rows of the folder table: (folder, its link) pairs."""
    return mark_safe(
        "".join(
            _FOLDER_ROW.format(
                _escaped(url),
                _escaped(sub.name),
                _escaped(intcomma(sub.files_count)),
                _escaped(filesizeformat(sub.total_size)),
            )
            for sub, url in subfolders
        )
    )


def _file_row(file, thumbnail) -> str:
    path = _escaped(file.path)
    values = "".join(
        f'<td data-label="{_escaped(name)}">{_escaped(localize(value))}</td>' for name, value in file.attribute_values
    )
    return _FILE_ROW.format(
        thumbnail.render({"src": file.thumbnail_url, "alt": file.path}) + " " if file.thumbnail_url else "",
        path,
        _STATUS_BADGES.get(file.status, ""),
        values,
        _escaped(filesizeformat(file.size)),
        _escaped(file.sha256),
        _escaped(checksum_short(file.sha256)),
        _escaped(file.download_url),
        path,
    )


@register.simple_tag
def file_rows(files) -> str:
    """The rows of the file table: files with a download_url, a thumbnail_url ("" for none) and attribute_values."""
    thumbnail = get_template("archive/includes/thumbnail.html")
    return mark_safe("".join(_file_row(file, thumbnail) for file in files))
