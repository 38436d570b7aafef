"""What waits for each user, counted for the badges of the navigation."""

from accounts import permissions
from accounts.models import User
from verification.models import Proposal, ProposalItem, ProposalStatus


def proposals(user: User) -> int:
    """Village staff: Usulan returned to them (and, for the Lurah, drafts to send); the Tim
    Verifikasi and admin: Usulan waiting for decisions."""
    visible = Proposal.objects.visible_to(user)
    if permissions.can_draft_proposal(user):
        statuses = [ProposalStatus.RETURNED]
        if permissions.can_submit_proposal(user):
            visible = visible.exclude(status=ProposalStatus.DRAFT, items__isnull=True)
            statuses.append(ProposalStatus.DRAFT)
        return visible.filter(status__in=statuses).distinct().count()
    if permissions.can_decide(user):
        return visible.waiting().count()
    return 0


def removals(user: User) -> int:
    return ProposalItem.objects.visible_to(user).awaiting_validation().count()
