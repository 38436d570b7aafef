import datetime
import time
from typing import Self

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connections, models
from django.urls import reverse
from django.utils import timezone

from accounts import scoping
from accounts.models import User
from jobs import registry

# Progress is written at most this often (seconds), and always at the end.
_PROGRESS_INTERVAL = 0.5


class JobQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> Self:
        """A job and its file belong to whoever started it (and to admins), not to an area:
        its result may cover more than any one village."""
        return scoping.scope_by_owner(self, user, "created_by")

    def stale(self) -> Self:
        """Running jobs whose worker has given no sign of life for JOBS_STALE_SECONDS: it
        was killed or its machine went down."""
        limit = timezone.now() - datetime.timedelta(seconds=settings.JOBS_STALE_SECONDS)
        return self.filter(status=Job.Status.RUNNING, heartbeat_at__lt=limit)


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Menunggu"
        RUNNING = "running", "Berjalan"
        DONE = "done", "Selesai"
        FAILED = "failed", "Gagal"

    kind = models.CharField("jenis", max_length=100)
    params = models.JSONField("parameter", default=dict, blank=True)
    status = models.CharField(
        "status", max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    done = models.PositiveIntegerField("selesai", default=0)
    total = models.PositiveIntegerField("jumlah", null=True, blank=True)
    message = models.CharField("keterangan", max_length=255, blank=True)
    result = models.JSONField("hasil", default=dict, blank=True)
    # Never given a public URL: served only by jobs:download to the owner or an admin.
    result_file = models.FileField("berkas hasil", upload_to="jobs/%Y/%m/", blank=True)
    error = models.TextField("kesalahan", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="dibuat oleh"
    )
    created_at = models.DateTimeField("dibuat", auto_now_add=True)
    started_at = models.DateTimeField("mulai", null=True, blank=True)
    finished_at = models.DateTimeField("selesai", null=True, blank=True)
    # The last sign of life, written with its progress: a running job whose heartbeat stops
    # lost its worker (see JobQuerySet.stale).
    heartbeat_at = models.DateTimeField("kabar terakhir", null=True, blank=True)
    # Failed because its worker stopped, not because of its input: it may be started again.
    is_interrupted = models.BooleanField("terputus", default=False)
    # The task of the queue (django-tasks) that runs it.
    task_id = models.CharField("tugas antrean", max_length=64, blank=True)
    # The job started again in its place, once its owner chose "Mulai lagi".
    restarted_as = models.OneToOneField(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="restarted_from",
        verbose_name="dimulai lagi sebagai",
    )
    # Set by `manage.py cleanup` when it deletes the result file after JOBS_RESULT_DAYS.
    result_file_removed_at = models.DateTimeField("berkas hasil dihapus", null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "pekerjaan latar"
        verbose_name_plural = "pekerjaan latar"
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self):
        return f"{self.label} #{self.pk}"

    def get_absolute_url(self):
        return reverse("jobs:detail", args=[self.pk])

    @property
    def kind_info(self):
        return registry.KINDS.get(self.kind)

    @property
    def label(self):
        return self.kind_info.label if self.kind_info else self.kind

    @property
    def is_finished(self):
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def percent(self):
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)

    @property
    def result_filename(self):
        return self.result_file.name.rsplit("/", 1)[-1] if self.result_file else ""

    def progress(self, done, total=None, message=None):
        """Reports progress; other requests see it while the job still runs."""
        self.done = done
        if total is not None:
            self.total = total
        if message is not None:
            self.message = message[:255]
        now = time.monotonic()
        if now - getattr(self, "_written", 0) < _PROGRESS_INTERVAL and done != self.total:
            return
        self._written = now
        self._write_progress()

    def _write_progress(self):
        fields = {
            "done": self.done,
            "total": self.total,
            "message": self.message,
            "heartbeat_at": timezone.now(),
        }
        connection = connections["default"]
        if not connection.in_atomic_block:
            Job.objects.filter(pk=self.pk).update(**fields)
        elif connection.vendor == "postgresql":
            # Inside the job's transaction: a short UPDATE on a connection of its own commits
            # at once, so the status page sees it.
            side = getattr(self, "_side", None)
            if side is None:
                side = self._side = connections.create_connection("default")
            side.ensure_connection()
            side.set_autocommit(True)
            with side.cursor() as cursor:
                columns = ", ".join(f"{name} = %s" for name in fields)
                cursor.execute(
                    f"UPDATE {Job._meta.db_table} SET {columns} WHERE id = %s",
                    [*fields.values(), self.pk],
                )
        # SQLite has one writer at a time: progress inside a transaction shows when it ends.

    def close_side_connection(self):
        side = getattr(self, "_side", None)
        if side is not None:
            side.close()
            self._side = None

    def attach(self, filename, content):
        """Stores `content` (bytes or a File) as the job's result file."""
        if isinstance(content, bytes):
            content = ContentFile(content)
        self.result_file.save(filename, content, save=False)
