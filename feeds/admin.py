from django.contrib import admin

from audit.admin import ReadOnlyAdmin
from feeds.models import Finding


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    """Cases change only through feeds.services, which go through the owning services."""

    list_display = ["month", "kind", "village", "person", "status", "decided_by"]
    list_filter = ["kind", "status", "month"]
    list_select_related = ["village", "person", "decided_by"]
    raw_id_fields = ["event", "person", "village", "proposal_item"]
