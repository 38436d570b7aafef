from django.contrib import admin

from audit.models import AccessLog
from pbipemda.admin import ReadOnlyAdmin


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "role", "action", "what", "rows", "ip_address"]
    list_filter = ["action", "role", "at"]
    list_select_related = ["actor"]
    search_fields = ["actor__username", "what", "object_id", "path"]
    date_hierarchy = "at"
