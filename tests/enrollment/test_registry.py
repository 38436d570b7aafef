import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from enrollment import services
from enrollment.models import Ground, RegistryRecord
from tests.builders import DECLARATION, DTKS_EVIDENCE, JAN
from tests.builders import SAMPLE as PARTICIPANTS
from tests.builders import upload as upload_participants
from tests.factories import HouseholdFactory, PersonFactory, UserFactory, faskes, village

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "sample" / "dtks_contoh.csv"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(client, content, name="dtks.csv"):
    return client.post(
        reverse("enrollment:import_registry"),
        {"file": SimpleUploadedFile(name, content)},
        follow=True,
    )


def confirm(client, preview):
    return client.post(
        reverse("enrollment:import_registry_confirm"),
        {"job": preview.context["job"].pk},
        follow=True,
    )


def test_admin_previews_then_confirms_the_sample_extract(client, admin_user):
    client.force_login(admin_user)
    preview = upload(client, SAMPLE.read_bytes())
    result = preview.context["job"].result
    assert (result["to_add"], result["unchanged"], result["errors"]) == (5, 0, [])
    assert not RegistryRecord.objects.exists()
    assert "Impor selesai: 5 baris ditambahkan" in confirm(client, preview).content.decode()
    record = RegistryRecord.objects.get(nik="3401015712650009")
    assert (record.source, record.desil, record.data_period, record.imported_by) == (
        "DTSEN",
        2,
        datetime.date(2025, 11, 1),
        admin_user,
    )
    assert RegistryRecord.objects.get(source="DTKS").desil is None


def test_importing_the_same_extract_twice_changes_nothing(client, admin_user):
    client.force_login(admin_user)
    confirm(client, upload(client, SAMPLE.read_bytes()))
    again = upload(client, SAMPLE.read_bytes()).context["job"].result
    assert (again["to_add"], again["unchanged"], again["is_confirmable"]) == (0, 5, False)
    assert RegistryRecord.objects.count() == 5


def test_a_listing_changed_for_the_same_period_is_a_bad_row(client, admin_user):
    client.force_login(admin_user)
    confirm(client, upload(client, SAMPLE.read_bytes()))
    changed = SAMPLE.read_text().replace("34.01.01.2002,2,2025-11", "34.01.01.2002,4,2025-11")
    errors = upload(client, changed.encode()).context["job"].result["errors"]
    assert errors == [[4, "NIK ini sudah tercatat untuk sumber dan periode ini dengan data lain"]]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (("34.01.02.2001,3,", "33.13.01.2001,3,"), "tidak ada di kabupaten ini"),
        (("3401026506920011", "34010265069200X1"), "NIK harus 16 digit"),
        (("3401026506920011", "3401014502900007"), "NIK ganda dengan baris 2"),
        ((",3,2025-11", ",11,2025-11"), "desil 11 di luar 1 sampai 10"),
        ((",3,2025-11", ",,2025-11"), "desil wajib diisi untuk DTSEN"),
        (("DTSEN,DTSEN-3401-0000311", "BDT,DTSEN-3401-0000311"), "sumber BDT tidak dikenal"),
        ((",3,2025-11", ",3,Nov 2025"), "periode harus TTTT-BB"),
    ],
)
def test_a_bad_row_is_named_and_nothing_is_saved(client, admin_user, change, reason):
    client.force_login(admin_user)
    content = SAMPLE.read_text().replace(*change, 1).encode()
    result = upload(client, content).context["job"].result
    assert len(result["errors"]) == 1 and result["errors"][0][0] == 6
    assert reason in result["errors"][0][1] and not result["is_confirmable"]
    assert not RegistryRecord.objects.exists()


def test_the_service_writes_nothing_when_a_row_is_bad(admin_user, monkeypatch):
    import io

    from enrollment import imports
    from regions.models import Regency

    monkeypatch.setattr(imports, "BATCH_ROWS", 2)
    content = SAMPLE.read_text().replace(",3,2025-11", ",0,2025-11").encode()
    with pytest.raises(ValidationError, match="Baris 6: desil 0 di luar 1 sampai 10"):
        services.registry_import(
            actor=admin_user,
            rows=imports.read_rows(io.BytesIO(content), "d.csv", imports.REGISTRY_REQUIRED),
            regency=Regency.objects.get(code="34.01"),
        )
    assert not RegistryRecord.objects.exists()


def test_only_admins_import_the_extract(client, verifier, operator_a):
    for user in (verifier, operator_a):
        client.force_login(user)
        assert client.get(reverse("enrollment:import_registry")).status_code == 403
        assert client.post(reverse("enrollment:import_registry_confirm")).status_code == 403


def test_a_participant_preview_cannot_confirm_an_extract(client, admin_user):
    client.force_login(admin_user)
    preview = upload_participants(client, PARTICIPANTS.read_bytes())
    response = confirm(client, preview)
    assert "Pratinjau tidak sah" in response.content.decode()
    assert not RegistryRecord.objects.exists()


def listing(person, **fields):
    admin = UserFactory(role="admin")
    return RegistryRecord.objects.create(
        **{
            "source": "DTSEN",
            "registry_id": "DTSEN-3401-0000999",
            "nik": person.nik,
            "name": person.name,
            "household_number": person.household.number,
            "village": person.household.village,
            "desil": 1,
            "data_period": datetime.date(2025, 11, 1),
            "imported_by": admin,
            **fields,
        }
    )


def test_ground_c1_takes_its_evidence_from_the_latest_listing(resident, verifier):
    listing(
        resident,
        registry_id="DTKS-OLD",
        source="DTKS",
        desil=None,
        data_period=datetime.date(2024, 12, 1),
    )
    latest = listing(resident)
    entry = services.participant_add(
        actor=verifier,
        person=resident,
        ground=Ground.DTKS,
        effective_month=JAN,
        evidence=DECLARATION,
        faskes=faskes(),
    )
    assert entry.evidence == {
        **DECLARATION,
        "source": "DTSEN",
        "dtks_id": "DTSEN-3401-0000999",
        "desil": 1,
        "data_period": "2025-11",
        "checked_on": timezone.localdate().isoformat(),
        "registry_record": latest.pk,
    }


def test_ground_c1_without_listing_or_evidence_is_refused(resident, verifier):
    with pytest.raises(ValidationError, match=f"NIK {resident.nik} tidak terdapat dalam data"):
        services.participant_add(
            actor=verifier,
            person=resident,
            ground=Ground.DTKS,
            effective_month=JAN,
            evidence=DECLARATION,
            faskes=faskes(),
        )


def test_ground_c1_keeps_the_evidence_the_caller_gives(resident, verifier):
    listing(resident)
    entry = services.participant_add(
        actor=verifier,
        person=resident,
        ground=Ground.DTKS,
        effective_month=JAN,
        evidence=DTKS_EVIDENCE,
        faskes=faskes(),
    )
    assert entry.evidence["dtks_id"] == "DTSEN-3401-000123"


def test_ground_c1_from_a_listing_still_checks_domicile_and_cover(verifier):
    newcomer = PersonFactory(domicile_since=datetime.date(2025, 10, 1))
    listing(newcomer)
    with pytest.raises(ValidationError, match="kurang dari 6 bulan"):
        services.participant_add(
            actor=verifier,
            person=newcomer,
            ground=Ground.DTKS,
            effective_month=JAN,
            evidence=DECLARATION,
            faskes=faskes(),
        )
    settled = PersonFactory(domicile_since=datetime.date(2020, 1, 1))
    listing(settled)
    with pytest.raises(ValidationError, match="jaminan kesehatan lain"):
        services.participant_add(
            actor=verifier,
            person=settled,
            ground=Ground.DTKS,
            effective_month=JAN,
            evidence={"has_other_cover": True},
        )


def test_person_page_shows_the_listing_within_scope(client, operator_a, operator_b, resident):
    listing(resident)
    url = reverse("enrollment:person_detail", args=[resident.pk])
    client.force_login(operator_a)
    assert "DTSEN DTSEN-3401-0000999" in client.get(url).content.decode()
    client.force_login(operator_b)
    assert client.get(url).status_code == 404


def test_listings_are_scoped_by_village(operator_a, operator_b, resident):
    listing(resident)
    other = PersonFactory(household=HouseholdFactory(village=village("34.01.02.2001")))
    listing(other, registry_id="DTSEN-B")
    assert list(
        RegistryRecord.objects.visible_to(operator_b).values_list("registry_id", flat=True)
    ) == ["DTSEN-B"]
    assert RegistryRecord.objects.visible_to(operator_a).count() == 1
