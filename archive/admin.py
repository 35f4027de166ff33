"""The curators' view of accessioned studies, versions and files.

Everything here is read-only: accessioning, new versions and status changes
go through archive.services (and the curation actions built on them), so the
admin never writes a rule of its own. Nothing can be deleted (P-PERMANENT).
Reviewer links are listed for oversight only; their owners make and revoke them.
"""

import json

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from archive.models import ArchiveFile, ReleaseDateChange, ReviewerLink, Study, StudyVersion

# Beyond this many files a version lists them on the paginated file changelist, not inline.
FILES_INLINE_LIMIT = 50


def _files_changelist_link(version: StudyVersion, count: int) -> str:
    url = reverse("admin:archive_archivefile_changelist") + f"?version__id__exact={version.pk}"
    return format_html('<a href="{}">{} file{}</a>', url, count, "" if count == 1 else "s")


class PermanentRecordAdmin(admin.ModelAdmin):
    """Records that only services create and that nobody deletes (P-PERMANENT).

    Withholding the delete permission also withdraws the "delete selected" action.
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StudyVersionInline(admin.TabularInline):
    model = StudyVersion
    fields = ["number", "created_at", "note", "files"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(files_total=Count("files"))

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="files")
    def files(self, version):
        return _files_changelist_link(version, version.files_total)


@admin.register(Study)
class StudyAdmin(PermanentRecordAdmin):
    list_display = [
        "accession",
        "title",
        "status",
        "searchable",
        "release_date",
        "licence",
        "owner",
        "files_count",
        "total_size",
    ]
    list_filter = ["status", "searchable", "licence", "organism", "imaging_method"]
    list_select_related = ["licence", "owner"]
    search_fields = ["=accession", "title", "authors_text"]
    date_hierarchy = "release_date"
    show_full_result_count = False  # skips a second COUNT(*) over the whole archive
    fieldsets = [
        (None, {"fields": ["accession", "number", "title", "owner", "licence", "source", "source_id", "created_at"]}),
        (
            "Status",
            {
                "fields": [
                    "status",
                    "searchable",
                    "release_date",
                    "released_at",
                    "status_reason",
                    "status_note",
                    "status_changed_at",
                ]
            },
        ),
        (
            "Newest version (copied for search)",
            {
                "fields": [
                    "description",
                    "authors_text",
                    "organism",
                    "imaging_method",
                    "keywords_text",
                    "files_count",
                    "total_size",
                ]
            },
        ),
    ]
    readonly_fields = [name for _, options in fieldsets for name in options["fields"]]
    inlines = [StudyVersionInline]


class ArchiveFileInline(admin.TabularInline):
    model = ArchiveFile
    fields = ["path", "size", "sha256", "status"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StudyVersion)
class StudyVersionAdmin(PermanentRecordAdmin):
    list_display = ["__str__", "study", "number", "created_at", "note"]
    list_select_related = ["study"]
    search_fields = ["=study__accession"]
    fields = ["study", "number", "created_at", "note", "files", "metadata_json"]
    readonly_fields = fields

    def get_inlines(self, request, obj):
        # A version with thousands of files would make one enormous page: link to the paginated list instead.
        if obj is not None and obj.files.count() <= FILES_INLINE_LIMIT:
            return [ArchiveFileInline]
        return []

    @admin.display(description="files")
    def files(self, version):
        return _files_changelist_link(version, version.files.count())

    @admin.display(description="metadata")
    def metadata_json(self, version):
        return format_html("<pre>{}</pre>", json.dumps(version.metadata, indent=2, ensure_ascii=False))


@admin.register(ArchiveFile)
class ArchiveFileAdmin(PermanentRecordAdmin):
    list_display = ["path", "version", "size", "sha256", "status"]
    list_filter = ["status"]
    list_select_related = ["version__study"]
    search_fields = ["path", "=sha256"]
    show_full_result_count = False
    fields = [
        "version",
        "path",
        "size",
        "sha256",
        "storage_key",
        "status",
        "status_reason",
        "status_changed_at",
        "attributes",
    ]
    readonly_fields = fields


@admin.register(ReviewerLink)
class ReviewerLinkAdmin(PermanentRecordAdmin):
    """Who opened which confidential study to reviewers, and how often it was used.

    Read-only even for curators, who hold change rights on the archive app: a link is
    made and revoked through archive.services, which check the study's manager. The token
    hash is never shown: it is the only thing that ties the database to a live link.
    """

    list_display = [
        "study_accession",
        "created_by",
        "created_at",
        "expires_at",
        "revoked_at",
        "anonymised",
        "access_count",
        "last_access_at",
    ]
    list_filter = ["anonymised"]
    list_select_related = ["study", "created_by"]
    search_fields = ["=study__accession"]
    show_full_result_count = False
    fields = [
        "study",
        "created_by",
        "created_at",
        "expires_at",
        "revoked_at",
        "anonymised",
        "access_count",
        "last_access_at",
    ]
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="study", ordering="study__accession")
    def study_accession(self, link):
        return link.study.accession


@admin.register(ReleaseDateChange)
class ReleaseDateChangeAdmin(PermanentRecordAdmin):
    """The append-only history of release-date changes (P-RELEASE-DATE): read it, never edit it."""

    list_display = ["study", "old_date", "new_date", "beyond_bound", "actor", "at", "reason"]
    list_filter = ["beyond_bound"]
    list_select_related = ["study", "actor"]
    search_fields = ["=study__accession", "reason"]
    date_hierarchy = "at"
    readonly_fields = ["study", "actor", "old_date", "new_date", "reason", "beyond_bound", "at"]

    def has_change_permission(self, request, obj=None):
        return False
