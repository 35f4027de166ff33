from django.contrib import admin

from uploads.models import UploadArea, UploadFile


@admin.register(UploadArea)
class UploadAreaAdmin(admin.ModelAdmin):
    list_display = ["owner", "quota_bytes", "created_at"]
    search_fields = ["owner__username", "owner__email"]
    raw_id_fields = ["owner"]


@admin.register(UploadFile)
class UploadFileAdmin(admin.ModelAdmin):
    list_display = ["relative_path", "area", "size", "offset", "state", "uploaded_at", "expires_at"]
    list_filter = ["state"]
    search_fields = ["relative_path", "area__owner__username"]
    list_select_related = ["area__owner"]
    raw_id_fields = ["area"]
    readonly_fields = ["upload_id", "sha256", "storage_name"]
