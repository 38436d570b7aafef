from django.contrib import admin

from people.models import Household, Person


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["number", "village", "dusun", "rt", "rw"]
    list_filter = ["village__district"]
    list_select_related = ["village"]
    search_fields = ["number"]
    autocomplete_fields = ["village"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["nik", "name", "household", "relationship", "sex"]
    list_filter = ["household__village__district", "sex"]
    list_select_related = ["household"]
    search_fields = ["nik", "name", "household__number"]
    autocomplete_fields = ["household"]
    readonly_fields = ["created_at", "updated_at"]
