from django.contrib import admin

from licensing.models import Licence


@admin.register(Licence)
class LicenceAdmin(admin.ModelAdmin):
    list_display = ["spdx_id", "name", "url"]
    search_fields = ["spdx_id", "name"]

    def has_delete_permission(self, request, obj=None):
        # Studies point at licences; removing one would orphan the record (P-PERMANENT).
        return False
