"""Fixity in the admin (P-INTEGRITY): reports of changed or missing objects, and every object's last check.

Both lists and every report are read-only views (no add, change or delete
permission); the only thing a curator does here is mark reports resolved, with
the list's action and a note of what was found and done. The job never repairs.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.utils.html import format_html

from core.errors import NotAllowed, PolicyViolation
from curation.admin.base import CuratorsReadOnlyAdmin
from curation.models import FixityCheck, FixityReport, FixityReportStatus
from curation.services.fixity import fixity_report_resolve


def _short_key(key: str) -> str:
    # Keys are 77 characters long: the list shows enough to tell them apart, the full key on hover.
    return format_html('<code title="{}">{}…</code>', key, key[:26])


class ResolveForm(forms.Form):
    note = forms.CharField(
        label="What was found and done",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Kept on the report and in the audit log with your name, e.g. “restored from the tape copy”.",
    )


@admin.action(description="Mark selected reports resolved")
def resolve_reports(modeladmin, request, queryset):
    form = ResolveForm(request.POST if "confirm" in request.POST else None)
    if form.is_valid():
        try:
            for report in queryset.filter(status=FixityReportStatus.OPEN):
                fixity_report_resolve(report=report, actor=request.user, note=form.cleaned_data["note"])
        except NotAllowed as refused:
            raise PermissionDenied(refused.message) from None
        except PolicyViolation as broken:
            form.add_error("note", broken.message)
        else:
            modeladmin.message_user(request, "The selected reports are resolved.", messages.SUCCESS)
            return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Resolve fixity reports",
        "opts": modeladmin.model._meta,
        "form": form,
        "reports": queryset.select_related("fixity"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "curation/fixity_resolve.html", context)


@admin.register(FixityReport)
class FixityReportAdmin(CuratorsReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["detected_at", "result", "status", "studies_display", "storage_key", "resolved_at"]
    list_filter = ["status", "result"]
    list_select_related = ["fixity"]
    search_fields = ["=fixity__storage_key", "=expected_sha256", "studies__icontains"]
    date_hierarchy = "detected_at"
    actions = [resolve_reports]
    fields = [
        "fixity",
        "result",
        "status",
        "detected_at",
        "expected_sha256",
        "expected_size",
        "observed_sha256",
        "observed_size",
        "studies",
        "resolved_at",
        "resolution_note",
    ]
    readonly_fields = fields

    @admin.display(description="storage key", ordering="fixity__storage_key")
    def storage_key(self, report):
        return _short_key(report.fixity.storage_key)

    @admin.display(description="studies")
    def studies_display(self, report):
        return ", ".join(report.studies) or "—"


@admin.register(FixityCheck)
class FixityCheckAdmin(CuratorsReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["key_display", "size_display", "last_result", "last_checked_at", "registered_at"]
    list_filter = ["last_result"]
    search_fields = ["=storage_key", "=sha256"]
    show_full_result_count = False  # one row per stored object: the archive may hold millions
    fields = ["storage_key", "sha256", "size", "registered_at", "last_checked_at", "last_result"]
    readonly_fields = fields

    @admin.display(description="storage key", ordering="storage_key")
    def key_display(self, check):
        return _short_key(check.storage_key)

    @admin.display(description="size", ordering="size")
    def size_display(self, check):
        return filesizeformat(check.size)
