"""The participant's BPJS record: an append-only history written by bpjs_record."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.utils import DatabaseError

from bpjs import services
from bpjs.models import Pisa, Record, Source, Status, pisa_of
from people.models import Relationship
from tests.builders import resident
from tests.factories import faskes

pytestmark = pytest.mark.django_db

CARD = "0001234567890"
TODAY = datetime.date.today


def write(actor, person, **fields):
    return services.bpjs_record(
        actor=actor, person=person, source_date=fields.pop("source_date", TODAY()), **fields
    )


@pytest.mark.parametrize(
    ("relationship", "pisa"),
    [
        (Relationship.HEAD, Pisa.MEMBER),
        (Relationship.HUSBAND, Pisa.HUSBAND),
        (Relationship.WIFE, Pisa.WIFE),
        (Relationship.CHILD, Pisa.CHILD),
        (Relationship.GRANDCHILD, Pisa.ADDITIONAL),
        (Relationship.PARENT_IN_LAW, Pisa.ADDITIONAL),
        (None, None),
    ],
)
def test_pisa_follows_the_shdk(relationship, pisa):
    assert pisa_of(relationship) == pisa


def test_a_record_is_appended_with_pisa_from_the_shdk(verifier):
    person = resident()
    person.relationship = Relationship.WIFE
    person.save()
    first = write(verifier, person, status=Status.SENT)
    second = write(
        verifier,
        person,
        status=Status.ACTIVE,
        card_number=CARD,
        tmt=datetime.date(2026, 1, 1),
        faskes=faskes(),
    )
    assert list(Record.objects.filter(person=person)) == [second, first]
    assert second.pisa == Pisa.WIFE and not second.is_pisa_override
    assert second.source == Source.TEAM and second.recorded_by == verifier


def test_a_pisa_other_than_the_shdk_is_an_override(verifier):
    person = resident()
    person.relationship = Relationship.HEAD
    person.save()
    record = write(verifier, person, status=Status.SENT, pisa=Pisa.ADDITIONAL)
    assert record.pisa == Pisa.ADDITIONAL and record.is_pisa_override


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"card_number": "123"}, "13 digit"),
        ({"card_number": "000123456789X"}, "13 digit"),
        ({"card_number": "00012345678901"}, "13 digit"),
        ({"tmt": datetime.date(2013, 12, 1)}, "sebelum JKN"),
        ({"tmt": datetime.date(2099, 1, 1)}, "terlalu jauh"),
        ({"status": Status.ACTIVE, "card_number": CARD}, "No. Kartu JKN dan TMT"),
        ({"status": Status.ACTIVE, "tmt": datetime.date(2026, 1, 1)}, "No. Kartu JKN dan TMT"),
        ({"source_date": datetime.date(2099, 1, 1)}, "masa depan"),
        ({"pisa": 7}, "PISA"),
        ({"status": "hilang"}, "Status BPJS"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(verifier, fields, message):
    person = resident()
    fields.setdefault("status", Status.SENT)
    with pytest.raises(ValidationError, match=message):
        write(verifier, person, **fields)
    assert not Record.objects.exists()


def test_a_tmt_before_birth_is_refused(verifier):
    person = resident()
    person.birth_date = datetime.date(2020, 5, 5)
    person.save()
    with pytest.raises(ValidationError, match="sebelum tanggal lahir"):
        write(verifier, person, status=Status.SENT, tmt=datetime.date(2019, 1, 1))


def test_a_faskes_of_another_kabupaten_is_refused(verifier):
    other = faskes("33.13.01.2001")
    assert other is not None
    with pytest.raises(ValidationError, match="bukan faskes aktif"):
        write(verifier, resident(), status=Status.SENT, faskes=other)


def test_one_card_belongs_to_one_person(verifier):
    write(verifier, resident(), status=Status.SENT, card_number=CARD)
    other = resident()
    with pytest.raises(ValidationError, match="sudah tercatat"):
        write(verifier, other, status=Status.SENT, card_number=CARD)
    assert not Record.objects.filter(person=other).exists()


@pytest.mark.parametrize("persona", ["operator_a", "lurah_a", "panewu_a", "dukcapil", "leadership"])
def test_only_the_team_records(persona, request):
    with pytest.raises(PermissionDenied):
        write(request.getfixturevalue(persona), resident(), status=Status.SENT)
    assert not Record.objects.exists()


def test_the_registration_source_is_left_to_the_sent_file(verifier):
    with pytest.raises(ValidationError, match="berkas registrasi"):
        write(verifier, resident(), status=Status.SENT, source=Source.REGISTRATION_FILE)


def test_the_model_refuses_to_change_a_record(verifier):
    record = write(verifier, resident(), status=Status.SENT)
    record.note = "diubah"
    with pytest.raises(TypeError):
        record.save()
    with pytest.raises(TypeError):
        record.delete()
    with pytest.raises(TypeError):
        Record.objects.filter(pk=record.pk).update(note="x")
    with pytest.raises(TypeError):
        Record.objects.filter(pk=record.pk).delete()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE bpjs_record SET note = 'diubah'",
        "DELETE FROM bpjs_record",
        "TRUNCATE bpjs_record CASCADE",
    ],
)
def test_the_database_refuses_to_change_a_record(verifier, statement):
    if "TRUNCATE" in statement and connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    if connection.vendor == "postgresql":
        # The rows just inserted leave deferred foreign-key checks, which TRUNCATE waits for.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    write(verifier, resident(), status=Status.SENT)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert Record.objects.count() == 1


def test_the_database_refuses_a_malformed_card(verifier):
    record = Record(
        person=resident(),
        card_number="123",
        status=Status.SENT,
        source=Source.TEAM,
        source_date=TODAY(),
        recorded_by=verifier,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        record.save()
