"""One re-verification per person and date, and the recap counts people, not records."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from oversight import recap, services
from oversight.areas import Area
from oversight.models import Outcome, Reverification
from tests.builders import VILLAGE_A, enrolled
from tests.factories import village

TODAY = timezone.localdate()
TITLE = "Verifikasi ulang peserta (Instruksi KELIMA b)"


def eligible(actor, person, checked_on=TODAY):
    return services.reverification_record(
        actor=actor, person=person, checked_on=checked_on, outcome=Outcome.ELIGIBLE
    )


@pytest.mark.django_db
def test_the_same_check_sent_twice_is_recorded_once(verifier):
    person = enrolled(verifier, month=datetime.date(2025, 1, 1))
    eligible(verifier, person)
    with pytest.raises(ValidationError, match="sudah dicatat"):
        eligible(verifier, person)
    assert person.reverifications.count() == 1


@pytest.mark.django_db
def test_the_bulk_form_sent_twice_records_each_person_once(verifier):
    people = [enrolled(verifier, VILLAGE_A, datetime.date(2025, 1, 1)) for _ in range(3)]
    arguments = {
        "actor": verifier,
        "village": people[0].household.village,
        "checked_on": TODAY,
    }
    assert services.village_reverify(people=[p.pk for p in people[:2]], **arguments) == 2
    assert services.village_reverify(people=[p.pk for p in people], **arguments) == 1
    assert Reverification.objects.count() == 3


@pytest.mark.django_db
def test_the_database_refuses_a_second_record_for_a_person_and_date(verifier):
    person = enrolled(verifier, month=datetime.date(2025, 1, 1))
    record = eligible(verifier, person)
    record.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        record.save()


@pytest.mark.django_db
def test_the_recap_counts_people_not_records(verifier):
    person = enrolled(verifier, month=datetime.date(2025, 1, 1))
    month = (TODAY.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    eligible(verifier, person, checked_on=month)
    eligible(verifier, person, checked_on=month + datetime.timedelta(days=14))
    sections = {s.title: s for s in recap.sections(Area(village(VILLAGE_A)), month)}
    assert sections[TITLE].rows[0] == [Outcome.ELIGIBLE.label, 1]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
def test_parallel_checks_of_one_person_are_recorded_once(committed_reference_data, verifier):
    person = enrolled(verifier, month=datetime.date(2025, 1, 1))
    barrier = threading.Barrier(4)
    outcomes = []

    def check():
        barrier.wait()
        try:
            eligible(verifier, person)
            outcomes.append("recorded")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=check) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["recorded", "refused", "refused", "refused"]
    assert Reverification.objects.filter(person=person).count() == 1
