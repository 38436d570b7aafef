from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

import audit
from accounts import two_factor
from accounts.models import AuthenticatorDevice, RecoveryCode, User


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


@admin.register(AuthenticatorDevice)
class AuthenticatorDeviceAdmin(admin.ModelAdmin):
    """An admin resets a user's second step (a lost phone) by deleting the device; the user
    links a new one at the next login. The secret is never shown."""

    list_display = ["user", "confirmed_at", "failures", "locked_until"]
    search_fields = ["user__username"]
    fields = ["user", "confirmed_at", "failures", "locked_until"]
    readonly_fields = ["user", "confirmed_at", "failures", "locked_until"]
    actions = ["lift_lock"]

    @admin.action(description="Buka kunci verifikasi dua langkah")
    def lift_lock(self, request, queryset):
        for device in queryset.select_related("user"):
            two_factor.lock_lift(user=device.user)
            audit.record(
                request,
                audit.UNLOCK,
                f"Kunci langkah kedua {device.user.username} dibuka",
                obj=device.user,
            )
        self.message_user(request, f"Kunci {queryset.count()} akun dibuka.")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        RecoveryCode.objects.filter(user=obj.user).delete()
        super().delete_model(request, obj)
