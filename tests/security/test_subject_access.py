"""The data subject's right of access (UU 27/2022 Pasal 7): an admin downloads, for one NIK,
everything the product holds about that person, as PDF and JSON; each download is logged."""

import datetime
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

import jobs
from audit.models import AccessLog
from bpjs import services as bpjs_services
from bpjs.models import BillingFile, BillingRow, RegistrationFile
from enrollment.models import RegistryRecord
from oversight import services as reverification_services
from oversight.models import Outcome
from pbipemda import subject_access
from sktm import services as sktm_services
from sktm.models import Letter, LetterCheck
from tests.builders import POOR_15, VILLAGE_A, propose, record, this_month
from tests.factories import PersonFactory, UserFactory, village
from tests.feeds.conftest import died, extract, imported
from verification import services as proposal_services
from verification.models import Decision

pytestmark = pytest.mark.django_db

URL = reverse("subject_access")


def listing(person, **fields):
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
            "imported_by": UserFactory(role="admin"),
            **fields,
        }
    )


def billed(nik, name, month=None):
    """A row naming `nik` in a BPJS billed list of `month` (this month unless given)."""
    billing = BillingFile.objects.create(
        month=month or this_month(),
        version=1,
        filename="tagihan.csv",
        digest=nik,
        rows=1,
        layout="uji",
        imported_by=UserFactory(role="admin"),
    )
    return BillingRow.objects.create(
        file=billing,
        row_number=1,
        card_number="0001234567890",
        nik=nik,
        name=name,
        tmt=this_month(),
        status="aktif",
        status_text="AKTIF",
        segment="PBPU Pemda",
    )


@pytest.fixture
def subject(client, operator_a, lurah_a, verifier, dukcapil, settings, tmp_path):
    """One resident of village A with something in every app: an SKTM form and letter (checked
    once by its QR code), a change of occupation, an approved addition (so a ledger entry) sent
    to BPJS in a registration file and billed back, a re-verification, a DTSEN listing, a death
    in Dukcapil's extract (so a finding), and a verifier who opened the record."""
    settings.MEDIA_ROOT = tmp_path / "media"
    form = sktm_services.sktm_form_submit(actor=operator_a, data=POOR_15)
    form = sktm_services.sktm_form_acknowledge(actor=lurah_a, form=form)
    letter = sktm_services.letter_issue(actor=lurah_a, form=form)
    LetterCheck.objects.create(letter=letter, ip_address="203.0.113.9")
    person = record(
        operator_a,
        nik=POOR_15["nik"],
        name=POOR_15["applicant_name"],
        kk_number=POOR_15["kk_number"],
        occupation="Petani penggarap",
        domicile_since=datetime.date(2015, 1, 1),
        relationship=1,
        marital_status=2,
    )
    proposal = proposal_services.proposal_open(actor=operator_a, month=this_month())
    item = propose(operator_a, proposal, person)
    proposal_services.proposal_submit(actor=lurah_a, proposal=proposal, place="Temon")
    proposal_services.item_decide(actor=verifier, item=item, decision=Decision.APPROVED)
    reverification_services.reverification_record(
        actor=verifier, person=person, checked_on=datetime.date.today(), outcome=Outcome.ELIGIBLE
    )
    job = jobs.start("bpjs.registration", verifier, month=this_month().isoformat())
    bpjs_services.registration_mark_sent(
        actor=verifier,
        registration_file=RegistrationFile.objects.get(job=job),
        sent_on=datetime.date.today(),
    )
    billed(person.nik, person.name)
    listing(person)
    imported(dukcapil, extract(died(person.nik)))
    client.force_login(verifier)
    client.get(reverse("enrollment:person_detail", args=[person.pk]))
    client.logout()
    return person


@pytest.fixture
def stranger(operator_a):
    """Another resident of the same village, with a listing of their own."""
    person = PersonFactory(household__village=village(VILLAGE_A))
    listing(person, registry_id="DTSEN-3401-0000777")
    billed(person.nik, person.name, month=datetime.date(2026, 1, 1))
    return person


def download(client, nik, kind):
    return client.post(URL, {"nik": nik, "format": kind})


def sections(data):
    return {section["judul"]: section["baris"] for section in data["bagian"]}


def test_the_json_holds_every_record_about_the_person_and_nothing_of_others(
    client, admin_user, verifier, subject, stranger
):
    client.force_login(admin_user)
    response = download(client, subject.nik, "json")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="data-pribadi-{subject.nik}.json"'
    )
    data = json.loads(response.content)
    held = sections(data)
    assert data["nik"] == subject.nik
    assert held["Data penduduk"][0]["Pekerjaan"] == "Petani penggarap"
    assert {row["Menjadi"] for row in held["Riwayat perubahan data penduduk"]} >= {
        "Petani penggarap"
    }
    assert held["Data keluarga (Kartu Keluarga)"][0]["No. KK"] == POOR_15["kk_number"]
    assert [row["Jenis"] for row in held["Buku besar kepesertaan (Pasal 5)"]] == ["Penambahan"]
    assert held["Usulan dan keputusan Tim Verifikasi"][0]["Keputusan"] == "Disetujui"
    assert held["Riwayat usulan"]
    assert held["Formulir verifikasi SKTM (Lampiran A)"][0]["Skor"] == 15
    assert held["Riwayat formulir SKTM"]
    assert len(held["Surat Keterangan Tidak Mampu"]) == 1
    assert len(held["Pemeriksaan keaslian surat (kode QR)"]) == 1
    assert held["Verifikasi ulang"][0]["Hasil"] == "Masih memenuhi syarat"
    assert [row["ID data"] for row in held["Data DTKS/DTSEN"]] == ["DTSEN-3401-0000999"]
    assert [row["Status di BPJS"] for row in held["Riwayat BPJS Kesehatan"]] == ["Didaftarkan"]
    assert [
        (row["Bulan tagihan"], row["Versi"], row["NIK"])
        for row in held["Data peserta dari BPJS Kesehatan (tagihan)"]
    ] == [(this_month().isoformat(), 1, subject.nik)]
    registration = held["Berkas registrasi e-Dabu yang memuat data ini"]
    assert [(row["Tindakan"], row["NIK"]) for row in registration] == [("Pendaftaran", subject.nik)]
    assert registration[0]["Dikirim"] == datetime.date.today().isoformat()
    events = held["Peristiwa kependudukan dari Dukcapil"]
    assert [(row["Peristiwa"], row["NIK"]) for row in events] == [("Meninggal dunia", subject.nik)]
    findings = held["Temuan dari data Dukcapil"]
    assert [(row["Jenis"], row["Divalidasi oleh"]) for row in findings] == [
        ("Usul pengurangan peserta", "dukcapil")
    ]
    viewers = {row["Pengguna"] for row in held["Log akses: siapa melihat atau mengunduh data ini"]}
    assert verifier.username in viewers
    text = response.content.decode()
    assert stranger.nik not in text and "DTSEN-3401-0000777" not in text
    # Someone else's address (whoever checked the letter) is theirs, not the subject's.
    assert "203.0.113.9" not in text


def test_the_pdf_holds_the_same_sections(client, admin_user, subject):
    client.force_login(admin_user)
    response = download(client, subject.nik, "pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert subject.nik in text and "Petani penggarap" in text
    for title in ("Buku besar kepesertaan", "Data DTKS/DTSEN", "Riwayat BPJS", "Log akses"):
        assert title in text


def test_each_download_is_logged_and_shows_in_the_next(client, admin_user, subject):
    client.force_login(admin_user)
    download(client, subject.nik, "pdf")
    entry = AccessLog.objects.get(actor=admin_user)
    assert entry.action == "export" and subject.nik in entry.what
    assert entry.object_type == "people.Person" and entry.object_id == str(subject.pk)
    assert entry.rows > 10
    held = sections(json.loads(download(client, subject.nik, "json").content))
    log = held["Log akses: siapa melihat atau mengunduh data ini"]
    assert admin_user.username in {row["Pengguna"] for row in log}
    assert AccessLog.objects.filter(actor=admin_user).count() == 2


def test_the_collector_reads_each_table_once(subject):
    with CaptureQueriesContext(connection) as few:
        subject_access.subject_data(subject.nik)
    # One query per table, whatever the number of rows: one more letter check costs nothing.
    LetterCheck.objects.create(letter=Letter.objects.get(person=subject))
    with CaptureQueriesContext(connection) as more:
        subject_access.subject_data(subject.nik)
    assert len(more) == len(few) <= len(subject_access.subject_data(subject.nik)["sections"])


def test_a_nik_held_only_in_a_listing_is_found(client, admin_user, stranger):
    client.force_login(admin_user)
    held = sections(json.loads(download(client, stranger.nik, "json").content))
    assert [row["ID data"] for row in held["Data DTKS/DTSEN"]] == ["DTSEN-3401-0000777"]
    assert [row["NIK"] for row in held["Data peserta dari BPJS Kesehatan (tagihan)"]] == [
        stranger.nik
    ]


@pytest.mark.parametrize(
    ("nik", "message"),
    [
        ("3401", "NIK harus 16 digit angka."),
        ("34010152018500０3", "NIK harus 16 digit angka."),
        ("3401015201859999", "Tidak ada data apa pun tentang NIK ini."),
    ],
)
def test_a_bad_or_unknown_nik_is_refused_and_logs_nothing(client, admin_user, nik, message):
    client.force_login(admin_user)
    response = download(client, nik, "json")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("persona", ["verifier", "leadership", "operator_a", "dukcapil"])
def test_other_roles_are_refused(client, subject, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert download(client, subject.nik, "json").status_code == 403
    assert not AccessLog.objects.filter(action="export").exists()


def test_the_admin_opens_the_form_and_other_methods_are_refused(client, admin_user):
    client.force_login(admin_user)
    page = client.get(URL)
    assert page.status_code == 200 and 'name="nik"' in page.content.decode()
    assert client.put(URL).status_code == 405
