"""The Sekda's and Bupati's overview: addressee × period, each cell submitted, late, missing,
returned or not yet due on a given date."""

from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone

from accounts import permissions
from accounts.scoping import villages_for
from instructions.addressees import AGENCY, DISTRICT, VILLAGE, Addressee
from instructions.models import AddresseeKind, Item, Report, ReportStatus
from regions.models import Agency, District


class CellStatus(models.TextChoices):
    SUBMITTED = "submitted", "Masuk"
    LATE = "late", "Terlambat"
    MISSING = "missing", "Tidak ada"
    RETURNED = "returned", "Dikembalikan"
    OPEN = "open", "Belum jatuh tempo"


class RowKind(models.TextChoices):
    TO_SEKDA = "sekda", "Perangkat daerah dan Camat"
    VILLAGES = "villages", "Desa/kelurahan"


def _cell_status(report, period, today):
    """What the overview shows for one addressee and period on `today`. A report counts from
    its first submission: on or before the due date it is in, after it is late. No submission
    by the due date is missing; a report back with its author is returned."""
    if report is not None and report.status == ReportStatus.RETURNED:
        return CellStatus.RETURNED
    if report is not None and report.submitted_at is not None:
        submitted_on = timezone.localdate(report.submitted_at)
        return CellStatus.SUBMITTED if submitted_on <= period.due else CellStatus.LATE
    return CellStatus.MISSING if period.is_overdue(today) else CellStatus.OPEN


@dataclass
class Cell:
    status: str
    report: Report | None

    @property
    def label(self):
        return CellStatus(self.status).label

    @property
    def is_with_district(self):
        """A village report submitted to its Camat and not yet forwarded."""
        return self.report is not None and self.report.status == ReportStatus.SUBMITTED


@dataclass
class Row:
    addressee: Addressee
    cells: list


@dataclass
class Matrix:
    instruction: object
    today: object
    periods: list
    rows: list
    totals: dict = field(default_factory=dict)


def _addressees(instruction, user, kind, district_code=""):
    """The addressees the user may oversee, of the rows chosen."""
    items = Item.objects.filter(diktum__instruction=instruction, diktum__is_reportable=True)
    kinds = set(items.values_list("addressee", flat=True))
    villages = villages_for(user).filter(district__regency=instruction.regency)
    if kind == RowKind.VILLAGES:
        if AddresseeKind.VILLAGES not in kinds:
            return []
        if district_code:
            villages = villages.filter(district__code=district_code)
        return [Addressee(VILLAGE, v) for v in villages.select_related("district")]
    # Agencies' and Camat's reports go to the Sekda; a Camat oversees its own villages only.
    if not permissions.can_oversee_instructions(user):
        return []
    result = []
    if kinds & {AddresseeKind.AGENCY, AddresseeKind.ALL_AGENCIES}:
        agencies = Agency.objects.all()
        if AddresseeKind.ALL_AGENCIES not in kinds:
            agencies = agencies.filter(pk__in=items.values("agency"))
        result += [Addressee(AGENCY, agency) for agency in agencies]
    if AddresseeKind.DISTRICTS in kinds:
        districts = District.objects.filter(regency=instruction.regency)
        result += [Addressee(DISTRICT, district) for district in districts]
    return result


def build(
    instruction, user, *, kind=RowKind.TO_SEKDA, district_code="", year=None, status="", today=None
):
    today = today or timezone.localdate()
    periods = instruction.periods_until(today)
    if year:
        periods = [period for period in periods if period.start.year == year]
    rows_of = _addressees(instruction, user, kind, district_code)
    reports = Report.objects.visible_to(user).filter(
        instruction=instruction, period_start__in=[period.start for period in periods]
    )
    reports = reports.filter(village__isnull=kind != RowKind.VILLAGES)
    by_key = {
        ((r.addressee_kind, r.agency_id or r.district_id or r.village_id), r.period_start): r
        for r in reports
    }
    rows = []
    totals = dict.fromkeys(CellStatus.values, 0)
    for addressee in rows_of:
        cells = []
        for period in periods:
            report = by_key.get((addressee.key, period.start))
            cells.append(Cell(_cell_status(report, period, today), report))
        if status and not any(cell.status == status for cell in cells):
            continue
        for cell in cells:
            totals[cell.status] += 1
        rows.append(Row(addressee, cells))
    return Matrix(instruction, today, periods, rows, totals)
