import uuid
from pathlib import PurePath
from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from accounts import scoping
from accounts.models import User
from instructions import periods
from regions.models import Agency, District, Regency, Village

if TYPE_CHECKING:
    from instructions.addressees import Addressee


class ReportingPeriod(models.TextChoices):
    MONTHLY = "monthly", "Bulanan"
    QUARTERLY = "quarterly", "Triwulanan"
    SEMESTER = "semester", "Semesteran"


class AddresseeKind(models.TextChoices):
    AGENCY = "agency", "Perangkat daerah tertentu"
    ALL_AGENCIES = "all_agencies", "Seluruh perangkat daerah"
    DISTRICTS = "districts", "Seluruh Panewu/Camat"
    VILLAGES = "villages", "Seluruh Lurah/Kepala Desa"
    EVERYONE = "everyone", "Seluruh penerima instruksi"


class InstructionQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> Self:
        return scoping.scope_by_regency(self, user, "regency")


class Instruction(models.Model):
    """An Instruksi Bupati: its heading, signature and how often its addressees report."""

    # The kabupaten whose Camat/Panewu and Kepala Desa/Lurah the instruction addresses.
    regency = models.ForeignKey(Regency, models.PROTECT, verbose_name="kabupaten")
    number = models.CharField("nomor", max_length=100)
    title = models.CharField("tentang", max_length=255)
    preamble = models.TextField("konsiderans", blank=True)
    addressed_to = models.TextField("kepada", blank=True)
    closing = models.TextField("penutup", blank=True)
    place = models.CharField("ditetapkan di", max_length=100)
    signed_on = models.DateField("tanggal ditetapkan")
    signatory = models.CharField("nama penanda tangan", max_length=150)
    signatory_title = models.CharField("jabatan penanda tangan", max_length=150)
    reporting_period = models.CharField(
        "periode laporan",
        max_length=10,
        choices=ReportingPeriod.choices,
        default=ReportingPeriod.QUARTERLY,
    )
    reporting_from = models.DateField(
        "laporan dipantau sejak", help_text="Periode pertama yang dilaporkan dalam aplikasi."
    )
    due_days = models.PositiveSmallIntegerField(
        "batas laporan (hari setelah periode berakhir)",
        default=10,
        validators=[MaxValueValidator(90)],
    )
    is_active = models.BooleanField("berlaku", default=True)

    objects = InstructionQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_on", "number"]
        verbose_name = "instruksi bupati"
        verbose_name_plural = "instruksi bupati"
        constraints = [
            models.UniqueConstraint(fields=["regency", "number"], name="instruction_unique_number")
        ]

    def __str__(self):
        return f"Instruksi {self.signatory_title} Nomor {self.number}"

    def period_at(self, start):
        return periods.period_at(start, self.reporting_period, self.due_days)

    def periods_until(self, today):
        """Every period from `reporting_from` to the one holding `today`, oldest first."""
        return periods.periods_between(
            self.reporting_from, today, self.reporting_period, self.due_days
        )


class Diktum(models.Model):
    """One diktum (KESATU, KEDUA, …): its opening words and its lettered items."""

    instruction = models.ForeignKey(
        Instruction, models.CASCADE, related_name="dicta", verbose_name="instruksi"
    )
    position = models.PositiveSmallIntegerField("urutan")
    label = models.CharField("diktum", max_length=40)
    intro = models.TextField("kalimat pembuka", blank=True)
    # KEDELAPAN BELAS (how to report) and KESEMBILAN BELAS are read, not reported on.
    is_reportable = models.BooleanField("dilaporkan", default=True)

    class Meta:
        ordering = ["instruction", "position"]
        verbose_name = "diktum"
        verbose_name_plural = "diktum"
        constraints = [
            models.UniqueConstraint(fields=["instruction", "position"], name="diktum_position"),
            models.UniqueConstraint(fields=["instruction", "label"], name="diktum_label"),
        ]

    def __str__(self):
        return self.label


class ItemQuerySet(models.QuerySet):
    def addressed_to(self, addressee: "Addressee") -> Self:
        """The items an agency, district or village must carry out and report on."""
        return self.filter(addressee.item_condition(), diktum__is_reportable=True)


class Item(models.Model):
    """A lettered item of a diktum (or the diktum's whole text when it has no letters), with
    the addressee who carries it out."""

    diktum = models.ForeignKey(Diktum, models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField("urutan")
    letter = models.CharField("huruf", max_length=2, blank=True)
    text = models.TextField("isi")
    addressee = models.CharField("ditujukan kepada", max_length=20, choices=AddresseeKind.choices)
    agency = models.ForeignKey(
        Agency,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="perangkat daerah",
    )
    # Keys of instructions.figures the system computes as evidence for this item.
    figures = models.JSONField("angka dari sistem", default=list, blank=True)
    figure_unit = models.CharField("satuan angka laporan", max_length=40, blank=True)

    objects = ItemQuerySet.as_manager()

    class Meta:
        ordering = ["diktum__instruction", "diktum__position", "position"]
        verbose_name = "butir instruksi"
        verbose_name_plural = "butir instruksi"
        constraints = [
            models.UniqueConstraint(fields=["diktum", "position"], name="item_position"),
            models.UniqueConstraint(fields=["diktum", "letter"], name="item_letter"),
            models.CheckConstraint(
                condition=Q(addressee=AddresseeKind.AGENCY, agency__isnull=False)
                | (~Q(addressee=AddresseeKind.AGENCY) & Q(agency__isnull=True)),
                name="item_agency_iff_agency_addressee",
                violation_error_message="Perangkat daerah diisi jika dan hanya jika butir "
                "ditujukan kepada perangkat daerah tertentu.",
            ),
        ]

    def __str__(self):
        return self.reference

    def clean(self):
        from instructions.figures import FIGURES

        unknown = [key for key in self.figures or [] if key not in FIGURES]
        if unknown:
            raise ValidationError(
                {
                    "figures": f"Angka sistem tidak dikenal: {', '.join(map(str, unknown))}. "
                    f"Pilihan: {', '.join(FIGURES)}."
                }
            )

    @property
    def reference(self):
        """ "KELIMA b", or "KESATU" for a diktum without letters."""
        return f"{self.diktum.label} {self.letter}".strip()


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draf"
    SUBMITTED = "submitted", "Diajukan, menunggu telaah Panewu/Camat"
    RETURNED = "returned", "Dikembalikan untuk diperbaiki"
    DELIVERED = "delivered", "Disampaikan kepada Bupati melalui Sekda"


_EDITABLE_STATUSES = [ReportStatus.DRAFT, ReportStatus.RETURNED]


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> Self:
        return scoping.scope_by_addressee(self, user, "", "instruction__regency")


class Report(models.Model):
    """One addressee's implementation report for one period (diktum KEDELAPAN BELAS)."""

    instruction = models.ForeignKey(
        Instruction, models.PROTECT, related_name="reports", verbose_name="instruksi"
    )
    # Exactly one addressee: an agency, a district (its Camat) or a village (its Kepala Desa).
    agency = models.ForeignKey(
        Agency,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="perangkat daerah",
    )
    district = models.ForeignKey(
        District,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="kapanewon/kecamatan",
    )
    village = models.ForeignKey(
        Village,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="kalurahan/desa",
    )
    period_start = models.DateField("awal periode")
    status = models.CharField(
        "status", max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    # The addressee's first submission: what the overview measures against the due date.
    submitted_at = models.DateTimeField("diajukan", null=True, blank=True)
    delivered_at = models.DateTimeField("sampai di Sekda", null=True, blank=True)
    return_note = models.TextField("catatan pengembalian", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="dibuat oleh"
    )
    created_at = models.DateTimeField("dibuat", auto_now_add=True)
    updated_at = models.DateTimeField("diubah", auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["instruction", "-period_start", "pk"]
        verbose_name = "laporan pelaksanaan instruksi"
        verbose_name_plural = "laporan pelaksanaan instruksi"
        constraints = [
            models.CheckConstraint(
                condition=Q(agency__isnull=False, district__isnull=True, village__isnull=True)
                | Q(agency__isnull=True, district__isnull=False, village__isnull=True)
                | Q(agency__isnull=True, district__isnull=True, village__isnull=False),
                name="report_one_addressee",
            ),
            *(
                models.UniqueConstraint(
                    fields=["instruction", field, "period_start"],
                    condition=Q(**{f"{field}__isnull": False}),
                    name=f"report_one_per_period_{field}",
                    violation_error_message="Laporan periode ini sudah ada.",
                )
                for field in ("agency", "district", "village")
            ),
            models.CheckConstraint(
                condition=Q(status=ReportStatus.DRAFT) | Q(submitted_at__isnull=False),
                name="report_submitted_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.DELIVERED) | Q(delivered_at__isnull=False),
                name="report_delivered_has_date",
            ),
        ]

    def __str__(self):
        return f"Laporan {self.addressee_name} {self.period.label}"

    @property
    def period(self):
        return self.instruction.period_at(self.period_start)

    @property
    def addressee_kind(self):
        if self.agency_id:
            return "agency"
        return "district" if self.district_id else "village"

    @property
    def addressee_name(self):
        return str(self.agency or self.district or self.village)

    @property
    def is_editable(self):
        return self.status in _EDITABLE_STATUSES


class LineStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Belum dimulai"
    IN_PROGRESS = "in_progress", "Berjalan"
    DONE = "done", "Selesai"


class ReportLine(models.Model):
    """What the addressee reports on one item: status, narrative and an optional figure."""

    report = models.ForeignKey(Report, models.CASCADE, related_name="lines", verbose_name="laporan")
    item = models.ForeignKey(Item, models.PROTECT, related_name="+", verbose_name="butir instruksi")
    status = models.CharField(
        "status", max_length=20, choices=LineStatus.choices, default=LineStatus.NOT_STARTED
    )
    narrative = models.TextField("uraian pelaksanaan", blank=True)
    figure = models.DecimalField("angka", max_digits=18, decimal_places=2, null=True, blank=True)
    figure_unit = models.CharField("satuan", max_length=40, blank=True)

    class Meta:
        ordering = ["report", "item__diktum__position", "item__position"]
        verbose_name = "butir laporan"
        verbose_name_plural = "butir laporan"
        constraints = [
            models.UniqueConstraint(fields=["report", "item"], name="report_line_per_item"),
            models.CheckConstraint(
                condition=Q(figure__isnull=True) | Q(figure__gte=0), name="report_line_figure"
            ),
        ]

    def __str__(self):
        return f"{self.report} · {self.item.reference}"


class AttachmentQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> Self:
        return scoping.scope_by_addressee(
            self, user, "line__report__", "line__report__instruction__regency"
        )


def attachment_path(attachment, filename):
    # A random name: the stored path never carries what the uploader typed.
    suffix = PurePath(filename).suffix.lower()
    return f"instruksi/{attachment.line.report_id}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """Evidence for a report line (PDF, JPEG or PNG), served only through a checked view."""

    line = models.ForeignKey(
        ReportLine, models.CASCADE, related_name="attachments", verbose_name="butir laporan"
    )
    file = models.FileField("berkas", upload_to=attachment_path)
    name = models.CharField("nama berkas", max_length=255)
    content_type = models.CharField("jenis", max_length=50)
    size = models.PositiveIntegerField("ukuran (byte)")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="diunggah oleh"
    )
    uploaded_at = models.DateTimeField("diunggah", auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["line", "uploaded_at"]
        verbose_name = "lampiran laporan"
        verbose_name_plural = "lampiran laporan"

    def __str__(self):
        return self.name


class ReportEvent(models.Model):
    """The report's history: every submission, return and forwarding."""

    report = models.ForeignKey(
        Report, models.CASCADE, related_name="events", verbose_name="laporan"
    )
    from_status = models.CharField("dari", max_length=20, choices=ReportStatus.choices, blank=True)
    to_status = models.CharField("menjadi", max_length=20, choices=ReportStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="oleh"
    )
    note = models.TextField("catatan", blank=True)
    at = models.DateTimeField("waktu", auto_now_add=True)

    class Meta:
        ordering = ["report", "at", "pk"]
        verbose_name = "riwayat laporan"
        verbose_name_plural = "riwayat laporan"

    def __str__(self):
        return f"{self.report}: {self.to_status}"
