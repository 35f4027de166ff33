"""The public statistics page: what the archive holds over time and how much it is used (COUNTER)."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from archive.selectors.statistics import archive_statistics


@require_safe
def statistics(request):
    """Studies, files and bytes released per month, the commonest organisms and imaging methods, and usage."""
    return render(request, "archive/statistics.html", {"statistics": archive_statistics()})
