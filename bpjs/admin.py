from django.contrib import admin

from bpjs.models import Record, RegistrationFile


@admin.register(Record)
class RecordAdmin(admin.ModelAdmin):
    """Read-only: the history is written by the services and never changed."""

    list_display = ["person", "status", "card_number", "tmt", "source", "source_date"]
    list_filter = ["status", "source"]
    raw_id_fields = ["person", "faskes", "registration_file", "recorded_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RegistrationFile)
class RegistrationFileAdmin(admin.ModelAdmin):
    list_display = ["month", "district", "created_by", "created_at", "sent_on"]
    readonly_fields = [f.name for f in RegistrationFile._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
