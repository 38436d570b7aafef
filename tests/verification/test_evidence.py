"""Evidence reads as words a person understands, never as the keys the code stores it under
(issue 15 §6): one table of labels and value formats, used wherever evidence is shown."""

import ast
import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse

from enrollment import services as ledger
from enrollment.models import Ground, Kind, LedgerEntry, RegistryRecord, RegistrySource
from tests.builders import DTKS_EVIDENCE, JAN, LONG_AGO, enrolled, propose
from tests.factories import PersonFactory, faskes
from verification import evidence
from verification.forms import GROUND_FIELDS, ground_evidence
from verification.models import ProposalItem
from verification.services import item_add

ROOT = Path(__file__).resolve().parents[2]
# Where evidence is written: the services, the forms that build it, and the commands that load
# demo and synthetic data through the same fields.
SOURCE_APPS = [
    "enrollment",
    "verification",
    "bpjs",
    "feeds",
    "oversight",
    "instructions",
    "synthetic",
    "people",
]


def _constant(node):
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _dict_keys(node):
    if isinstance(node, ast.Dict):
        return {key for key in map(_constant, node.keys) if key}
    return set()


def _is_evidence(node):
    """`evidence`, `self.evidence`, `item.evidence`, `evidence["x"]`'s container."""
    return (isinstance(node, ast.Name) and node.id == "evidence") or (
        isinstance(node, ast.Attribute) and node.attr == "evidence"
    )


def keys_in_source(tree):
    """Every evidence key a module writes or reads: `evidence["key"]`, `evidence.get("key")`,
    `_require(evidence, "key", …)`, dict literals given as `evidence=`, assigned to or merged
    into `evidence`, and those returned by functions named for evidence."""
    keys = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and _is_evidence(node.value):
            keys.add(_constant(node.slice))
        elif isinstance(node, ast.Call):
            function = node.func
            is_get = isinstance(function, ast.Attribute) and function.attr == "get"
            if is_get and _is_evidence(function.value) and node.args:
                keys.add(_constant(node.args[0]))
            if isinstance(function, ast.Name) and function.id == "_require":
                keys.update(_constant(arg) for arg in node.args[1:])
            for keyword in node.keywords:
                if keyword.arg == "evidence":
                    keys |= _dict_keys(keyword.value)
        elif isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(_is_evidence(target) for target in targets):
                keys |= _dict_keys(node.value)
        elif isinstance(node, ast.FunctionDef) and "evidence" in node.name:
            for inner in ast.walk(node):
                if isinstance(inner, ast.Return) and inner.value is not None:
                    keys |= _dict_keys(inner.value)
    return keys - {None}


def written_keys():
    keys = set()
    for app in SOURCE_APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                keys |= keys_in_source(ast.parse(path.read_text(), str(path)))
    return keys


def test_every_evidence_key_in_the_code_has_a_label():
    keys = written_keys()
    # The scan finds what the services write (a scan that found nothing would prove nothing).
    assert {"has_other_cover", "death_date", "registry_record", "moved_on", "since"} <= keys
    assert {"bpjs_reason", "card_number"} <= keys
    assert keys - set(evidence.LABELS) - evidence.HIDDEN == set()


def test_the_scan_finds_a_key_written_without_a_label():
    tree = ast.parse(
        "def removal_checks(evidence):\n"
        "    evidence['burial_place'] = 'x'\n"
        "    return evidence.get('widow_nik')\n"
        "ledger(evidence={'heir': 1})\n"
    )
    assert keys_in_source(tree) == {"burial_place", "widow_nik", "heir"}


@pytest.mark.parametrize("ground", list(GROUND_FIELDS))
def test_every_evidence_key_a_form_records_has_a_label(ground):
    filled = {
        name: datetime.date(2026, 1, 10) if "date" in name or name.endswith("_on") else "1"
        for name in GROUND_FIELDS[ground]
    }
    assert set(ground_evidence(ground, filled)) <= set(evidence.LABELS)


def test_the_registry_listing_evidence_has_labels_or_stays_hidden():
    listing = RegistryRecord(
        nik="3401010101010001",
        source=RegistrySource.DTSEN,
        registry_id="DTSEN-1",
        desil=2,
        data_period=datetime.date(2026, 10, 1),
    )
    keys = set(listing.as_evidence(datetime.date(2026, 11, 23)))
    assert keys <= set(evidence.LABELS) | evidence.HIDDEN


def test_values_read_as_a_letter_writes_them():
    items = dict(
        evidence.evidence_items(
            {
                "has_other_cover": False,
                "death_date": "2026-01-10",
                "data_period": "2026-11",
                "segment": "ppu",
                "desil": 2,
                "registry_record": 41,
            }
        )
    )
    assert items == {
        "Memiliki jaminan kesehatan lain": "tidak",
        "Tanggal meninggal": "10 Januari 2026",
        "Periode data": "November 2026",
        "Pindah ke segmen": "PPU (pekerja penerima upah)",
        "Desil": 2,
    }


@pytest.mark.parametrize(
    ("key", "value", "shown"),
    [
        ("has_other_cover", True, "ya"),
        ("checked_on", "2025-12-15", "15 Desember 2025"),
        ("checked_on", "kemarin", "kemarin"),
        ("data_period", "2025-Q4", "2025-Q4"),
        ("data_period", "2026-13", "2026-13"),
        ("data_period", "2026-03-01", "Maret 2026"),
        ("segment", "lain", "lain"),
        ("dtks_id", "DTSEN-1", "DTSEN-1"),
    ],
)
def test_each_value_format(key, value, shown):
    assert evidence.value_text(key, value) == shown


def test_a_key_no_label_knows_shows_its_value_not_its_key():
    assert list(evidence.evidence_items({"burial_place": "Temon"})) == [
        ("Keterangan lain", "Temon")
    ]
    assert list(evidence.evidence_items(None)) == []


def test_the_template_filters_give_labels_and_a_heading_in_words():
    rendered = Template(
        "{% load evidence_tags %}{% for label, value in e|evidence_items %}"
        "{{ label }}: {{ value }};{% endfor %} {{ ground|ground_heading }}"
    ).render(Context({"e": {"has_other_cover": False}, "ground": Ground.SKTM}))
    assert rendered == (
        "Memiliki jaminan kesehatan lain: tidak; "
        "Bukti untuk ayat (4) c.2: memiliki SKTM dari Lurah setempat"
    )


def test_an_usulan_shows_its_evidence_in_words(client, proposal, operator_a, admin_user):
    propose(operator_a, proposal, PersonFactory(domicile_since=LONG_AGO))
    died = enrolled(admin_user, month=datetime.date(2026, 1, 1))
    item_add(
        actor=operator_a,
        proposal=proposal,
        item=ProposalItem(
            person=died,
            kind=Kind.REMOVAL,
            ground=Ground.DIED,
            evidence={"death_date": "2026-01-10", "death_certificate": "AK-1"},
        ),
    )
    client.force_login(operator_a)
    page = client.get(reverse("verification:proposal_detail", args=[proposal.pk])).content
    text = page.decode()
    assert "Memiliki jaminan kesehatan lain: tidak" in text
    assert "Tanggal dicek: 15 Desember 2025" in text
    assert "Tanggal meninggal: 10 Januari 2026" in text
    for key in ("has_other_cover", "checked_on", "death_date", "data_period", "False"):
        assert key not in text


TICK = "Centang pernyataan bahwa penduduk tidak memiliki jaminan kesehatan lain"


@pytest.mark.parametrize("declaration", [{}, {"has_other_cover": None}, {"has_other_cover": ""}])
def test_a_missing_no_other_cover_declaration_says_what_to_tick(verifier, declaration):
    resident = PersonFactory(domicile_since=LONG_AGO)
    evidence = {key: value for key, value in DTKS_EVIDENCE.items() if key != "has_other_cover"}
    with pytest.raises(ValidationError) as refused:
        ledger.participant_add(
            actor=verifier,
            person=resident,
            ground=Ground.DTKS,
            effective_month=JAN,
            evidence={**evidence, **declaration},
            faskes=faskes(),
        )
    assert refused.value.messages[0].startswith(TICK)
    assert "sudah memiliki" not in refused.value.messages[0]
    assert not LedgerEntry.objects.exists()


def test_a_declared_other_cover_is_refused_as_such(verifier):
    resident = PersonFactory(domicile_since=LONG_AGO)
    with pytest.raises(ValidationError) as refused:
        ledger.participant_add(
            actor=verifier,
            person=resident,
            ground=Ground.DTKS,
            effective_month=JAN,
            evidence={**DTKS_EVIDENCE, "has_other_cover": True},
            faskes=faskes(),
        )
    assert refused.value.messages == [f"{resident.name} sudah memiliki jaminan kesehatan lain."]
