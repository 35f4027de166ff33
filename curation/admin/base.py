"""What every curation admin shares: only curators (and superusers) open it."""

from core.roles import user_is_curator


class CuratorsOnlyAdmin:
    """Show a model admin to members of `curators` and superusers only, whatever their model permissions."""

    def has_module_permission(self, request):
        return user_is_curator(request.user)

    def has_view_permission(self, request, obj=None):
        return user_is_curator(request.user)


class CuratorsReadOnlyAdmin(CuratorsOnlyAdmin):
    """A curators-only admin that adds, changes and deletes nothing: its rows change only through the services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
