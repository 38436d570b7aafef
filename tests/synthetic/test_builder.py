import io
from collections import defaultdict

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from enrollment.models import Kind, LedgerEntry, Participation
from enrollment.participation import active_people
from people.models import Person
from people.nik import parse_nik
from sktm.models import Letter
from verification.models import Decision, Proposal, ProposalItem, ProposalStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def built():
    out = io.StringIO()
    call_command(
        "build_synthetic_kabupaten", residents=3000, participants=400, months=6, stdout=out
    )
    return out.getvalue()


def test_the_synthetic_kabupaten_obeys_the_rules_of_the_real_one(built):
    assert Person.objects.count() == 3000
    # Every village has residents; every NIK parses, with the sex its day says.
    assert Person.objects.values("household__village").distinct().count() == 88
    for nik, sex in Person.objects.values_list("nik", "sex")[:500]:
        assert parse_nik(nik).sex == sex
    # The ledger alternates per person and removals are validated.
    kinds = defaultdict(list)
    for person, kind, validated in LedgerEntry.objects.values_list(
        "person", "kind", "validated_by"
    ).order_by("person", "sequence"):
        kinds[person].append(kind)
        assert (kind == Kind.REMOVAL) == bool(validated)
    assert all(k in ([Kind.ADDITION], [Kind.ADDITION, Kind.REMOVAL]) for k in kinds.values())
    # The projection says what the ledger says.
    today = timezone.localdate()
    active = set(active_people(today).values_list("pk", flat=True))
    assert set(Participation.objects.active_on(today).values_list("person", flat=True)) == active
    assert 300 <= len(active) <= 440
    # Every non-opening change came through a closed Usulan, approved, pointing at its entry.
    items = ProposalItem.objects.filter(proposal__status=ProposalStatus.CLOSED)
    assert items.filter(decision=Decision.APPROVED, ledger_entry__isnull=False).count() == (
        items.count()
    )
    assert items.count() == LedgerEntry.objects.exclude(ground="opening").count()
    # Ground c.2 additions rest on a letter of the person's village.
    for letter in Letter.objects.select_related("person__household")[:50]:
        assert letter.village_id == letter.person.household.village_id
    assert Proposal.objects.filter(status=ProposalStatus.SUBMITTED).count() == 88
    assert "total" in built


def test_it_refuses_a_database_with_residents(built):
    with pytest.raises(CommandError, match="sudah berisi penduduk"):
        call_command(
            "build_synthetic_kabupaten", residents=10, participants=1, stdout=io.StringIO()
        )
