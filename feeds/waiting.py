"""What waits for each user on the findings page, for the navigation's badge and the home
page's *Menunggu Anda*: the open cases of the kinds the user acts on, in the user's area."""

from django.db.models import QuerySet

from accounts import permissions
from accounts.models import User
from feeds.models import Finding, FindingKind, FindingStatus


def findings_to_act_on(user: User) -> QuerySet[Finding]:
    """Proposed removals for the Tim Verifikasi, deaths flagged to a village for its staff."""
    kinds = []
    if permissions.can_decide(user):
        kinds.append(FindingKind.REMOVAL)
    if permissions.can_draft_proposal(user):
        kinds.append(FindingKind.FLAG)
    return Finding.objects.visible_to(user).filter(kind__in=kinds, status=FindingStatus.OPEN)
