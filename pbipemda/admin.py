from django.contrib import admin


class ReadOnlyAdminMixin:
    """For records written only by services (forms, letters, the ledger, residents and their
    history): the admin shows them but never adds, changes or deletes them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass
