from django.db import connection, transaction

from audit.addresses import client_ip
from audit.models import AccessLog


def record(request, action, what, *, rows=None, obj=None):
    """Logs that `request.user` viewed or exported `what` (`rows` rows, about `obj`)."""
    return AccessLog.objects.create(
        actor=request.user,
        role=request.user.role,
        action=action,
        what=str(what)[:255],
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        rows=rows,
        path=request.get_full_path()[:500],
        ip_address=client_ip(request),
    )


def access_log_purge(*, before):
    """Deletes the access-log rows written before `before` (the retention of
    ACCESS_LOG_RETENTION_DAYS); returns how many. On PostgreSQL the append-only trigger lets
    these rows, and only these, go for this transaction; the connection must be the tables'
    owner, since the app's role may not DELETE at all (docs/production.md, "Retention")."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('pbipemda.access_log_purge_before', %s, true)",
                    [before.isoformat()],
                )
        deleted, _ = AccessLog.objects.filter(at__lt=before).delete()
    return deleted
