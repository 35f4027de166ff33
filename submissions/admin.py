"""Submissions in the admin: records to read, never to edit.

Scope certifications, acknowledgements and release-date changes are append-only
(P-SCOPE, P-DISCLOSURE, P-RELEASE-DATE), and submissions change state only
through the services, so every admin here is view-only.
"""

from django.contrib import admin

from submissions.models import DisclosureAcknowledgement, ScopeCertification, Submission


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ScopeCertificationInline(admin.TabularInline):
    """Every scope certification of the submission, oldest first: the last one is in force (P-SCOPE)."""

    model = ScopeCertification
    fields = ["number", "form_version", "outcome", "answers", "certified_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["id", "owner", "kind", "state", "release_date", "created_at", "submitted_at"]
    list_filter = ["state", "kind"]
    search_fields = ["owner__username", "study__accession"]
    list_select_related = ["owner"]
    inlines = [ScopeCertificationInline]


@admin.register(ScopeCertification)
class ScopeCertificationAdmin(ReadOnlyAdmin):
    list_display = ["submission", "number", "form_version", "outcome", "certified_at"]
    list_filter = ["outcome", "form_version"]
    list_select_related = ["submission"]


@admin.register(DisclosureAcknowledgement)
class DisclosureAcknowledgementAdmin(ReadOnlyAdmin):
    list_display = ["submission", "public_disclosure", "right_to_submit", "acknowledged_at"]
    list_select_related = ["submission"]
