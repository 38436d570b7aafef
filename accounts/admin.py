from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import User


@admin.register(User)
class AccountAdmin(UserAdmin):
    list_display = ["username", "first_name", "role", "village", "district", "agency", "is_active"]
    list_filter = ["role", "is_active", "district", "agency"]
    list_select_related = ["village", "district", "agency"]
    search_fields = ["username", "first_name", "last_name", "email"]
    autocomplete_fields = ["village", "district", "agency"]
    fieldsets = [
        *UserAdmin.fieldsets,
        ("Peran dan wilayah", {"fields": ["role", "village", "district", "regency", "agency"]}),
    ]
    add_fieldsets = [
        *UserAdmin.add_fieldsets,
        ("Peran dan wilayah", {"fields": ["role", "village", "district", "regency", "agency"]}),
    ]
