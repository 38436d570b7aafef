"""What waits for each user in the Usulan: the selectors behind the lists of verification/views.py
and behind the home page's *Menunggu Anda* (pbipemda/waiting.py) and the navigation's badges,
so that a count and the list it links to are the same query."""

from django.db.models import CharField, Exists, OuterRef, QuerySet
from django.db.models.functions import Cast

from accounts import permissions
from accounts.models import User
from audit import VIEW
from audit.models import AccessLog
from verification.models import (
    OPEN_STATUSES,
    Decision,
    Proposal,
    ProposalItem,
    ProposalStatus,
)


def proposals_returned(user: User) -> QuerySet[Proposal]:
    """Usulan the Tim Verifikasi returned to the village, to correct and send again."""
    if not permissions.can_draft_proposal(user):
        return Proposal.objects.none()
    return Proposal.objects.visible_to(user).filter(status=ProposalStatus.RETURNED)


def proposals_to_send(user: User) -> QuerySet[Proposal]:
    """Drafts holding at least one person, for the Lurah to send (Pasal 5 ayat 9)."""
    if not permissions.can_submit_proposal(user):
        return Proposal.objects.none()
    holding = ProposalItem.objects.filter(proposal=OuterRef("pk"))
    return Proposal.objects.visible_to(user).filter(Exists(holding), status=ProposalStatus.DRAFT)


def proposals_decided_unseen(user: User) -> QuerySet[Proposal]:
    """The village's Usulan decided since this user last opened them. Opening an Usulan is
    already written to the access log (audit, UU 27/2022 Pasal 31); that record is the marker,
    so the page that shows the decisions is the one that clears them. Decisions older than the
    account are not news to it."""
    if not permissions.can_draft_proposal(user):
        return Proposal.objects.none()
    looked = AccessLog.objects.filter(
        actor=user,
        action=VIEW,
        object_type=Proposal._meta.label,
        object_id=Cast(OuterRef("pk"), CharField()),
        at__gte=OuterRef("closed_at"),
    )
    return (
        Proposal.objects.visible_to(user)
        .filter(status=ProposalStatus.CLOSED, closed_at__gte=user.date_joined)
        .exclude(Exists(looked))
    )


def rejected_in(proposals: QuerySet[Proposal]) -> QuerySet[ProposalItem]:
    """The people rejected in these Usulan, with the reason the village reads."""
    return (
        ProposalItem.objects.filter(proposal__in=proposals, decision=Decision.REJECTED)
        .select_related("person", "proposal__village")
        .order_by("proposal__month", "pk")
    )


def proposals_to_decide(user: User) -> QuerySet[Proposal]:
    """The Tim Verifikasi's queue: Usulan sent and not yet decided."""
    if not permissions.can_decide(user):
        return Proposal.objects.none()
    return Proposal.objects.visible_to(user).waiting()


def removals_to_validate(user: User) -> QuerySet[ProposalItem]:
    """Approved removals waiting for the population data's validation (Pasal 5 ayat 3)."""
    if not permissions.can_validate_removal(user):
        return ProposalItem.objects.none()
    return ProposalItem.objects.visible_to(user).awaiting_validation()


# The village's own Usulan list filtered to what waits: ?menunggu=<key>.
VILLAGE_FILTERS = {
    "dikembalikan": proposals_returned,
    "kirim": proposals_to_send,
    "diputuskan": proposals_decided_unseen,
}


def items_held(user: User) -> QuerySet[ProposalItem]:
    """Usulan items whose NIK or No. KK is recorded in another village, undecided, in Usulan
    still worked on: for the Tim Verifikasi to refuse or accept."""
    if not permissions.can_decide(user):
        return ProposalItem.objects.none()
    return ProposalItem.objects.visible_to(user).held().filter(proposal__status__in=OPEN_STATUSES)
