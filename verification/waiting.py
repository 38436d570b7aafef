"""What waits for each role, counted for the badges of the navigation."""

from accounts.models import VILLAGE_ROLES, Role
from verification.models import Proposal, ProposalItem, ProposalStatus


def proposals(user):
    """Village staff: Usulan returned to them (and, for the Lurah, drafts to send); the Tim
    Verifikasi and admin: Usulan waiting for decisions."""
    visible = Proposal.objects.visible_to(user)
    if user.role in VILLAGE_ROLES:
        statuses = [ProposalStatus.RETURNED]
        if user.role == Role.VILLAGE_HEAD:
            visible = visible.exclude(status=ProposalStatus.DRAFT, items__isnull=True)
            statuses.append(ProposalStatus.DRAFT)
        return visible.filter(status__in=statuses).distinct().count()
    if user.role in (Role.VERIFIER, Role.ADMIN):
        return visible.waiting().count()
    return 0


def removals(user):
    return ProposalItem.objects.visible_to(user).awaiting_validation().count()
