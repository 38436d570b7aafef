from django.contrib import admin

from audit.admin import ReadOnlyAdmin, ReadOnlyAdminMixin
from instructions.models import Diktum, Instruction, Item, Report, ReportEvent, ReportLine


class DiktumInline(admin.TabularInline):
    model = Diktum
    extra = 0
    fields = ["position", "label", "intro", "is_reportable"]
    show_change_link = True


@admin.register(Instruction)
class InstructionAdmin(admin.ModelAdmin):
    """Another kabupaten's instruction is entered here (or loaded with `load_instruction`):
    the instruction, then each diktum with its lettered items."""

    list_display = ["__str__", "regency", "signed_on", "reporting_period", "is_active"]
    list_filter = ["regency", "is_active"]
    inlines = [DiktumInline]


class ItemInline(admin.StackedInline):
    model = Item
    extra = 0
    fields = [("position", "letter"), "text", ("addressee", "agency"), "figures", "figure_unit"]


@admin.register(Diktum)
class DiktumAdmin(admin.ModelAdmin):
    list_display = ["label", "instruction", "position", "is_reportable"]
    list_filter = ["instruction"]
    inlines = [ItemInline]


class LineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReportLine
    fields = ["item", "status", "narrative", "figure", "figure_unit"]


class EventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReportEvent
    fields = ["at", "actor", "from_status", "to_status", "note"]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    """Reports are written by their addressees through the services, never here."""

    list_display = ["__str__", "period_start", "status", "submitted_at", "delivered_at"]
    list_filter = ["instruction", "status", "period_start"]
    list_select_related = ["instruction", "agency", "district", "village"]
    inlines = [LineInline, EventInline]
