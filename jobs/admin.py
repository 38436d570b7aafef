from django.contrib import admin

from audit.admin import ReadOnlyAdmin
from jobs.models import Job


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    """Jobs are written by their runner only."""

    list_display = ["pk", "kind", "status", "done", "total", "created_by", "created_at"]
    list_filter = ["status", "is_interrupted", "kind"]
    list_select_related = ["created_by"]
    exclude = ["result_file"]
