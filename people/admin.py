from django.contrib import admin

from audit.admin import ReadOnlyAdmin, ReadOnlyAdminMixin
from people.models import (
    Household,
    HouseholdChange,
    Person,
    PersonChange,
    PopulationEvent,
    PopulationExtract,
)


class ChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    """History is written with each change by the services, never edited by hand."""

    fields = ["changed_at", "field_label", "old_value", "new_value", "changed_by"]
    readonly_fields = fields

    @admin.display(description="kolom")
    def field_label(self, obj):
        return obj.field_label

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")


class HouseholdChangeInline(ChangeInline):
    model = HouseholdChange


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin):
    """Households change only through people.services.person_record (dusun, RT, RW, address)
    and enrollment.services.household_move (the village too), which keep the history and the
    participants' village."""

    list_display = ["number", "village", "dusun", "rt", "rw"]
    list_filter = ["village__district"]
    list_select_related = ["village"]
    search_fields = ["number"]
    autocomplete_fields = ["village"]
    inlines = [HouseholdChangeInline]


class PersonChangeInline(ChangeInline):
    model = PersonChange


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    """Residents change only through people.services.person_record, which keeps the history."""

    list_display = ["nik", "name", "household", "relationship", "sex"]
    list_filter = ["household__village__district", "sex"]
    list_select_related = ["household"]
    search_fields = ["nik", "name", "household__number"]
    autocomplete_fields = ["household"]
    inlines = [PersonChangeInline]


@admin.register(PopulationExtract)
class PopulationExtractAdmin(ReadOnlyAdmin):
    """What Dukcapil said, as it said it: imported by feeds.services.extract_import only."""

    list_display = ["period", "filename", "rows", "imported_by", "imported_at"]
    list_select_related = ["imported_by"]


@admin.register(PopulationEvent)
class PopulationEventAdmin(ReadOnlyAdmin):
    list_display = ["extract", "row_number", "kind", "nik", "occurred_on", "person"]
    list_filter = ["kind"]
    list_select_related = ["extract", "person"]
    search_fields = ["nik"]
    raw_id_fields = ["extract", "person"]
