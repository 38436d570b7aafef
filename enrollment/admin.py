from django.contrib import admin

from enrollment.models import LedgerEntry


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    """Read-only: entries are written by the enrollment services and never changed."""

    list_display = ["person", "sequence", "kind", "ground", "effective_month", "recorded_at"]
    list_filter = ["kind", "ground", "effective_month"]
    list_select_related = ["person"]
    search_fields = ["person__nik", "person__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
