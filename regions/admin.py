from django.contrib import admin

from regions.models import (
    Agency,
    DesilThreshold,
    District,
    HealthFacility,
    MinimumWage,
    PremiumRate,
    Regency,
    Village,
)


@admin.register(Regency)
class RegencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "regency"]
    list_filter = ["regency"]
    search_fields = ["code", "name"]


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "district"]
    fields = ["district", "code", "name", "address", "logo"]
    list_filter = ["district__regency", "district"]
    list_select_related = ["district"]
    search_fields = ["code", "name"]


@admin.register(HealthFacility)
class HealthFacilityAdmin(admin.ModelAdmin):
    list_display = ["name", "district", "bpjs_code", "is_active", "source_note"]
    list_editable = ["bpjs_code", "is_active"]
    list_filter = ["district__regency", "is_active"]
    list_select_related = ["district"]
    search_fields = ["name", "bpjs_code"]
    autocomplete_fields = ["district"]


@admin.register(MinimumWage)
class MinimumWageAdmin(admin.ModelAdmin):
    list_display = ["regency", "year", "amount", "basis", "note"]
    list_filter = ["regency"]


@admin.register(PremiumRate)
class PremiumRateAdmin(admin.ModelAdmin):
    list_display = ["valid_from", "amount", "basis"]


@admin.register(DesilThreshold)
class DesilThresholdAdmin(admin.ModelAdmin):
    list_display = ["valid_from", "desil", "basis"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name"]
    search_fields = ["name", "short_name"]
