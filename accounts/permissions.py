"""Who may DO what: one function per capability, each citing the rule it encodes.

Services enforce them (`require`, a PermissionDenied the user sees as a 403 page); views,
templates (through the views' `can_*` flags), the navigation and its badges ask the same
functions. Nothing else compares a user's role. Who SEES which rows is accounts/scoping.py:
an object outside the user's area is a 404 before any capability is asked.

A capability that takes an object answers for that object; given none, it answers whether the
user may do it at all, as a link or a list needs before an object is chosen. Capabilities speak
of roles and of the user's own village or district; a rule about the object's state (a form
already acknowledged, an Usulan already sent) is the service's ValidationError, not a refusal.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Model

from accounts.models import Role, User
from regions.models import Village

REFUSAL = "Anda tidak berwenang melakukan tindakan ini."

_VILLAGE_STAFF = {Role.OPERATOR, Role.VILLAGE_HEAD}
# Pasal 5 ayat (5): the Tim Verifikasi set up by the Bupati (Dinas Sosial); admins act for it.
_TEAM = {Role.VERIFIER, Role.ADMIN}
# Figures that name no one (counts, the premium the kabupaten owes) are also read by the
# agencies that plan and pay for the programme: Dinas Sosial and Badan Keuangan Daerah.
_FIGURE_AGENCIES = ("Dinsos", "BKD")


def require(allowed: bool, message: str = REFUSAL) -> None:
    """Refuses a role: a 403 page with `message`."""
    if not allowed:
        raise PermissionDenied(message)


def _has_role(user: User, roles: set[Role]) -> bool:
    return user.is_authenticated and user.is_active and user.role in roles


def _of_village(user: User, village_id: int | None) -> bool:
    """Village staff act for their own village only (DESIGN.md, who uses it)."""
    return _has_role(user, _VILLAGE_STAFF) and (village_id is None or user.village_id == village_id)


def _village_id_of(obj: Model | None) -> int | None:
    return None if obj is None else obj.village_id


# Accounts


def is_two_factor_required(user: User) -> bool:
    """The Tim Verifikasi, Dukcapil and admins write the ledger and validate the population data
    of the whole kabupaten: their login needs an authenticator's code after the password."""
    return user.is_active and (user.is_superuser or _has_role(user, {*_TEAM, Role.DUKCAPIL}))


def can_see_full_identity(user: User) -> bool:
    """Roles that work on residents one by one see NIK and No. KK in full; oversight roles (the
    Panewu/Camat, the Sekda/Bupati, agency staff) see them masked (UU 27/2022 Pasal 16 ayat 2:
    processing limited to its purpose)."""
    return _has_role(user, {*_VILLAGE_STAFF, *_TEAM, Role.DUKCAPIL})


def can_manage_master_data(user: User) -> bool:
    """Users, regions, faskes, UMK, premium rates, agencies: the admin's Django admin site."""
    return _has_role(user, {Role.ADMIN}) and user.is_staff


def can_export_subject_data(user: User) -> bool:
    """Everything held about one person, for that person's request (UU 27/2022 Pasal 7): the
    admin, who answers for the controller; no other role sees every app's data."""
    return _has_role(user, {Role.ADMIN})


# SKTM: Pasal 5 ayat (6)-(8), Lampiran A-C


def can_read_sktm(user: User) -> bool:
    """The forms and letters: the village that makes them, its Panewu/Camat who oversees it,
    the Tim Verifikasi that checks them behind ground c.2 (Pasal 5 ayat 4 c.2), admins."""
    return _has_role(user, {*_VILLAGE_STAFF, Role.DISTRICT_HEAD, *_TEAM})


def can_fill_sktm_form(user: User) -> bool:
    """The operator enters the applicant's Formulir Verifikasi (Pasal 5 ayat 6, Lampiran A)."""
    return _has_role(user, {Role.OPERATOR})


def can_correct_sktm_form(user: User, form: Model | None = None) -> bool:
    """The operator of the form's village corrects a form its Lurah returned."""
    return can_fill_sktm_form(user) and _of_village(user, _village_id_of(form))


def can_acknowledge_sktm_form(user: User, form: Model | None = None) -> bool:
    """The form is "diketahui Lurah" (Pasal 5 ayat 6): the Lurah of its village acknowledges,
    returns or closes it as not poor."""
    return _has_role(user, {Role.VILLAGE_HEAD}) and _of_village(user, _village_id_of(form))


def can_issue_letter(user: User, form: Model | None = None) -> bool:
    """The form is the Lurah's ground to issue the SKTM (Pasal 5 ayat 8, Lampiran C): the Lurah
    of the form's village."""
    return can_acknowledge_sktm_form(user, form)


def can_revoke_letter(user: User, letter: Model | None = None) -> bool:
    """The Lurah who may issue a village's letters is the one who revokes them."""
    return _has_role(user, {Role.VILLAGE_HEAD}) and _of_village(user, _village_id_of(letter))


# People and the ledger: Pasal 5


def can_read_residents(user: User) -> bool:
    """Everyone whose area holds villages: their residents, participants and faskes. Agency
    staff work on the Instruksi's items, not on residents (DESIGN.md, who uses it)."""
    return _has_role(
        user, {*_VILLAGE_STAFF, Role.DISTRICT_HEAD, *_TEAM, Role.DUKCAPIL, Role.LEADERSHIP}
    )


def can_edit_residents(user: User, village: Village | None = None) -> bool:
    """Village staff record their own village's residents and households (DESIGN.md)."""
    return _of_village(user, None if village is None else village.pk)


def can_record_ledger(user: User) -> bool:
    """Pasal 5 ayat (5): additions enter the ledger after the Tim Verifikasi's verification."""
    return _has_role(user, _TEAM)


def can_record_removal(user: User) -> bool:
    """Pasal 5 ayat (3): a removal is recorded once the population data is validated, which
    Dukcapil may do as well as the Tim Verifikasi."""
    return _has_role(user, {*_TEAM, Role.DUKCAPIL})


def can_move_household(user: User) -> bool:
    """A KK moving to another village crosses two villages' scopes: Dukcapil, who records moves
    (its extract applies them), or the admin as Dukcapil's data says (DESIGN.md)."""
    return _has_role(user, {Role.ADMIN, Role.DUKCAPIL})


def can_import_data(user: User) -> bool:
    """Kabupaten-wide imports (the opening balance of participants, DTKS/DTSEN extracts) are
    the admin's (DESIGN.md, who uses it)."""
    return _has_role(user, {Role.ADMIN})


def can_review_duplicates(user: User) -> bool:
    """Suspected duplicates are the Tim Verifikasi's to resolve by a removal on ground b
    (Pasal 5 ayat 2 b)."""
    return _has_role(user, _TEAM)


# The Usulan: Pasal 5 ayat (2)-(5), (9), Lampiran D


def can_read_proposals(user: User) -> bool:
    """The village's own Usulan; the queue for its Panewu/Camat, the Tim Verifikasi, the
    Sekda/Bupati and admins."""
    return _has_role(user, {*_VILLAGE_STAFF, Role.DISTRICT_HEAD, *_TEAM, Role.LEADERSHIP})


def can_draft_proposal(user: User, village: Village | None = None) -> bool:
    """Village staff draft their own village's Usulan (Pasal 5 ayat 9: "usulan ... oleh
    Lurah"; the operator prepares it)."""
    return _of_village(user, None if village is None else village.pk)


def can_submit_proposal(user: User, proposal: Model | None = None) -> bool:
    """Pasal 5 ayat (9): the Lurah sends the Usulan to the Kepala Dinas Sosial."""
    return _has_role(user, {Role.VILLAGE_HEAD}) and _of_village(user, _village_id_of(proposal))


def can_decide(user: User, proposal: Model | None = None) -> bool:
    """Pasal 5 ayat (5): the Tim Verifikasi decides each proposed person, returns an Usulan,
    and records the removals it finds itself. Its area is the kabupaten: the caller loads the
    Usulan through its scope."""
    return _has_role(user, _TEAM)


def can_validate_removal(user: User) -> bool:
    """Pasal 5 ayat (3): the population data behind a removal is validated by Dukcapil, or by
    Dinas Sosial (the Tim Verifikasi; admins act for it)."""
    return _has_role(user, {*_TEAM, Role.DUKCAPIL})


def is_population_registry(user: User) -> bool:
    """Dukcapil's own staff: a validation they record is Dukcapil's, anyone else's is Dinas
    Sosial's (Pasal 5 ayat 3)."""
    return _has_role(user, {Role.DUKCAPIL})


def can_export_lampiran_d(user: User) -> bool:
    """Lampiran D of a month across a kapanewon or the kabupaten: the Tim Verifikasi, the
    Sekda/Bupati, the Panewu/Camat for its kapanewon, admins. Dukcapil and agency staff work
    on no Usulan."""
    return _has_role(user, {*_TEAM, Role.LEADERSHIP, Role.DISTRICT_HEAD})


def can_follow_jobs(user: User) -> bool:
    """Those who may start background work (the roster export, Lampiran D, the imports) follow
    it on Pekerjaan saya; each sees its own jobs (accounts/scoping.py)."""
    return can_read_residents(user) or can_import_data(user) or can_export_lampiran_d(user)


def can_restart_job(user: User, job) -> bool:
    """Only its owner starts a job again: its parameters were chosen within the owner's scope,
    and it runs as the owner."""
    return user.is_authenticated and user.is_active and job.created_by_id == user.pk


# BPJS Kesehatan: the registration for e-Dabu and what BPJS says (DESIGN.md, beyond the
# regulation)


def can_work_bpjs(user: User) -> bool:
    """The Tim Verifikasi hands the approved participants to BPJS Kesehatan and records what
    BPJS says of them; admins act for it."""
    return _has_role(user, _TEAM)


def can_read_bpjs(user: User) -> bool:
    """Who is registered and billed is read by those who pay and answer for the bill: the Tim
    Verifikasi, Dinas Sosial and Badan Keuangan Daerah, the Sekda/Bupati, admins (the same
    readers as the premium)."""
    return can_read_premium(user)


def can_read_reconciliation(user: User) -> bool:
    """The month's reconciliation of the bill (issue 17 §5): the readers of BPJS data, and the
    Panewu/Camat and the village who see their own area's discrepancies."""
    return can_read_bpjs(user) or _has_role(user, {*_VILLAGE_STAFF, Role.DISTRICT_HEAD})


# Oversight: Instruksi KELIMA b and the figures


def can_read_figures(user: User) -> bool:
    """Figures of the user's own area: every role whose area holds villages, and of the
    agencies those that plan and pay for the programme (FIGURE_AGENCIES)."""
    if _has_role(user, {Role.AGENCY_STAFF}):
        return user.agency.short_name in _FIGURE_AGENCIES
    return user.is_authenticated and user.is_active


def can_read_premium(user: User) -> bool:
    """The premium the kabupaten owes: Dinas Sosial (the Tim Verifikasi and its staff), Badan
    Keuangan Daerah, the Sekda/Bupati and admins."""
    return _has_role(user, {*_TEAM, Role.LEADERSHIP, Role.AGENCY_STAFF}) and can_read_figures(user)


def can_read_reverification(user: User) -> bool:
    """The lists of participants due for re-verification name people: the villages, their
    Panewu/Camat, the Tim Verifikasi (Instruksi KELIMA b), the Sekda/Bupati, admins."""
    return _has_role(user, {*_VILLAGE_STAFF, Role.DISTRICT_HEAD, *_TEAM, Role.LEADERSHIP})


def can_read_candidates(user: User) -> bool:
    """The calon usulan from DTSEN (Instruksi KELIMA c and e) name residents: read by those who
    read the re-verification lists."""
    return can_read_reverification(user)


def can_record_reverification(user: User, village: Village | None = None) -> bool:
    """Instruksi KELIMA b: Dinas Sosial re-verifies every participant at least every three
    months; village staff record it for their own village, the Tim Verifikasi for any village
    of its area (loaded through its scope)."""
    return can_draft_proposal(user, village) or _has_role(user, _TEAM)


# The Instruksi Bupati: addressees and the routing of reports (diktum KEDELAPAN BELAS)


def can_read_instructions(user: User) -> bool:
    """Its addressees (agencies, Camat, Kepala Desa/Lurah and their operators) and those who
    oversee it."""
    return _has_role(user, {*_VILLAGE_STAFF, Role.DISTRICT_HEAD, Role.AGENCY_STAFF}) or (
        can_oversee_instructions(user)
    )


def can_oversee_instructions(user: User) -> bool:
    """Diktum KEDELAPAN BELAS a: agencies and Camat report to the Bupati through the Sekda,
    who reads every report of the kabupaten; admins too."""
    return _has_role(user, {Role.LEADERSHIP, Role.ADMIN})


def can_read_instruction_overview(user: User) -> bool:
    """The overview of reports in and missing: the Sekda/Bupati and admins, and a Camat for
    its own villages (diktum KEDELAPAN BELAS b)."""
    return can_oversee_instructions(user) or can_review_report(user)


def can_write_report(user: User, report: Model | None = None) -> bool:
    """The addressee's own users fill its report: the agency's staff, the Camat, and in a
    village both the operator and the Kepala Desa/Lurah."""
    if report is None:
        return _has_role(user, {*_VILLAGE_STAFF, Role.DISTRICT_HEAD, Role.AGENCY_STAFF})
    if report.agency_id is not None:
        return _has_role(user, {Role.AGENCY_STAFF}) and user.agency_id == report.agency_id
    if report.district_id is not None:
        return _has_role(user, {Role.DISTRICT_HEAD}) and user.district_id == report.district_id
    return _of_village(user, report.village_id)


def can_submit_report(user: User, report: Model | None = None) -> bool:
    """Only the head files the report: the Kepala Desa/Lurah for a village (its operator
    prepares it)."""
    return can_write_report(user, report) and not _has_role(user, {Role.OPERATOR})


def can_submit_report_to_district(user: User, report: Model) -> bool:
    """Diktum KEDELAPAN BELAS b: a village's report goes to the Bupati through its Camat."""
    return report.village_id is not None and can_submit_report(user, report)


def can_deliver_report(user: User, report: Model) -> bool:
    """Diktum KEDELAPAN BELAS a: an agency's or a Camat's report goes to the Bupati through the
    Sekda; its submission is the delivery."""
    return report.village_id is None and can_submit_report(user, report)


def can_review_report(user: User, report: Model | None = None) -> bool:
    """Diktum KEDELAPAN BELAS b: the Camat/Panewu of the village's district accepts and
    forwards its reports, or returns them with a note."""
    if not _has_role(user, {Role.DISTRICT_HEAD}):
        return False
    return report is None or (
        report.village_id is not None and user.district_id == report.village.district_id
    )


# The outside feeds: Dukcapil's population events and the cases they find (issue 18)


def can_import_population_events(user: User) -> bool:
    """Instruksi KESEMBILAN: Dukcapil keeps the population data current; its extract of deaths,
    moves and NIK changes is imported by Dukcapil, or by the admin acting for it."""
    return _has_role(user, {Role.DUKCAPIL, Role.ADMIN})


def can_read_findings(user: User) -> bool:
    """The cases the feeds found name people: the villages (their own), their Panewu/Camat,
    the Tim Verifikasi who decides them, Dukcapil who sent the data, the Sekda/Bupati, admins."""
    return _has_role(
        user, {*_VILLAGE_STAFF, Role.DISTRICT_HEAD, *_TEAM, Role.DUKCAPIL, Role.LEADERSHIP}
    )


def can_close_flag(user: User, village: Village | None = None) -> bool:
    """A death flagged to a village (a proposed newborn's mother, an open Usulan or SKTM form)
    is the village's to deal with; the Tim Verifikasi may close it for any village."""
    return can_draft_proposal(user, village) or _has_role(user, _TEAM)
