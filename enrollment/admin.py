from django.contrib import admin

from audit.admin import ReadOnlyAdmin
from enrollment.models import LedgerEntry, RegistryRecord


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    """Entries are written by the enrollment services and never changed."""

    list_display = ["person", "sequence", "kind", "ground", "effective_month", "recorded_at"]
    list_filter = ["kind", "ground", "effective_month"]
    list_select_related = ["person"]
    search_fields = ["person__nik", "person__name"]


@admin.register(RegistryRecord)
class RegistryRecordAdmin(ReadOnlyAdmin):
    """Listings come from the DTKS/DTSEN import only."""

    list_display = ["nik", "name", "source", "registry_id", "desil", "data_period", "village"]
    list_filter = ["source", "data_period"]
    list_select_related = ["village"]
    search_fields = ["nik", "name", "registry_id"]
