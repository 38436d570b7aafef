from django.contrib import admin

from enrollment.models import LedgerEntry
from pbipemda.admin import ReadOnlyAdmin


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    """Entries are written by the enrollment services and never changed."""

    list_display = ["person", "sequence", "kind", "ground", "effective_month", "recorded_at"]
    list_filter = ["kind", "ground", "effective_month"]
    list_select_related = ["person"]
    search_fields = ["person__nik", "person__name"]
