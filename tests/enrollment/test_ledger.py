import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction

from enrollment.models import Ground, Kind, LedgerEntry
from enrollment.participation import active_people, is_active
from sktm import services as sktm_services
from tests.builders import DTKS_EVIDENCE, FEB, JAN, MAR, POOR_15, add, remove
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_dtks_addition_records_its_evidence(participant):
    entry = LedgerEntry.objects.get()
    assert (entry.kind, entry.ground, entry.sequence) == (Kind.ADDITION, Ground.DTKS, 1)
    assert entry.evidence["dtks_id"] == "DTSEN-3401-000123" and entry.evidence["desil"] == 2
    assert is_active(participant, JAN) and not is_active(participant, datetime.date(2025, 12, 31))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"desil": None}, "Desil DTSEN wajib"),
        ({"source": "BDT"}, "DTKS atau DTSEN"),
        ({"dtks_id": ""}, "Bukti belum lengkap: dtks_id"),
        ({"has_other_cover": True}, "jaminan kesehatan lain"),
        ({"checked_on": "kemarin"}, "Tanggal cek"),
    ],
)
def test_dtks_addition_refuses_an_unmet_condition(resident, verifier, change, message):
    with pytest.raises(ValidationError, match=message):
        add(verifier, resident, Ground.DTKS, evidence={**DTKS_EVIDENCE, **change})
    assert not LedgerEntry.objects.exists()


def test_domicile_under_six_months_is_refused(verifier):
    newcomer = PersonFactory(domicile_since=datetime.date(2025, 9, 2))
    with pytest.raises(ValidationError, match="kurang dari 6 bulan"):
        add(verifier, newcomer, Ground.DTKS, month=MAR, evidence=DTKS_EVIDENCE)
    # Exactly six months before the effective month is enough.
    settled = PersonFactory(domicile_since=datetime.date(2025, 9, 1))
    add(verifier, settled, Ground.DTKS, month=MAR, evidence=DTKS_EVIDENCE)


def test_a_person_already_active_is_refused(participant, verifier):
    with pytest.raises(ValidationError, match="sudah menjadi peserta PBI Pemda aktif"):
        add(verifier, participant, Ground.DTKS, evidence=DTKS_EVIDENCE)
    assert LedgerEntry.objects.count() == 1


def test_newborn_needs_an_active_mother(participant, verifier):
    baby = PersonFactory(household=participant.household, birth_date=datetime.date(2026, 1, 20))
    outsider = PersonFactory()
    with pytest.raises(ValidationError, match=f"Ibu \\(NIK {outsider.nik}\\) bukan peserta"):
        add(verifier, baby, Ground.NEWBORN, mother=outsider)
    entry = add(
        verifier,
        baby,
        Ground.NEWBORN,
        mother=participant,
        evidence={"birth_certificate": "3401-LU-1"},
    )
    assert entry.mother == participant and entry.evidence["birth_date"] == "2026-01-20"


def test_family_member_needs_an_active_member_of_the_same_kk(participant, verifier):
    sibling = PersonFactory(household=participant.household)
    stranger = PersonFactory()
    with pytest.raises(ValidationError, match="Tidak ada anggota KK"):
        add(verifier, stranger, Ground.FAMILY)
    with pytest.raises(ValidationError, match="jaminan kesehatan lain"):
        add(verifier, sibling, Ground.FAMILY, evidence={"has_other_cover": True})
    add(verifier, sibling, Ground.FAMILY)
    assert is_active(sibling, FEB)


def test_sktm_addition_needs_a_valid_letter_of_the_persons_village(operator_a, lurah_a, verifier):
    form = sktm_services.sktm_form_submit(actor=operator_a, data=POOR_15)
    form = sktm_services.sktm_form_acknowledge(actor=lurah_a, form=form)
    letter = sktm_services.letter_issue(actor=lurah_a, form=form)
    person = letter.person
    person.domicile_since = datetime.date(2019, 1, 1)
    person.save()
    with pytest.raises(ValidationError, match="tidak memiliki SKTM yang berlaku"):
        add(verifier, person, Ground.SKTM)
    sktm_services.letter_revoke(actor=lurah_a, letter=letter, reason="Salah data")
    with pytest.raises(ValidationError, match="tidak memiliki SKTM yang berlaku"):
        add(verifier, person, Ground.SKTM, letter=letter)
    assert not LedgerEntry.objects.exists()


def test_sktm_addition_with_a_valid_letter(operator_a, lurah_a, verifier):
    form = sktm_services.sktm_form_submit(actor=operator_a, data=POOR_15)
    form = sktm_services.sktm_form_acknowledge(actor=lurah_a, form=form)
    letter = sktm_services.letter_issue(actor=lurah_a, form=form)
    letter.person.domicile_since = datetime.date(2019, 1, 1)
    letter.person.save()
    entry = add(verifier, letter.person, Ground.SKTM, letter=letter, month=letter.issued_on)
    assert entry.letter == letter


def test_opening_balance_is_for_admins(resident, verifier, admin_user):
    with pytest.raises(PermissionDenied, match="Saldo awal"):
        add(verifier, resident, Ground.OPENING)
    assert add(admin_user, resident, Ground.OPENING).ground == Ground.OPENING


@pytest.mark.parametrize("persona_name", ["operator_a", "lurah_a", "dukcapil", "panewu_a"])
def test_only_dinsos_and_admin_record_the_ledger(request, resident, persona_name):
    with pytest.raises(PermissionDenied, match="Hanya Tim Verifikasi"):
        add(request.getfixturevalue(persona_name), resident, Ground.DTKS, evidence=DTKS_EVIDENCE)


@pytest.mark.parametrize(
    ("ground", "kwargs"),
    [
        (Ground.DIED, {"evidence": {"death_date": "2026-02-14", "death_certificate": "AKM-1"}}),
        (Ground.SEGMENT, {"evidence": {"segment": "ppu", "since": "2026-02-01"}}),
        (
            Ground.MOVED_OUT,
            {"evidence": {"destination": "Kota Semarang", "moved_on": "2026-02-20"}},
        ),
    ],
)
def test_removal_on_each_ground_ends_the_participation(participant, verifier, ground, kwargs):
    entry = remove(verifier, participant, ground, **kwargs)
    assert (entry.kind, entry.sequence, entry.validated_by) == (Kind.REMOVAL, 2, "dukcapil")
    assert is_active(participant, FEB) and not is_active(participant, MAR)
    assert list(active_people(FEB)) == [participant] and not active_people(MAR).exists()


def test_duplicate_removal_names_the_other_record(participant, verifier):
    other = PersonFactory()
    with pytest.raises(ValidationError, match="pasangan duplikasinya"):
        remove(verifier, participant, Ground.DUPLICATE)
    assert remove(verifier, participant, Ground.DUPLICATE, duplicate_of=other).duplicate_of == other


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"validated_by": ""}, "setelah validasi data kependudukan"),
        ({"validated_against": ""}, "setelah validasi data kependudukan"),
        ({"validated_on": datetime.date(2099, 1, 1)}, "masa depan"),
        ({"evidence": {"death_date": "2026-02-14"}}, "death_certificate"),
    ],
)
def test_removal_refuses_missing_validation_or_evidence(participant, verifier, change, message):
    kwargs = {"evidence": {"death_date": "2026-02-14", "death_certificate": "AKM-1"}, **change}
    with pytest.raises(ValidationError, match=message):
        remove(verifier, participant, Ground.DIED, **kwargs)
    assert LedgerEntry.objects.count() == 1


def test_removal_of_a_non_participant_and_backdating_are_refused(resident, participant, verifier):
    stranger = PersonFactory()
    with pytest.raises(ValidationError, match="bukan peserta PBI Pemda aktif"):
        remove(
            verifier,
            stranger,
            Ground.MOVED_OUT,
            evidence={"destination": "X", "moved_on": "2026-02-01"},
        )
    with pytest.raises(ValidationError, match="sebelum mutasi terakhir"):
        remove(
            verifier,
            participant,
            Ground.MOVED_OUT,
            month=datetime.date(2025, 12, 1),
            evidence={"destination": "X", "moved_on": "2025-12-01"},
        )


def test_a_removed_person_can_join_again_as_a_new_entry(participant, verifier):
    remove(
        verifier, participant, Ground.SEGMENT, evidence={"segment": "pbpu", "since": "2026-03-01"}
    )
    entry = add(
        verifier, participant, Ground.DTKS, month=datetime.date(2026, 6, 1), evidence=DTKS_EVIDENCE
    )
    assert entry.sequence == 3 and is_active(participant, datetime.date(2026, 6, 1))


def test_the_model_refuses_update_and_delete(participant):
    entry = LedgerEntry.objects.get()
    entry.note = "diubah"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        LedgerEntry.objects.all().update(note="x")
    with pytest.raises(TypeError):
        LedgerEntry.objects.all().delete()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE enrollment_ledgerentry SET note = 'diubah'",
        "DELETE FROM enrollment_ledgerentry",
    ],
)
def test_the_database_refuses_update_and_delete(participant, sql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert LedgerEntry.objects.get().note == ""


def test_the_database_refuses_a_second_active_participation(participant, verifier):
    # Bypassing the services: the alternation constraint refuses two additions in a row.
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.create(
            person=participant,
            village=participant.household.village,
            sequence=2,
            kind=Kind.ADDITION,
            ground=Ground.DTKS,
            effective_month=FEB,
            recorded_by=verifier,
        )
