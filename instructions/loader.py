"""Loading an instruction from its structured text (TOML, see fixtures/instructions/).

All rows are checked first and written in one transaction: a file with one mistake writes
nothing and the error names it. Loading the same file again changes nothing; the text of a
diktum or item already loaded is brought in line with the file, while the reporting settings
(period, first period, due days) stay as an admin set them.
"""

import datetime
import tomllib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from instructions import figures
from instructions.models import AddresseeKind, Diktum, Instruction, Item, ReportingPeriod
from regions.models import Agency, Regency
from regions.months import month_start

_REQUIRED = ["regency", "number", "title", "place", "signed_on", "signatory", "signatory_title"]
_PARKED = 1000  # positions of rows not (yet) seen in the file being loaded
_TEXT_FIELDS = ["title", "preamble", "addressed_to", "closing", "place", "signatory"]


def parse(content):
    try:
        return tomllib.loads(content.decode("utf-8") if isinstance(content, bytes) else content)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ValidationError(f"Berkas instruksi bukan TOML UTF-8 yang sah: {error}") from error


def _find_agency(name, agencies):
    matches = [a for a in agencies if name in (a.short_name, a.name)]
    return matches[0] if len(matches) == 1 else None


def _checked_items(number, diktum, agencies, errors):
    """The diktum's items as dicts ready to save, appending any mistake to `errors`."""
    where = f"Diktum {number} ({diktum.get('label', '?')})"
    kind = diktum.get("addressee", "")
    if kind not in AddresseeKind.values:
        errors.append(f"{where}: addressee '{kind}' tidak dikenal ({', '.join(AddresseeKind)}).")
        return []
    agency = None
    if kind == AddresseeKind.AGENCY:
        agency = _find_agency(diktum.get("agency", ""), agencies)
        if agency is None:
            errors.append(f"{where}: perangkat daerah '{diktum.get('agency', '')}' tidak dikenal.")
    if ("text" in diktum) == ("items" in diktum):
        errors.append(f"{where}: isi salah satu dari 'text' atau [[diktum.items]].")
        return []
    raw_items = [diktum] if "text" in diktum else diktum["items"]
    items = []
    letters = set()
    for position, raw in enumerate(raw_items, start=1):
        letter = "" if "text" in diktum else str(raw.get("letter", "")).strip()
        text = str(raw.get("text", "")).strip()
        if not text:
            errors.append(f"{where} butir {letter or position}: isi kosong.")
        if "items" in diktum and (not letter or letter in letters):
            errors.append(f"{where} butir {position}: huruf kosong atau ganda.")
        letters.add(letter)
        keys = raw.get("figures", [])
        unknown = [key for key in keys if key not in figures.FIGURES]
        if unknown:
            errors.append(f"{where} butir {letter}: angka sistem {unknown} tidak dikenal.")
        items.append(
            {
                "position": position,
                "letter": letter,
                "text": text,
                "addressee": kind,
                "agency": agency,
                "figures": list(keys),
                "figure_unit": str(raw.get("unit", "")),
            }
        )
    return items


def instruction_load(*, content, regency_code=None):
    """Creates or updates the instruction in `content` (TOML). `regency_code` applies it to
    another loaded kabupaten than the one the file names. Returns (instruction, counts)."""
    data = parse(content)
    errors = [f"Kolom '{field}' wajib diisi." for field in _REQUIRED if not data.get(field)]
    regency = Regency.objects.filter(code=regency_code or data.get("regency")).first()
    if regency is None:
        errors.append(f"Kabupaten '{regency_code or data.get('regency')}' belum dimuat.")
    period = data.get("reporting_period", ReportingPeriod.QUARTERLY)
    if period not in ReportingPeriod.values:
        errors.append(f"reporting_period '{period}' tidak dikenal ({', '.join(ReportingPeriod)}).")
    for field in ("signed_on", "reporting_from"):
        if field in data and not isinstance(data[field], datetime.date):
            errors.append(f"Kolom '{field}' harus tanggal (YYYY-MM-DD).")
    agencies = list(Agency.objects.all())
    dicta = data.get("diktum", [])
    if not dicta:
        errors.append("Instruksi tanpa diktum.")
    labels = [d.get("label", "") for d in dicta]
    errors += [f"Diktum '{label}' ganda atau tanpa label." for label in labels if not label]
    errors += [f"Diktum '{lbl}' ganda." for lbl in sorted(set(labels)) if labels.count(lbl) > 1]
    checked = [
        (number, d, _checked_items(number, d, agencies, errors))
        for number, d in enumerate(dicta, start=1)
    ]
    if errors:
        raise ValidationError(errors)

    counts = {"diktum": 0, "butir": 0}
    with transaction.atomic():
        signed_on = data["signed_on"]
        instruction, _ = Instruction.objects.update_or_create(
            regency=regency,
            number=data["number"],
            defaults={
                **{field: str(data.get(field, "")).strip() for field in _TEXT_FIELDS},
                "signed_on": signed_on,
                "signatory_title": data["signatory_title"],
            },
            create_defaults={
                **{field: str(data.get(field, "")).strip() for field in _TEXT_FIELDS},
                "signed_on": signed_on,
                "signatory_title": data["signatory_title"],
                "reporting_period": period,
                "reporting_from": data.get("reporting_from", month_start(signed_on)),
                "due_days": data.get("due_days", 10),
            },
        )
        # Positions are re-set from the file; park the old ones out of the way first so the
        # unique (instruction, position) never clashes while rows move.
        Diktum.objects.filter(instruction=instruction).update(position=F("position") + _PARKED)
        for number, raw, items in checked:
            diktum, _ = Diktum.objects.update_or_create(
                instruction=instruction,
                label=raw["label"],
                defaults={
                    "position": number,
                    "intro": str(raw.get("intro", "")).strip(),
                    "is_reportable": bool(raw.get("reportable", True)),
                },
            )
            counts["diktum"] += 1
            Item.objects.filter(diktum=diktum).update(position=F("position") + _PARKED)
            for item in items:
                Item.objects.update_or_create(
                    diktum=diktum,
                    letter=item["letter"],
                    defaults={k: v for k, v in item.items() if k != "letter"},
                )
                counts["butir"] += 1
        stale = [
            *Diktum.objects.filter(instruction=instruction, position__gte=_PARKED),
            *Item.objects.filter(diktum__instruction=instruction, position__gte=_PARKED),
        ]
        if stale:
            raise ValidationError(
                "Berkas tidak lagi memuat diktum/butir yang sudah tersimpan "
                f"({', '.join(str(row) for row in stale[:5])}); hapus lewat admin bila dicabut."
            )
    return instruction, counts
