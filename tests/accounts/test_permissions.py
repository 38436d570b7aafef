"""Each capability of accounts/permissions.py, answered for every persona: the table below is
the one statement of who may do what, object aside; the cases after it, of an object of
village A (Kalurahan Jangkaran, Kapanewon Temon)."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from accounts import permissions
from tests.builders import PERSONAS, VILLAGE_A
from tests.factories import UserFactory, agency, district, village

pytestmark = pytest.mark.django_db

VILLAGE_STAFF = {"operator_a", "lurah_a", "operator_b"}
TEAM = {"verifier", "admin_user"}
LURAH = {"lurah_a"}
OPERATORS = {"operator_a", "operator_b"}
EVERYONE = set(PERSONAS)

# Capability without an object -> the personas it allows. agency_staff is of Dinas Sosial.
ALLOWED = {
    permissions.is_two_factor_required: {*TEAM, "dukcapil"},
    permissions.can_see_full_identity: {*VILLAGE_STAFF, *TEAM, "dukcapil"},
    permissions.can_manage_master_data: {"admin_user"},
    permissions.can_export_subject_data: {"admin_user"},
    permissions.can_read_sktm: {*VILLAGE_STAFF, "panewu_a", *TEAM},
    permissions.can_fill_sktm_form: OPERATORS,
    permissions.can_correct_sktm_form: OPERATORS,
    permissions.can_acknowledge_sktm_form: LURAH,
    permissions.can_issue_letter: LURAH,
    permissions.can_revoke_letter: LURAH,
    permissions.can_read_residents: EVERYONE - {"agency_staff"},
    permissions.can_edit_residents: VILLAGE_STAFF,
    permissions.can_record_ledger: TEAM,
    permissions.can_record_removal: {*TEAM, "dukcapil"},
    permissions.can_move_household: {"admin_user", "dukcapil"},
    permissions.can_import_data: {"admin_user"},
    permissions.can_review_duplicates: TEAM,
    permissions.can_read_proposals: EVERYONE - {"dukcapil", "agency_staff"},
    permissions.can_draft_proposal: VILLAGE_STAFF,
    permissions.can_submit_proposal: LURAH,
    permissions.can_decide: TEAM,
    permissions.can_validate_removal: {*TEAM, "dukcapil"},
    permissions.is_population_registry: {"dukcapil"},
    permissions.can_export_lampiran_d: {*TEAM, "leadership", "panewu_a"},
    permissions.can_follow_jobs: EVERYONE - {"agency_staff"},
    permissions.can_work_bpjs: TEAM,
    permissions.can_read_bpjs: {*TEAM, "leadership", "agency_staff"},
    permissions.can_read_reconciliation: {
        *TEAM,
        "leadership",
        "agency_staff",
        *VILLAGE_STAFF,
        "panewu_a",
    },
    permissions.can_read_figures: EVERYONE,
    permissions.can_read_premium: {*TEAM, "leadership", "agency_staff"},
    permissions.can_read_reverification: EVERYONE - {"dukcapil", "agency_staff"},
    permissions.can_read_candidates: EVERYONE - {"dukcapil", "agency_staff"},
    permissions.can_record_reverification: {*VILLAGE_STAFF, *TEAM},
    permissions.can_read_instructions: EVERYONE - {"verifier", "dukcapil"},
    permissions.can_oversee_instructions: {"leadership", "admin_user"},
    permissions.can_read_instruction_overview: {"leadership", "admin_user", "panewu_a"},
    permissions.can_write_report: {*VILLAGE_STAFF, "panewu_a", "agency_staff"},
    permissions.can_submit_report: {"lurah_a", "panewu_a", "agency_staff"},
    permissions.can_review_report: {"panewu_a"},
    permissions.can_import_population_events: {"dukcapil", "admin_user"},
    permissions.can_read_findings: EVERYONE - {"agency_staff"},
    permissions.can_close_flag: {*VILLAGE_STAFF, *TEAM},
}


@pytest.mark.parametrize("capability", ALLOWED, ids=lambda capability: capability.__name__)
def test_each_capability_allows_its_roles_only(request, capability):
    allowed = {name for name in PERSONAS if capability(request.getfixturevalue(name))}
    assert allowed == ALLOWED[capability]


@pytest.mark.parametrize("capability", ALLOWED, ids=lambda capability: capability.__name__)
def test_an_anonymous_or_inactive_user_may_do_nothing(capability, admin_user):
    assert not capability(AnonymousUser())
    admin_user.is_active = False
    assert not capability(admin_user)


def test_every_capability_is_in_the_table():
    public = {
        value
        for name, value in vars(permissions).items()
        if name.startswith(("can_", "is_")) and callable(value)
    }
    # These answer for an object only: a report's routing depends on its addressee, a job
    # belongs to whoever started it.
    of_an_object = {
        permissions.can_submit_report_to_district,
        permissions.can_deliver_report,
        permissions.can_restart_job,
    }
    assert public == set(ALLOWED) | of_an_object


def test_only_its_owner_restarts_a_job(request):
    job = SimpleNamespace(created_by_id=request.getfixturevalue("verifier").pk)
    allowed = {
        name for name in PERSONAS if permissions.can_restart_job(request.getfixturevalue(name), job)
    }
    assert allowed == {"verifier"}


def test_only_dinsos_and_bkd_among_the_agencies_read_figures():
    finance = UserFactory(role="agency_staff", agency=agency("BKD"))
    others = UserFactory(role="agency_staff", agency=agency("Bappelitbang"))
    assert permissions.can_read_figures(finance) and permissions.can_read_premium(finance)
    assert not permissions.can_read_figures(others) and not permissions.can_read_premium(others)


@pytest.fixture
def of_a():
    """An object of village A, duck-typed: a capability reads only its keys."""
    village_a = village(VILLAGE_A)
    return SimpleNamespace(village_id=village_a.pk, pk=village_a.pk, village=village_a)


# Capability on an object of village A -> the personas it allows.
ON_OBJECT = {
    permissions.can_correct_sktm_form: {"operator_a"},
    permissions.can_acknowledge_sktm_form: LURAH,
    permissions.can_issue_letter: LURAH,
    permissions.can_revoke_letter: LURAH,
    permissions.can_edit_residents: {"operator_a", "lurah_a"},
    permissions.can_draft_proposal: {"operator_a", "lurah_a"},
    permissions.can_submit_proposal: LURAH,
    permissions.can_decide: TEAM,
    permissions.can_record_reverification: {"operator_a", "lurah_a", *TEAM},
}


@pytest.mark.parametrize("capability", ON_OBJECT, ids=lambda capability: capability.__name__)
def test_village_staff_act_on_their_own_village_only(request, capability, of_a):
    allowed = {name for name in PERSONAS if capability(request.getfixturevalue(name), of_a)}
    assert allowed == ON_OBJECT[capability]


def report(**addressee):
    keys = {"agency_id": None, "district_id": None, "village_id": None, "village": None}
    return SimpleNamespace(**(keys | addressee))


def test_a_report_is_written_by_its_addressee_and_routed_by_diktum_kedelapan_belas(
    request, of_a, agency_staff, panewu_a
):
    village_report = report(village_id=of_a.village_id, village=of_a.village)
    agency_report = report(agency_id=agency_staff.agency_id)
    district_report = report(district_id=panewu_a.district_id)

    def who(capability, obj):
        return {name for name in PERSONAS if capability(request.getfixturevalue(name), obj)}

    assert who(permissions.can_write_report, village_report) == {"operator_a", "lurah_a"}
    assert who(permissions.can_write_report, agency_report) == {"agency_staff"}
    assert who(permissions.can_write_report, district_report) == {"panewu_a"}
    assert who(permissions.can_submit_report, village_report) == LURAH
    assert who(permissions.can_submit_report_to_district, village_report) == LURAH
    assert who(permissions.can_submit_report_to_district, agency_report) == set()
    assert who(permissions.can_deliver_report, village_report) == set()
    assert who(permissions.can_deliver_report, agency_report) == {"agency_staff"}
    assert who(permissions.can_deliver_report, district_report) == {"panewu_a"}
    assert who(permissions.can_review_report, village_report) == {"panewu_a"}
    assert who(permissions.can_review_report, district_report) == set()


def test_the_camat_of_another_district_reviews_no_report_of_village_a(of_a):
    other = UserFactory(role="district_head", district=district("34.01.02"))
    village_report = report(village_id=of_a.village_id, village=of_a.village)
    assert permissions.can_review_report(other)
    assert not permissions.can_review_report(other, village_report)


def test_require_refuses_with_a_403_and_its_message():
    permissions.require(True)
    with pytest.raises(PermissionDenied, match="Hanya admin"):
        permissions.require(False, "Hanya admin.")
    with pytest.raises(PermissionDenied, match=permissions.REFUSAL):
        permissions.require(False)
