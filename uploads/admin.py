"""Upload areas and files for staff (P-UPLOAD-PRIVATE: curators aside, nobody sees another's area).

Rows come from the staff selectors, annotated and joined so that a changelist
costs the same few queries for 5 rows or 100. Files are never edited by hand:
their sizes, offsets and deletion times are kept by the services. Deleting a
file goes through `upload_files_remove`, which removes its bytes before its row.
"""

from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from uploads.models import UploadArea, UploadFile
from uploads.selectors import upload_areas_for_staff, upload_days_left, upload_files_for_staff
from uploads.services.retention import upload_files_remove


@admin.register(UploadArea)
class UploadAreaAdmin(admin.ModelAdmin):
    list_display = ["owner", "usage_display", "files_count", "quota_display", "oldest_file_at", "next_deletion_at"]
    search_fields = ["owner__username", "owner__email"]
    fields = ["owner", "quota_bytes", "created_at"]
    readonly_fields = ["owner", "created_at"]

    def get_queryset(self, request):
        return upload_areas_for_staff()

    def has_add_permission(self, request):
        return False  # areas are made on their owner's first upload

    def has_delete_permission(self, request, obj=None):
        # Deleting an area would drop its file rows and leave their bytes behind; delete its files instead.
        return False

    @admin.display(description="usage", ordering="usage")
    def usage_display(self, area):
        return filesizeformat(area.usage)

    @admin.display(description="files", ordering="files_count")
    def files_count(self, area):
        return area.files_count

    @admin.display(description="quota", ordering="quota_bytes")
    def quota_display(self, area):
        return filesizeformat(area.quota_bytes)

    @admin.display(description="oldest file", ordering="oldest_file_at")
    def oldest_file_at(self, area):
        return area.oldest_file_at

    @admin.display(description="next deletion", ordering="next_deletion_at")
    def next_deletion_at(self, area):
        return area.next_deletion_at


@admin.register(UploadFile)
class UploadFileAdmin(admin.ModelAdmin):
    list_display = ["relative_path", "owner", "size_display", "state", "uploaded_at", "expires_at", "days_left"]
    list_filter = ["state"]
    search_fields = ["relative_path", "area__owner__username"]
    ordering = ["expires_at", "pk"]
    fields = [
        "area",
        "relative_path",
        "upload_id",
        "state",
        "size",
        "offset",
        "sha256",
        "created_at",
        "last_data_at",
        "uploaded_at",
        "expires_at",
        "warned_first_at",
        "warned_second_at",
        "storage_name",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return upload_files_for_staff()

    def has_add_permission(self, request):
        return False  # files arrive through tus

    @admin.display(description="owner", ordering="area__owner__username")
    def owner(self, upload):
        return upload.area.owner

    @admin.display(description="size", ordering="size")
    def size_display(self, upload):
        return filesizeformat(upload.size)

    @admin.display(description="days left", ordering="expires_at")
    def days_left(self, upload):
        return upload_days_left(upload.expires_at, now=timezone.now())

    def delete_model(self, request, obj):
        upload_files_remove(actor=request.user, pks=[obj.pk])

    def delete_queryset(self, request, queryset):
        upload_files_remove(actor=request.user, pks=list(queryset.values_list("pk", flat=True)))
