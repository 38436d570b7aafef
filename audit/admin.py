from django.contrib import admin

from accounts.admin import ReadOnlyAdmin
from audit.models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "role", "action", "what", "rows", "ip_address"]
    list_filter = ["action", "role", "at"]
    list_select_related = ["actor"]
    search_fields = ["actor__username", "what", "object_id", "path"]
    date_hierarchy = "at"
