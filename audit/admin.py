from django.contrib import admin

from audit.models import AccessLog


class ReadOnlyAdminMixin:
    """For records written only by services (forms, letters, the ledger, residents and their
    history): the admin shows them but never adds, changes or deletes them. The access log is one;
    the admin of every app above shares it."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "role", "action", "what", "rows", "ip_address"]
    list_filter = ["action", "role", "at"]
    list_select_related = ["actor"]
    search_fields = ["actor__username", "what", "object_id", "path"]
    date_hierarchy = "at"
