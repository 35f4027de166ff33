"""The curator dashboard, beside the model admin; the review queue and projects have their own packages."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from curation.dashboard import dashboard_figures
from curation.pages import admin_context, curator_required


@curator_required
@require_safe
def dashboard(request):
    return render(
        request, "curation/dashboard.html", admin_context(request, "Curator dashboard", **dashboard_figures())
    )
