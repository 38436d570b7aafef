"""*Menunggu Anda*: what waits for each user, gathered from the apps below for the home page
and the navigation's badges. Each selector asks accounts/permissions.py whether the user's role
has that work at all, counts rows through the app's scoped querysets (accounts/scoping.py) and
links to the list showing exactly those rows."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.http import urlencode

from accounts import permissions
from accounts.models import User
from feeds.waiting import findings_to_act_on
from instructions import reminders
from sktm.models import FormStatus, VerificationForm
from verification import waiting as proposals


@dataclass(frozen=True)
class Detail:
    """One line under an entry: a rejected person, an Instruksi period and its due date."""

    text: str
    url: str = ""
    note: str = ""


@dataclass(frozen=True)
class Entry:
    key: str
    label: str
    count: int
    url: str
    details: list[Detail] = field(default_factory=list)


def _url(name: str, **query) -> str:
    return reverse(name) + (f"?{urlencode(query)}" if query else "")


def sktm_forms_to_acknowledge(user: User) -> Entry | None:
    """Pasal 5 ayat (6): the Lurah signs off (mengetahui) the forms the operator submitted."""
    if not permissions.can_acknowledge_sktm_form(user):
        return None
    forms = VerificationForm.objects.visible_to(user).filter(status=FormStatus.SUBMITTED)
    return Entry(
        "sktm_acknowledge",
        "Formulir SKTM menunggu Mengetahui",
        forms.count(),
        _url("sktm:form_list", status=FormStatus.SUBMITTED),
    )


def sktm_forms_returned(user: User) -> Entry | None:
    """Forms the Lurah returned to the operator to correct."""
    if not permissions.can_correct_sktm_form(user):
        return None
    forms = VerificationForm.objects.visible_to(user).filter(status=FormStatus.RETURNED)
    return Entry(
        "sktm_returned",
        "Formulir SKTM dikembalikan untuk diperbaiki",
        forms.count(),
        _url("sktm:form_list", status=FormStatus.RETURNED),
    )


def proposals_returned(user: User) -> Entry | None:
    if not permissions.can_draft_proposal(user):
        return None
    return Entry(
        "usulan_returned",
        "Usulan dikembalikan Tim Verifikasi",
        proposals.proposals_returned(user).count(),
        _url("verification:proposal_list", menunggu="dikembalikan"),
    )


def proposals_to_send(user: User) -> Entry | None:
    if not permissions.can_submit_proposal(user):
        return None
    return Entry(
        "usulan_to_send",
        "Usulan menunggu dikirim",
        proposals.proposals_to_send(user).count(),
        _url("verification:proposal_list", menunggu="kirim"),
    )


def proposals_decided(user: User) -> Entry | None:
    """Usulan decided since the user last opened them, naming the people rejected and why."""
    if not permissions.can_draft_proposal(user):
        return None
    decided = list(proposals.proposals_decided_unseen(user).values_list("pk", flat=True))
    rejected = proposals.rejected_in(decided) if decided else []
    return Entry(
        "usulan_decided",
        "Usulan sudah diputuskan",
        len(decided),
        _url("verification:proposal_list", menunggu="diputuskan"),
        [
            Detail(
                f"{item.subject.name} ditolak",
                reverse("verification:proposal_detail", args=[item.proposal_id])
                + f"#item-{item.pk}",
                item.get_reason_display() + (f": {item.reason_text}" if item.reason_text else ""),
            )
            for item in rejected
        ],
    )


def proposals_to_decide(user: User) -> Entry | None:
    if not permissions.can_decide(user):
        return None
    return Entry(
        "usulan_to_decide",
        "Usulan menunggu keputusan Tim Verifikasi",
        proposals.proposals_to_decide(user).count(),
        _url("verification:proposal_list", status="submitted"),
    )


def removals_to_validate(user: User) -> Entry | None:
    if not permissions.can_validate_removal(user):
        return None
    return Entry(
        "removals",
        "Pengurangan menunggu validasi data kependudukan",
        proposals.removals_to_validate(user).count(),
        _url("verification:validation_queue"),
    )


def held_elsewhere(user: User) -> Entry | None:
    """SKTM applicants and Usulan items whose NIK or No. KK is recorded in another village."""
    if not permissions.can_decide(user):
        return None
    return Entry(
        "held",
        "Pemohon SKTM dan usulan tercatat di desa lain",
        VerificationForm.objects.visible_to(user).held().count()
        + proposals.items_held(user).count(),
        _url("verification:held_applicants"),
    )


def findings_waiting(user: User) -> Entry | None:
    """Cases the data feeds found that wait for this user's action (feeds/findings.py)."""
    if not permissions.can_read_findings(user):
        return None
    return Entry(
        "findings",
        "Temuan data kependudukan menunggu tindakan",
        findings_to_act_on(user).count(),
        _url("feeds:finding_list"),
    )


def reports_to_review(user: User) -> Entry | None:
    """Diktum KEDELAPAN BELAS b: village reports go to the Bupati through their Camat. Each
    report is listed in the Instruksi card below (instructions/_reminders.html)."""
    if not permissions.can_review_report(user):
        return None
    return Entry(
        "instruction_reviews",
        "Laporan desa menunggu telaah",
        reminders.awaiting_review(user).count(),
        _url("instructions:list"),
    )


def instruction_periods_due(user: User) -> Entry | None:
    """The started periods of the addressee's Instruksi without a submitted report; each is
    listed with its due date in the Instruksi card below."""
    if not permissions.can_read_instructions(user):
        return None
    return Entry(
        "instruction_periods",
        "Laporan Instruksi Bupati yang harus dibuat",
        len(reminders.open_periods(user)),
        _url("instructions:list"),
    )


SELECTORS: list[Callable[[User], Entry | None]] = [
    sktm_forms_to_acknowledge,
    sktm_forms_returned,
    proposals_to_send,
    proposals_returned,
    proposals_decided,
    proposals_to_decide,
    removals_to_validate,
    held_elsewhere,
    findings_waiting,
    reports_to_review,
    instruction_periods_due,
]


def entries_for(user: User) -> list[Entry]:
    """What waits for the user, each entry with something in it."""
    if not user.is_authenticated:
        return []
    entries = (selector(user) for selector in SELECTORS)
    return [entry for entry in entries if entry is not None and entry.count]


def badge(*selectors: Callable[[User], Entry | None]) -> Callable[[User], int]:
    """A navigation badge: the sum of these selectors' counts for the user."""

    def count(user: User) -> int:
        entries = (selector(user) for selector in selectors)
        return sum(entry.count for entry in entries if entry is not None)

    return count
