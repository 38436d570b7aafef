"""The roster's CSV export: the same rows and order as the page, every value quoted text (NIK
and No. KK keep their 16 digits), dates as YYYY-MM-DD; COPY on PostgreSQL, csv elsewhere."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from enrollment import exports
from tests.builders import enroll
from tests.factories import HouseholdFactory, PersonFactory, village

pytestmark = pytest.mark.django_db


@pytest.fixture
def participants(verifier):
    people = []
    for code, number, name in [
        ("34.01.02.2001", "0401020101150009", "Warsini"),
        ("34.01.01.2001", "3401010101150001", "Paiman"),
        ("34.01.01.2001", "3401010101150002", "Abdul"),
    ]:
        person = PersonFactory(
            name=name,
            birth_date=datetime.date(1970, 5, 12),
            household=HouseholdFactory(village=village(code), number=number, rt="001", rw="002"),
            domicile_since=datetime.date(2020, 1, 1),
        )
        enroll(verifier, person)
        people.append(person)
    return people


def _download(client, **data):
    job = client.post(reverse("enrollment:roster_export"), data).url.rstrip("/").rsplit("/")[-1]
    response = client.get(reverse("jobs:download", args=[job]))
    return response, b"".join(response.streaming_content)


def test_the_csv_export_holds_the_roster_as_text(client, verifier, participants):
    client.force_login(verifier)
    response, content = _download(client, format="csv")
    assert response["Content-Disposition"].endswith('.csv"')
    assert content.startswith(b'\xef\xbb\xbf"NIK","NO.KK"')
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert lines[0] == exports.ROSTER_HEADERS
    assert [line[2] for line in lines[1:]] == ["Abdul", "Paiman", "Warsini"]  # roster order
    warsini = lines[3]
    assert warsini[:2] == [participants[0].nik, "0401020101150009"]
    assert (warsini[3], warsini[6], warsini[7]) == ("1970-05-12", "001", "002")
    assert warsini[10] and not warsini[10].islower()  # the ground's label, not its code
    # Every value quoted: a spreadsheet reading the file as text keeps the 16 digits.
    assert f'"{participants[0].nik}","0401020101150009"'.encode() in content


def test_the_csv_export_follows_the_search_and_the_scope(
    client, operator_a, operator_b, participants
):
    client.force_login(operator_a)
    _, content = _download(client, format="csv", q="Paim")
    assert [line[2] for line in csv.reader(io.StringIO(content.decode("utf-8-sig")))] == [
        "NAMA",
        "Paiman",
    ]
    client.force_login(operator_b)
    _, content = _download(client, format="csv")
    names = [line[2] for line in csv.reader(io.StringIO(content.decode("utf-8-sig")))][1:]
    assert names == ["Warsini"]


def test_the_xlsx_and_csv_exports_hold_the_same_rows(client, verifier, participants):
    import openpyxl

    client.force_login(verifier)
    _, sheet = _download(client, format="xlsx")
    _, text = _download(client, format="csv")
    workbook = openpyxl.load_workbook(io.BytesIO(sheet))
    workbook_rows = list(workbook.active.iter_rows(values_only=True))
    csv_rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert len(workbook_rows) == len(csv_rows) == 4
    for cells, line in zip(workbook_rows[1:], csv_rows[1:], strict=True):
        as_text = [
            value.date().isoformat() if isinstance(value, datetime.datetime) else value or ""
            for value in cells
        ]
        assert as_text == line
