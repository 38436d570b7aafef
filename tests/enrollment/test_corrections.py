import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction

from enrollment import services
from enrollment.models import Ground, Kind, LedgerEntry
from enrollment.participation import active_people, is_active
from tests.builders import DTKS_EVIDENCE, FEB, JAN, MAR, add, remove
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
MOVED = {"evidence": {"destination": "Kota Semarang", "moved_on": "2026-03-01"}}


def correct(actor, entry, reason="Salah catat"):
    return services.entry_correct(actor=actor, entry=entry, reason=reason)


def test_a_wrong_addition_is_reversed_on_every_date(participant, verifier):
    wrong = LedgerEntry.objects.get()
    correction = correct(verifier, wrong)
    assert (correction.kind, correction.ground, correction.corrects) == (
        Kind.REMOVAL,
        Ground.CORRECTION,
        wrong,
    )
    assert (correction.effective_month, correction.sequence, correction.note) == (
        JAN,
        2,
        "Salah catat",
    )
    for on in (JAN, MAR, datetime.date(2030, 1, 1)):
        assert not is_active(participant, on)
    assert LedgerEntry.objects.count() == 2  # the wrong entry stays, reversed


def test_a_wrong_month_is_fixed_by_reversing_and_recording_again(resident, verifier):
    wrong = add(verifier, resident, Ground.DTKS, month=MAR, evidence=DTKS_EVIDENCE)
    correct(verifier, wrong, "Bulan berlaku seharusnya Januari")
    # Behind the reversed pair, an earlier month is allowed.
    add(verifier, resident, Ground.DTKS, month=JAN, evidence=DTKS_EVIDENCE)
    assert [is_active(resident, on) for on in (JAN, FEB, MAR)] == [True, True, True]
    assert not is_active(resident, datetime.date(2025, 12, 1))


def test_a_wrong_removal_is_reversed_and_the_participation_goes_on(participant, verifier):
    removal = remove(verifier, participant, Ground.MOVED_OUT, **MOVED)
    correction = correct(verifier, removal, "Ternyata tidak pindah")
    assert correction.kind == Kind.ADDITION and correction.validated_by == ""
    assert is_active(participant, MAR) and is_active(participant, FEB)
    assert participant.participation.since == JAN
    assert participant.participation.ground == Ground.DTKS
    # Still a participant: a second addition is refused, a removal is possible again.
    with pytest.raises(ValidationError, match="sudah menjadi peserta"):
        add(verifier, participant, Ground.DTKS, evidence=DTKS_EVIDENCE)
    remove(verifier, participant, Ground.MOVED_OUT, month=FEB, **MOVED)
    assert not is_active(participant, FEB) and is_active(participant, JAN)


def test_only_the_latest_entry_can_be_corrected(participant, verifier):
    first = LedgerEntry.objects.get()
    remove(verifier, participant, Ground.MOVED_OUT, **MOVED)
    with pytest.raises(ValidationError, match=r"Hanya mutasi terakhir .* \(#2\)"):
        correct(verifier, first)
    assert LedgerEntry.objects.count() == 2


def test_a_correction_cannot_be_corrected(participant, verifier):
    correction = correct(verifier, LedgerEntry.objects.get())
    with pytest.raises(ValidationError, match="tidak dapat dikoreksi lagi"):
        correct(verifier, correction)


def test_a_correction_needs_a_reason_and_a_recording_role(participant, verifier, operator_a):
    entry = LedgerEntry.objects.get()
    with pytest.raises(ValidationError, match="Alasan koreksi wajib"):
        correct(verifier, entry, "  ")
    with pytest.raises(PermissionDenied, match="Hanya Tim Verifikasi"):
        correct(operator_a, entry)
    assert LedgerEntry.objects.count() == 1


def test_the_database_refuses_a_correction_without_its_entry(participant, verifier):
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.create(
            person=participant,
            village=participant.household.village,
            sequence=2,
            kind=Kind.REMOVAL,
            ground=Ground.CORRECTION,
            effective_month=FEB,
            recorded_by=verifier,
        )


def test_months_still_cannot_go_back_past_a_binding_entry(participant, verifier):
    removal = remove(verifier, participant, Ground.MOVED_OUT, **MOVED)
    correct(verifier, removal)
    with pytest.raises(ValidationError, match=r"sebelum mutasi terakhir \(01-2026\)"):
        remove(verifier, participant, Ground.MOVED_OUT, month=datetime.date(2025, 12, 1), **MOVED)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE enrollment_ledgerentry SET note = 'diubah'",
        "DELETE FROM enrollment_ledgerentry",
    ],
)
def test_the_ledger_stays_append_only_after_the_constraint_changes(participant, sql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)


def test_an_opening_balance_imported_by_mistake_can_be_reversed(admin_user):
    person = PersonFactory()
    entry = services.participant_add(
        actor=admin_user, person=person, ground=Ground.OPENING, effective_month=JAN
    )
    correct(admin_user, entry, "Bukan peserta; salah impor")
    assert not active_people(MAR).filter(pk=person.pk).exists()


def test_the_person_page_shows_the_correction(client, participant, verifier):
    from django.urls import reverse

    correct(verifier, LedgerEntry.objects.get(), "Salah orang")
    client.force_login(verifier)
    page = client.get(reverse("enrollment:person_detail", args=[participant.pk])).content.decode()
    assert "Membatalkan mutasi #1" in page and "Salah orang" in page
    assert "Bukan peserta aktif" in page
