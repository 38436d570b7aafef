import io

import pytest
from django.core.management import CommandError, call_command

from instructions.addressees import AGENCY, DISTRICT, VILLAGE, Addressee
from instructions.loader import instruction_load
from instructions.models import AddresseeKind, Diktum, Instruction, Item
from tests.builders import JATIPURO, NGEPUNGSARI
from tests.factories import agency, district, village

pytestmark = pytest.mark.django_db

# The addressee of each diktum of Instruksi Bupati Karanganyar 440/3/2022 and its letters.
DICTA = [
    ("KESATU", "all_agencies", None, [""]),
    ("KEDUA", "agency", "Bappelitbang", ["a", "b"]),
    ("KETIGA", "agency", "BKD", ["a", "b", "c"]),
    ("KEEMPAT", "agency", "BKPSDM", ["a", "b"]),
    ("KELIMA", "agency", "Dinsos", ["a", "b", "c", "d", "e"]),
    ("KEENAM", "agency", "Dinkes", ["a", "b", "c", "d", "e", "f"]),
    ("KETUJUH", "agency", "Diskominfo", ["a", "b"]),
    ("KEDELAPAN", "agency", "DPMPTSP", ["a", "b", "c"]),
    ("KESEMBILAN", "agency", "Disdukcapil", ["a", "b", "c"]),
    ("KESEPULUH", "agency", "Dispermades", ["a", "b", "c"]),
    ("KESEBELAS", "agency", "DPUPR", [""]),
    ("KEDUA BELAS", "agency", "Disdagnakerkop UKM", ["a", "b", "c", "d", "e"]),
    ("KETIGA BELAS", "all_agencies", None, [""]),
    ("KEEMPAT BELAS", "agency", "Bag. Hukum", [""]),
    ("KELIMA BELAS", "agency", "Bag. Pemerintahan", [""]),
    ("KEENAM BELAS", "districts", None, ["a", "b", "c", "d"]),
    ("KETUJUH BELAS", "villages", None, ["a", "b", "c", "d"]),
    ("KEDELAPAN BELAS", "everyone", None, ["a", "b"]),
    ("KESEMBILAN BELAS", "everyone", None, [""]),
]


def test_fixture_holds_every_diktum_and_item_with_its_addressee(instruction):
    dicta = list(Diktum.objects.filter(instruction=instruction).order_by("position"))
    assert [d.label for d in dicta] == [label for label, *_ in DICTA]
    for diktum, (label, kind, short_name, letters) in zip(dicta, DICTA, strict=True):
        items = list(diktum.items.select_related("agency"))
        assert [item.letter for item in items] == letters, label
        assert {item.addressee for item in items} == {kind}, label
        assert {item.agency.short_name if item.agency else None for item in items} == {short_name}
    assert Item.objects.filter(diktum__instruction=instruction).count() == 50
    reportable = Item.objects.filter(diktum__instruction=instruction, diktum__is_reportable=True)
    assert reportable.count() == 47
    assert not Diktum.objects.get(instruction=instruction, label="KEDELAPAN BELAS").is_reportable


@pytest.mark.parametrize(
    ("reference", "text"),
    [
        (
            ("KELIMA", "b"),
            "melakukan verifikasi dan validasi data penduduk miskin yang telah menjadi "
            "kepesertaan Jaminan Kesehatan Nasional yang disebut Pekerja Bukan Penerima Upah dan "
            "Bukan Pekerja (PBPU & BP) Pemerintah Daerah (Pemda) secara berkala minimal 3 (tiga) "
            "bulan sekali;",
        ),
        (
            ("KETIGA", "b"),
            "memastikan ketersediaan alokasi anggaran dan pembayaran Pekerja Bukan Penerima Upah "
            "dan Bukan Pekerja (PBPU & BP) Pemerintah Daerah (Pemda) dengan manfaat pelayanan di "
            "ruang perawatan Kelas tiga (3); dan",
        ),
        (
            ("KETUJUH BELAS", "c"),
            "mengalokasikan sebagian APBDes untuk pembiayaan premi bagi penduduk miskin yang "
            "belum dijamin pemerintah sebagai akibat dikeluarkannya Surat Keterangan Tidak mampu "
            "oleh Pemerintah Desa; dan",
        ),
        (
            ("KESEMBILAN BELAS", ""),
            "Melaksanakan Instruksi Bupati ini dengan penuh tanggung jawab.",
        ),
    ],
)
def test_item_text_is_the_published_wording(instruction, reference, text):
    label, letter = reference
    item = Item.objects.get(diktum__instruction=instruction, diktum__label=label, letter=letter)
    assert item.text == text


def test_each_addressee_has_exactly_its_items(instruction):
    def references(addressee):
        items = Item.objects.filter(diktum__instruction=instruction).addressed_to(addressee)
        return [item.reference for item in items.select_related("diktum")]

    assert references(Addressee(AGENCY, agency("Dinsos"))) == [
        "KESATU",
        "KELIMA a",
        "KELIMA b",
        "KELIMA c",
        "KELIMA d",
        "KELIMA e",
        "KETIGA BELAS",
    ]
    assert references(Addressee(AGENCY, agency("DPUPR"))) == [
        "KESATU",
        "KESEBELAS",
        "KETIGA BELAS",
    ]
    assert references(Addressee(DISTRICT, district(JATIPURO))) == [
        f"KEENAM BELAS {letter}" for letter in "abcd"
    ]
    assert references(Addressee(VILLAGE, village(NGEPUNGSARI))) == [
        f"KETUJUH BELAS {letter}" for letter in "abcd"
    ]


def test_loading_again_changes_nothing(instruction):
    instruction.due_days = 15
    instruction.save()
    out = io.StringIO()
    call_command("load_instruction", stdout=out)
    assert "19 diktum, 50 butir" in out.getvalue()
    assert Instruction.objects.count() == 1
    assert Item.objects.count() == 50
    # A setting the admin changed is kept.
    assert Instruction.objects.get().due_days == 15


def test_another_kabupaten_loads_its_own_instruction_without_code(instruction):
    content = """
regency = "34.01"
number = "100/1 Tahun 2026"
title = "Contoh"
place = "Wates"
signed_on = 2026-02-01
signatory = "BUPATI"
signatory_title = "Bupati Kulon Progo"
reporting_period = "monthly"

[[diktum]]
label = "KESATU"
addressee = "villages"
intro = "Para Lurah untuk :"
  [[diktum.items]]
  letter = "a"
  text = "melapor."
  unit = "orang"

[[diktum]]
label = "KEDUA"
addressee = "agency"
agency = "Dinas Sosial"
text = "Kepala Dinas Sosial untuk memverifikasi."
"""
    loaded, counts = instruction_load(content=content)
    assert counts == {"diktum": 2, "butir": 2}
    assert loaded.regency.code == "34.01" and loaded.reporting_period == "monthly"
    assert loaded.reporting_from.isoformat() == "2026-02-01"
    assert Item.objects.get(diktum__instruction=loaded, letter="").agency.short_name == "Dinsos"


def test_a_bad_file_is_refused_whole_with_each_mistake_named(instruction, tmp_path):
    content = """
regency = "33.13"
number = "1/2026"
title = "Salah"
place = "Karanganyar"
signed_on = 2026-01-05
signatory = "X"
signatory_title = "Bupati Karanganyar"

[[diktum]]
label = "KESATU"
addressee = "agency"
agency = "Dinas Tidak Ada"
text = "Sesuatu."

[[diktum]]
label = "KEDUA"
addressee = "semua"
text = "Sesuatu."
"""
    with pytest.raises(CommandError) as error:
        path = tmp_path / "instruksi.toml"
        path.write_text(content, encoding="utf-8")
        call_command("load_instruction", path, stdout=io.StringIO())
    assert "'Dinas Tidak Ada' tidak dikenal" in str(error.value)
    assert "addressee 'semua' tidak dikenal" in str(error.value)
    assert not Instruction.objects.filter(number="1/2026").exists()


def test_item_addressed_to_an_agency_must_name_it(instruction):
    from django.db import IntegrityError, transaction

    diktum = Diktum.objects.get(instruction=instruction, label="KESATU")
    with transaction.atomic(), pytest.raises(IntegrityError):
        Item.objects.create(
            diktum=diktum, position=9, letter="z", text="x", addressee=AddresseeKind.AGENCY
        )


def test_admin_entered_item_must_name_known_figures(instruction):
    from django.core.exceptions import ValidationError

    item = Item.objects.get(diktum__instruction=instruction, diktum__label="KELIMA", letter="d")
    item.figures = ["jumlah_bebas"]
    with pytest.raises(ValidationError, match="tidak dikenal"):
        item.full_clean()
