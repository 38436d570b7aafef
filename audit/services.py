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
