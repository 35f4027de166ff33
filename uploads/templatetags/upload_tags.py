"""Display helpers for the upload page; no reads, no rules."""

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html

from core.templatetags.portal_tags import iso_datetime
from uploads.selectors import upload_days_left

register = template.Library()


@register.simple_tag
def deletion_notice(expires_at):
    """The deletion date and the days left, e.g. "12 Feb 2027 — 79 days left" (P-UPLOAD-RETENTION)."""
    days = upload_days_left(expires_at, now=timezone.now())
    # Under the e-mail warnings' days left (14, then 2), the date is shown as a warning, then as danger.
    warning_days, danger_days = settings.UPLOAD_WARNING_DAYS
    if days < danger_days:
        tone = "text-danger fw-semibold"
    elif days < warning_days:
        tone = "text-warning-emphasis fw-semibold"
    else:
        tone = "text-body-secondary"
    left = "due for deletion now" if days == 0 else f"{days} day{'s' if days != 1 else ''} left"
    local = timezone.localtime(expires_at)
    return format_html(
        '<time datetime="{}" title="{}">{}</time> <span class="{}">— {}</span>',
        iso_datetime(expires_at),
        local.strftime("%d %B %Y, %H:%M %Z"),
        local.strftime("%d %b %Y").lstrip("0"),
        tone,
        left,
    )


@register.filter
def folder_links(path: str) -> list[tuple[str, str]]:
    """The folders of `path`, each with the folder path that filters the table to it."""
    parts = path.split("/")[:-1]
    return [(part, "/".join(parts[: index + 1])) for index, part in enumerate(parts)]


@register.filter
def file_name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


@register.filter
def percent_of(part: int, whole: int) -> float:
    """`part` as a percentage of `whole`, for progress bars (0 when `whole` is 0)."""
    return round(100 * part / whole, 1) if whole else 0
