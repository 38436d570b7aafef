import csv
import datetime
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from regions.months import MONTH_NAMES
from tests.builders import LONG_AGO, propose, this_month
from tests.factories import HouseholdFactory, PersonFactory, village
from verification import lampiran_d, services
from verification.models import Decision, ProposalItem

pytestmark = pytest.mark.django_db

HEADERS = [
    "NO",
    "NIK",
    "NO.KK",
    "NAMA",
    "PEKERJAAN",
    "HUB.KELUARGA",
    "TEMPAT LAHIR",
    "TANGGAL LAHIR",
    "JENIS KELAMIN",
    "STATUS",
    "DUSUN",
    "RT",
    "RW",
    "KALURAHAN/KELURAHAN",
    "KAPANEWON",
    "FASKES",
]


@pytest.fixture
def proposed(proposal, operator_a, lurah_a):
    """Three residents with full Lampiran D data, one with a name that looks like a formula and
    a No. KK with a leading zero; submitted by the Lurah."""
    household = HouseholdFactory(number="0401010101100001", dusun="Kepek", rt="002", rw="001")
    people = [
        PersonFactory(
            household=household,
            name=name,
            occupation="Buruh tani",
            relationship=relationship,
            marital_status=2,
            birth_place="Kulon Progo",
            birth_date=datetime.date(1985, 1, 12),
            sex=sex,
            domicile_since=LONG_AGO,
        )
        for name, relationship, sex in [
            ("Sri Wahyuni", 1, "P"),
            ('=HYPERLINK("http://x")', 2, "L"),
            ("+62 Budi", 4, "L"),
        ]
    ]
    faskes = village("34.01.01.2001").district.health_facilities.first()
    for person in people:
        propose(operator_a, proposal, person, faskes=faskes)
    return services.proposal_submit(actor=lurah_a, proposal=proposal, place="Jangkaran")


def workbook_of(proposal):
    output = io.BytesIO()
    lampiran_d.write_xlsx(
        output, proposal.month, proposal.items.all(), signature=lampiran_d.signature(proposal)
    )
    output.seek(0)
    return load_workbook(output).active


def test_the_xlsx_has_the_regulations_layout(proposed):
    sheet = workbook_of(proposed)
    month_name = MONTH_NAMES[proposed.month.month - 1].upper()
    assert sheet["A1"].value == "FORM USULAN PESERTA JAMINAN KESEHATAN PBI PEMDA"
    assert sheet["A2"].value == f"BULAN {month_name} TAHUN {proposed.month.year}"
    assert [cell.value for cell in sheet[4]] == HEADERS
    rows = [list(row) for row in sheet.iter_rows(min_row=5, max_row=7)]
    assert [row[0].value for row in rows] == [1, 2, 3]
    first = rows[0]
    assert first[1].data_type == "s" and len(first[1].value) == 16  # NIK as text
    assert first[2].value == "0401010101100001"  # leading zero kept
    assert first[3].value == "Sri Wahyuni"
    assert first[5].value == "Kepala Keluarga"
    assert first[7].value == datetime.datetime(1985, 1, 12)  # a date, not text
    assert first[8].value == "Perempuan" and first[9].value == "Kawin"
    assert [cell.value for cell in first[10:15]] == [
        "Kepek",
        "002",
        "001",
        "Jangkaran",
        "Temon",
    ]
    assert first[15].value.startswith("Puskesmas")
    assert rows[1][3].value == '=HYPERLINK("http://x")' and rows[1][3].data_type == "s"
    assert rows[2][3].value == "+62 Budi"
    assert sheet.cell(8, 1).value is None  # one row per person
    texts = [cell.value for row in sheet.iter_rows(min_row=9) for cell in row if cell.value]
    assert texts[0].startswith("Jangkaran, ")
    assert texts[1] == "Lurah"
    assert texts[2] == f"( {proposed.signer_name} )"


def test_no_cell_is_a_formula(proposed):
    sheet = workbook_of(proposed)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_headers_follow_the_deployments_terms(settings):
    settings.REGION_PROFILE = "karanganyar"
    assert lampiran_d.headers()[13:15] == ["DESA/KELURAHAN", "KECAMATAN"]


def test_removals_are_not_rows_of_lampiran_d(proposed):
    assert len(list(lampiran_d.rows(ProposalItem.objects.all()))) == 3
    assert len(list(lampiran_d.rows(ProposalItem.objects.filter(kind="removal")))) == 0


def test_the_pdf_carries_the_title_the_people_and_the_signature(proposed):
    content = lampiran_d.pdf(proposed, proposed.items.all(), [], "http://testserver/")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "FORM USULAN PESERTA JAMINAN KESEHATAN PBI PEMDA" in text
    assert lampiran_d.month_title(proposed.month) in text
    assert "Sri Wahyuni" in text and "0401010101100001" in text
    squeezed = "".join(text.split())
    assert "".join("".join(HEADERS).split()) in squeezed  # every header, in order
    assert f"( {proposed.signer_name} )" in text


@pytest.mark.parametrize(("paper", "code"), [("F4", 14), ("A4", 9)])
def test_the_xlsx_prints_landscape_fitted_to_width_with_headers_on_every_page(
    proposed, settings, paper, code
):
    settings.LETTER_PAPER = paper
    sheet = workbook_of(proposed)
    setup = sheet.page_setup
    assert (setup.orientation, int(setup.paperSize)) == ("landscape", code)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    # One page wide (1 is the file format's default, left out), as many pages down as it takes.
    assert (setup.fitToWidth or 1, setup.fitToHeight) == (1, 0)
    assert sheet.print_title_rows == "$4:$4"  # the column headers repeat on every page
    widths = {
        column: dimension.width
        for dimension in sheet.column_dimensions.values()
        for column in range(dimension.min, dimension.max + 1)
    }
    assert widths[2] >= 17 and widths[3] >= 17  # NIK and No. KK: 16 digits on one line
    assert len(widths) == 16 and sum(widths.values()) < 200  # readable once fitted to width
    assert sheet["D5"].alignment.wrap_text  # a long name wraps in its cell
    assert sheet["B5"].border.left.style == "thin"  # the printed table has its lines


def test_hub_keluarga_and_status_are_filled_for_every_proposed_person(proposed):
    sheet = workbook_of(proposed)
    for row in sheet.iter_rows(min_row=5, max_row=7):
        assert row[5].value and row[9].value


def _run_export(user, **params):
    import jobs

    job = jobs.start("verification.lampiran_d", user, month=this_month().isoformat(), **params)
    assert job.status == "done", job.error
    with job.result_file.open("rb") as file:
        return job, file.read()


@pytest.fixture
def one_rejected(proposed, verifier):
    item = proposed.items.order_by("pk").first()
    services.item_decide(actor=verifier, item=item, decision=Decision.REJECTED, reason="evidence")
    return item


def test_the_kabupaten_export_leaves_out_rejected_people_and_says_so(
    one_rejected, admin_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    job, content = _run_export(admin_user)
    sheet = load_workbook(io.BytesIO(content)).active
    assert job.result["rows"] == 2
    assert "ditolak" in sheet["A3"].value
    names = [row[3] for row in sheet.iter_rows(min_row=5, values_only=True) if row[0]]
    assert names == ['=HYPERLINK("http://x")', "+62 Budi"]
    assert one_rejected.person.name not in names


def test_the_csv_export_holds_lampiran_d_as_text(one_rejected, admin_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job, content = _run_export(admin_user, format="csv")
    assert job.result_file.name.endswith(".csv") and job.result["rows"] == 2
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert lines[0] == HEADERS
    first = lines[1]
    assert first[:4] == ["1", first[1], "0401010101100001", '=HYPERLINK("http://x")']
    assert len(first[1]) == 16 and first[1].isdigit()
    assert (first[5], first[7], first[8], first[9]) == ("Suami", "1985-01-12", "Laki-laki", "Kawin")
    assert [line[0] for line in lines[1:]] == ["1", "2"]
    assert f'"{first[1]}","0401010101100001"'.encode() in content  # quoted: text, not a number
