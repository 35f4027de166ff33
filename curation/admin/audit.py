"""The audit log in the admin: filterable, searchable, and read-only for everyone (append-only)."""

import json

from django.contrib import admin
from django.utils.html import format_html

from core.models import CurationEvent
from curation.admin.base import CuratorsReadOnlyAdmin

AUDIT_FIELDS = ["at", "action", "target_type", "target_id", "study", "actor", "reason_category", "note", "data_json"]


class ReadOnlyAuditMixin(CuratorsReadOnlyAdmin):
    """No add, change or delete: the log only grows, through the services (the model refuses too)."""

    @admin.display(description="data")
    def data_json(self, event):
        if not event.data:
            return "—"
        return format_html("<pre>{}</pre>", json.dumps(event.data, indent=2, ensure_ascii=False))


class ReasonCategoryFilter(admin.AllValuesFieldListFilter):
    """The reason categories in the log; most actions give none, offered as "none" instead of an unnamed link."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            yield {**choice, "display": choice["display"] or "none"}


@admin.register(CurationEvent)
class CurationEventAdmin(ReadOnlyAuditMixin, admin.ModelAdmin):
    list_display = ["at", "action", "target_type", "target_id", "actor", "reason_category", "note"]
    list_filter = [
        "action",
        "target_type",
        ("reason_category", ReasonCategoryFilter),
        ("actor", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["actor"]
    search_fields = ["=target_id", "=study__accession"]
    search_help_text = "An accession (S-BIAD1), a version (“S-BIAD1 v2”) or a reviewer link id."
    date_hierarchy = "at"
    show_full_result_count = False
    fields = AUDIT_FIELDS
    readonly_fields = AUDIT_FIELDS


class CurationEventInline(ReadOnlyAuditMixin, admin.TabularInline):
    """A study's history on its change page, newest first."""

    model = CurationEvent
    fk_name = "study"
    verbose_name = "history entry"
    verbose_name_plural = "history (audit log)"
    fields = ["at", "action", "target_id", "actor", "reason_category", "note", "data_json"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-at", "-pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")
