"""Bad input, form by form and import by import: malformed NIKs and dates, very long text,
markup, spreadsheet formulas, broken .xlsx files and wrong encodings. Each is refused with a
message in Bahasa Indonesia, never a server error, and nothing is written."""

import datetime
import io

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from instructions.models import Attachment, ReportLine
from jobs.models import Job
from people.models import Household, Person
from sktm.models import VerificationForm
from tests.builders import NEW_RESIDENT, POOR_15, faskes_id, post_data
from verification import services as proposal_services
from verification.models import Proposal, ProposalEvent, ProposalItem

pytestmark = pytest.mark.django_db

LONG = "Sri " * 2500
SCRIPT = "<script>alert('x')</script>"
FORMULA = '=HYPERLINK("http://contoh.example","klik")'
BAD_NIKS = [
    "123",
    "34010152018500031",
    "abcdefghijklmnop",
    "3401019913850003",  # day 99
    "3401015213850003",  # month 13
    "３４０１０１５２０１８５０００３",  # full-width digits
    "3401015201850003<",
    "",
]
BAD_DATES = ["2026-13-45", "31/02/2026", "2026-02-31", "0000-00-00", "kemarin", "9" * 40]


def counts(*models):
    return {model.__name__: model.objects.count() for model in models}


def refused_form(response):
    """The form came back (200) with its errors."""
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors, "form accepted bad input"
    return [e for errors in form.errors.values() for e in errors]


SKTM_CASES = [
    *[("nik", nik) for nik in BAD_NIKS],
    ("kk_number", "1" * 15),
    ("kk_number", "x" * 16),
    *[("birth_date", value) for value in BAD_DATES],
    ("applicant_name", LONG),
    ("applicant_name", SCRIPT),
    ("applicant_name", FORMULA),
    ("dusun", "<b>Kepek</b>"),
    ("dusun", "x" * 5000),
    ("occupation", "@SUM(A1:A9)"),
    ("rt", "abc"),
    ("rt", "1234"),
    ("phone", "0812<script>"),
    ("monthly_income", "-5"),
    ("monthly_income", "1e999"),
    ("monthly_income", "Rp 1.000"),
    ("dependants_count", "0"),
    ("dependants_count", "9" * 30),
    ("ownership", "9"),
    ("sex", "X"),
]


@pytest.mark.parametrize(("field", "value"), SKTM_CASES)
def test_sktm_form_refuses_bad_input(field, value, client, operator_a):
    client.force_login(operator_a)
    before = counts(VerificationForm, Person, Household)
    response = client.post(reverse("sktm:form_create"), {**post_data(POOR_15), field: value})
    assert refused_form(response)
    assert counts(VerificationForm, Person, Household) == before


def test_a_nul_byte_in_a_form_is_refused_before_the_form_and_writes_nothing(client, operator_a):
    """A NUL byte anywhere is refused with a 400 by pbipemda.middleware.NulByteMiddleware."""
    client.force_login(operator_a)
    before = counts(VerificationForm, Person, Household)
    data = {**post_data(POOR_15), "applicant_name": "Sri\x00Wahyuni"}
    response = client.post(reverse("sktm:form_create"), data)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    assert counts(VerificationForm, Person, Household) == before


ITEM_CASES = [
    *[("nik", nik) for nik in BAD_NIKS],
    ("kk_number", "12345"),
    *[("birth_date", value) for value in BAD_DATES],
    *[("domicile_since", value) for value in BAD_DATES[:3]],
    ("name", LONG),
    ("name", SCRIPT),
    ("name", FORMULA),
    ("birth_place", "+62 Wates"),
    ("occupation", "<img src=x>"),
    ("dusun", "=1+1"),
    ("rt", "-1"),
    ("desil", "11"),
    ("desil", "satu"),
    ("relationship", "99"),
    ("ground", "add_z"),
    ("faskes", "999999"),
    ("dtks_id", "x" * 5000),
]


@pytest.mark.parametrize(("field", "value"), ITEM_CASES)
def test_usulan_item_form_refuses_bad_input(field, value, client, operator_a):
    client.force_login(operator_a)
    proposal = proposal_services.proposal_open(actor=operator_a, month=datetime.date.today())
    before = counts(ProposalItem, ProposalEvent, Person, Household)
    data = {**NEW_RESIDENT, "faskes": faskes_id(), field: value}
    response = client.post(reverse("verification:item_add", args=[proposal.pk]), data)
    assert refused_form(response)
    assert counts(ProposalItem, ProposalEvent, Person, Household) == before


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    ("url_name", "obj", "persona", "data"),
    [
        ("verification:proposal_open", None, "operator_a", {"month": "2026-13-01"}),
        ("verification:proposal_open", None, "operator_a", {"month": "<script>"}),
        ("verification:proposal_open", None, "operator_a", {"month": "1999-01-01"}),
        ("verification:proposal_submit", "proposal", "lurah_a", {"place": LONG}),
        ("verification:proposal_return", "proposal", "verifier", {"note": LONG}),
        ("verification:item_decide", "item", "verifier", {"decision": "maybe"}),
        ("verification:item_decide", "item", "verifier", {"decision": "rejected"}),
        ("verification:removal_validate", "item", "dukcapil", {"validated_on": "2026-02-31"}),
        ("sktm:form_return", "form", "lurah_a", {"note": ""}),
        ("instructions:report_open", "instruction", "lurah_a", {"period_start": "31/02/2026"}),
        ("instructions:report_open", "instruction", "lurah_a", {"period_start": "2099-01-01"}),
    ],
)
def test_actions_refuse_bad_input_with_a_message(
    url_name, obj, persona, data, client, world, request
):
    client.force_login(request.getfixturevalue(persona))
    url = reverse(url_name, args=[getattr(world, obj).pk] if obj else [])
    before = counts(Proposal, ProposalItem, ProposalEvent, VerificationForm, ReportLine)
    response = client.post(url, data)
    assert response.status_code == 302
    assert any(message for message in messages_of(response))
    assert counts(Proposal, ProposalItem, ProposalEvent, VerificationForm, ReportLine) == before


@pytest.mark.parametrize(
    ("url_name", "query"),
    [
        ("sktm:form_list", {"month": "2026-99", "q": SCRIPT}),
        ("sktm:form_list", {"status": "nope", "page": "-1"}),
        ("verification:proposal_list", {"month": "x", "waiting_days": "-5", "district": "abc"}),
        ("enrollment:roster", {"q": LONG, "village": "<b>", "page": "999999"}),
        ("sktm:letter_list", {"q": FORMULA}),
    ],
)
def test_filters_refuse_bad_input_without_error(url_name, query, client, verifier):
    client.force_login(verifier)
    response = client.get(reverse(url_name), query)
    assert response.status_code == 200
    assert SCRIPT not in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bukti.pdf", b"MZ\x90\x00 an executable", "PDF, JPEG atau PNG"),
        ("bukti.exe", b"%PDF-1.4 fine bytes, wrong name", "PDF, JPEG atau PNG"),
        ("bukti.png", b"%PDF-1.4 a pdf named png", "PDF, JPEG atau PNG"),
        ("bukti.pdf", b"", "kosong"),
        ("bukti.pdf", b"%PDF-1.4 fine", "Periksa isian"),  # with a figure that is no number
    ],
)
def test_instruksi_attachment_refuses_a_wrong_type(name, content, message, client, world, lurah_a):
    client.force_login(lurah_a)
    report = world.report
    lines = list(report.lines.all())
    data = {}
    for line in lines:
        data |= {f"line-{line.pk}-status": line.status, f"line-{line.pk}-narrative": ""}
    data[f"line-{lines[0].pk}-upload"] = SimpleUploadedFile(name, content)
    if message == "Periksa isian":
        data[f"line-{lines[0].pk}-figure"] = "1e999"
    before = Attachment.objects.count()
    response = client.post(reverse("instructions:report_edit", args=[report.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Attachment.objects.count() == before


# Imports ----------------------------------------------------------------------------------

HEADER = (
    "nik,no_kk,nama,tempat_lahir,tanggal_lahir,jenis_kelamin,hubungan_keluarga,"
    "status_perkawinan,pekerjaan,dusun,rt,rw,kode_desa,bulan_mulai,berdomisili_sejak"
)
GOOD_ROW = [
    "3401015608750002",
    "3401010101100009",
    "Sumiyati",
    "Kulon Progo",
    "1975-08-16",
    "P",
    "1",
    "2",
    "Petani",
    "Kepek",
    "2",
    "1",
    "34.01.01.2001",
    "2026-01",
    "2015-01-01",
]
COLUMNS = HEADER.split(",")


def csv_with(column, value):
    row = list(GOOD_ROW)
    row[COLUMNS.index(column)] = value
    return (HEADER + "\n" + ",".join(f'"{cell}"' for cell in row) + "\n").encode()


def xlsx_with(column, value):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    row = list(GOOD_ROW)
    row[COLUMNS.index(column)] = value
    sheet.append(row)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


IMPORT_ROW_CASES = [
    *[("nik", nik) for nik in BAD_NIKS[:6]],
    ("no_kk", "12"),
    ("tanggal_lahir", "2026-02-31"),
    ("tanggal_lahir", "16/08/1975"),
    ("bulan_mulai", "2026-13"),
    ("berdomisili_sejak", "kemarin"),
    ("nama", LONG),
    ("nama", SCRIPT),
    ("nama", FORMULA),
    ("pekerjaan", "@cmd"),
    ("dusun", "+1"),
    ("jenis_kelamin", "X"),
    ("hubungan_keluarga", "99"),
    ("rt", "satu"),
    ("kode_desa", "99.99.99.9999"),
    ("kode_desa", "33.13.01.2001"),  # a village of another kabupaten
]


@pytest.fixture
def importing(client, admin_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(admin_user)

    def upload(content, name):
        """The preview of an upload: the job that checked it, or the page that refused it."""
        response = client.post(
            reverse("enrollment:import_participants"),
            {"file": SimpleUploadedFile(name, content)},
        )
        if response.status_code == 302:
            return Job.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[-1])
        assert response.status_code == 200
        return response

    return upload


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize(("column", "value"), IMPORT_ROW_CASES)
def test_import_names_each_bad_row_and_writes_nothing(kind, column, value, importing):
    content = csv_with(column, value) if kind == "csv" else xlsx_with(column, value)
    job = importing(content, f"peserta.{kind}")
    assert job.status == Job.Status.DONE, job.error
    assert [number for number, _ in job.result["errors"]] == [2]
    assert not job.result["is_confirmable"]  # nothing can be saved
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "peserta.xlsx", "rusak"),
        (b"PK\x03\x04broken zip", "peserta.xlsx", "rusak"),
        (b"\xd0\xcf\x11\xe0 an old .xls", "peserta.xlsx", "rusak"),
        (HEADER.encode("utf-16"), "peserta.csv", "UTF-8"),
        (csv_with("nama", "Sitì").decode().encode("cp1252"), "peserta.csv", "UTF-8"),
        (b"nama,alamat\nSri,Kepek\n", "peserta.csv", "Kolom wajib tidak ada"),
        (b"nik\n1\n", "peserta.txt", "Unggah berkas .xlsx atau .csv."),
    ],
)
def test_import_refuses_a_broken_file_with_a_message(content, name, message, importing):
    outcome = importing(content, name)
    error = outcome.error if isinstance(outcome, Job) else outcome.context["error"]
    assert message in error
    assert not Person.objects.exists()


def test_import_confirm_refuses_a_forged_token(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("enrollment:import_confirm"), {"job": SCRIPT})
    assert response.status_code == 302
    assert any("tidak sah" in message for message in messages_of(response))
    assert not Person.objects.exists()
