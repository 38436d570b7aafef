"""The registration file for e-Dabu: the month's approved additions and removals, laid out as
the TOML file says, and marking it sent."""

import datetime

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

import jobs
from bpjs import layout, services
from bpjs.models import Action, Record, RegistrationFile, Source, Status
from enrollment import services as ledger
from enrollment.models import Ground
from regions.months import add_months
from tests.builders import MOVED_OUT, VALIDATION, this_month
from tests.factories import faskes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def make(user, **params):
    job = jobs.start("bpjs.registration", user, month=this_month().isoformat(), **params)
    job.refresh_from_db()
    assert job.status == job.Status.DONE, job.error
    return job


def read_back(job):
    with job.result_file.open("rb") as stored:
        sheet = openpyxl.load_workbook(stored, read_only=True).active
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    titles = rows[0]
    return [dict(zip(titles, row, strict=True)) for row in rows[1:]]


def test_the_file_follows_the_toml_mapping(verifier, approved, coded_faskes):
    job = make(verifier)
    rows = read_back(job)
    shipped = layout.registration_layout()
    assert list(rows[0]) == shipped.titles
    complete, bare = approved
    by_nik = {row["NIK"]: row for row in rows}
    row = by_nik[complete.nik]
    village = complete.household.village
    tmt = add_months(this_month(), 1)
    assert row == {
        "No": row["No"],
        "No KK": complete.household.number,
        "NIK": complete.nik,
        "Nama Lengkap": complete.name,
        "PISA": "1",
        "Tempat Lahir": "Kulon Progo",
        "Tgl Lahir": "01/01/1990",
        "Jenis Kelamin": "L",
        "Status Kawin": "2",
        "Alamat": row["Alamat"],
        "RT": complete.household.rt,
        "RW": complete.household.rw,
        "Kode Pos": None,
        "Kode Kecamatan": village.district.code.replace(".", ""),
        "Nama Kecamatan": village.district.name,
        "Kode Desa": village.code.replace(".", ""),
        "Nama Desa/Kel": village.name,
        "Kode Faskes Tk.1": coded_faskes.bpjs_code,
        "Nama Faskes Tk.1": coded_faskes.name,
        "Kode Faskes Gigi": None,
        "Nama Faskes Gigi": None,
        "No Telp": "081234567890",
        "Email": None,
        "Kelas Rawat": "3",
        "Tgl Aktif Peserta/TMT": tmt.strftime("%d/%m/%Y"),
        "Warga Negara": "WNI",
        "Kode Provinsi": "34",
        "Kode Kabupaten": "3401",
        "Keterangan": "Pendaftaran",
        "No Kartu": None,
    }
    assert complete.household.dusun in row["Alamat"]
    # NIK and No. KK are text cells, their leading digits kept.
    assert isinstance(by_nik[bare.nik]["NIK"], str) and by_nik[bare.nik]["PISA"] is None
    assert job.result["additions"] == 2 and job.result["gaps"] == 1


def test_a_deployment_layout_changes_the_file(verifier, approved, settings, tmp_path):
    own = tmp_path / "cabang.toml"
    own.write_text('sheet = "Cabang"\n[[column]]\ntitle = "NIK Peserta"\nfield = "nik"\n')
    settings.BPJS_REGISTRATION_LAYOUT = own
    rows = read_back(make(verifier))
    assert sorted(row["NIK Peserta"] for row in rows) == sorted(p.nik for p in approved)


def test_a_broken_layout_fails_the_job_and_writes_nothing(verifier, approved, settings, tmp_path):
    own = tmp_path / "rusak.toml"
    own.write_text(
        '[[column]]\ntitle = "NIK"\nfield = "nik"\n[[column]]\ntitle = "NIK"\nfield = "nama"\n'
    )
    settings.BPJS_REGISTRATION_LAYOUT = own
    job = jobs.start("bpjs.registration", verifier, month=this_month().isoformat())
    job.refresh_from_db()
    assert job.status == job.Status.FAILED and "ganda" in job.error
    assert not RegistrationFile.objects.exists()


def test_removals_are_deactivation_requests_with_their_card(verifier, dukcapil, approved):
    person = approved[0]
    services.bpjs_record(
        actor=verifier,
        person=person,
        status=Status.ACTIVE,
        source_date=datetime.date.today(),
        card_number="0001234567890",
        tmt=this_month(),
    )
    ledger.participant_remove(
        actor=dukcapil,
        person=person,
        ground=Ground.MOVED_OUT,
        effective_month=this_month(),
        evidence=MOVED_OUT,
        **VALIDATION,
    )
    lines = list(services.registration_lines(user=verifier, month=this_month()))
    removal = [line for line in lines if line.action == Action.DEACTIVATE]
    assert [(line.person, line.no_kartu) for line in removal] == [(person, "0001234567890")]


def test_the_gaps_name_who_can_fix_them(verifier, approved, coded_faskes):
    coded_faskes.bpjs_code = ""
    coded_faskes.save()
    gaps = {
        line.person.name: dict(line.gaps)
        for line in services.registration_lines(user=verifier, month=this_month())
    }
    bare = gaps["Tanpa Data"]
    assert bare["Status perkawinan belum diisi"] == services.VILLAGE_STAFF
    assert services.TEAM in bare["PISA kosong: hubungan dalam keluarga belum diisi"]
    assert bare[f"Faskes {coded_faskes.name} belum memiliki kode faskes BPJS"] == services.ADMIN


def test_a_kapanewon_file_holds_only_its_people(verifier, approved):
    other = faskes("34.01.02.2001").district
    job = make(verifier, district=other.pk)
    assert read_back(job) == [] and job.result["rows"] == 0


def test_marking_sent_records_its_people_didaftarkan(verifier, approved, coded_faskes):
    registration_file = RegistrationFile.objects.get(job=make(verifier))
    today = datetime.date.today()
    services.registration_mark_sent(
        actor=verifier, registration_file=registration_file, sent_on=today
    )
    records = Record.objects.filter(registration_file=registration_file)
    assert {record.person for record in records} == set(approved)
    for record in records:
        assert (record.status, record.source, record.source_date) == (
            Status.SENT,
            Source.REGISTRATION_FILE,
            today,
        )
        assert record.tmt == add_months(this_month(), 1) and record.faskes == coded_faskes
    with pytest.raises(ValidationError, match="sudah ditandai terkirim"):
        services.registration_mark_sent(
            actor=verifier, registration_file=registration_file, sent_on=today
        )
    assert records.count() == 2


@pytest.mark.parametrize(("days", "message"), [(1, "masa depan"), (-400, "sebelum berkas dibuat")])
def test_a_sent_date_must_be_plausible(verifier, approved, days, message):
    registration_file = RegistrationFile.objects.get(job=make(verifier))
    with pytest.raises(ValidationError, match=message):
        services.registration_mark_sent(
            actor=verifier,
            registration_file=registration_file,
            sent_on=datetime.date.today() + datetime.timedelta(days=days),
        )
    assert not Record.objects.exists()


def test_only_the_team_marks_sent(verifier, leadership, approved):
    registration_file = RegistrationFile.objects.get(job=make(verifier))
    with pytest.raises(PermissionDenied):
        services.registration_mark_sent(
            actor=leadership, registration_file=registration_file, sent_on=datetime.date.today()
        )
    assert not Record.objects.exists()


def test_the_page_lists_gaps_then_starts_the_job(client, verifier, approved):
    client.force_login(verifier)
    month = f"{this_month():%Y-%m}"
    page = client.get(reverse("bpjs:registration"), {"month": month})
    assert page.status_code == 200
    assert "Tanpa Data" in page.content.decode() and "Status perkawinan belum diisi" in (
        page.content.decode()
    )
    response = client.post(reverse("bpjs:registration"), {"month": month, "district": ""})
    registration_file = RegistrationFile.objects.get()
    assert response.url == registration_file.job.get_absolute_url()
    sent = client.post(
        reverse("bpjs:registration_sent", args=[registration_file.pk]),
        {"sent_on": datetime.date.today().isoformat()},
    )
    assert sent.status_code == 302
    assert Record.objects.filter(registration_file=registration_file).count() == 2


def test_the_sent_button_needs_post(client, verifier, approved):
    registration_file = RegistrationFile.objects.get(job=make(verifier))
    client.force_login(verifier)
    url = reverse("bpjs:registration_sent", args=[registration_file.pk])
    assert client.get(url).status_code == 405


def test_a_file_without_registrations_is_not_marked_sent(verifier):
    registration_file = RegistrationFile.objects.get(job=make(verifier))
    with pytest.raises(ValidationError, match="tidak memuat pendaftaran"):
        services.registration_mark_sent(
            actor=verifier, registration_file=registration_file, sent_on=datetime.date.today()
        )
    registration_file.refresh_from_db()
    assert registration_file.sent_on is None
