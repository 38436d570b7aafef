import datetime

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.db import DatabaseError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from audit.services import access_log_purge
from jobs import runner
from jobs.models import Job

# Where the import views keep an upload between its preview and its confirmation.
UPLOADS = "imports"


class Command(BaseCommand):
    help = (
        "Daily housekeeping of background jobs: marks failed the jobs whose worker died, "
        "deletes result files older than JOBS_RESULT_DAYS and uploads whose preview was not "
        "confirmed within JOBS_UPLOAD_HOURS, and prunes finished tasks from the queue. The Job "
        "rows stay. Deletes access-log rows older than ACCESS_LOG_RETENTION_DAYS (run as the "
        "tables' owner on PostgreSQL) and letter checks older than LETTER_CHECK_RETENTION_DAYS."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        stale = runner.fail_stale()
        results = self.remove_results(now - datetime.timedelta(days=settings.JOBS_RESULT_DAYS))
        uploads = self.remove_uploads(now - datetime.timedelta(hours=settings.JOBS_UPLOAD_HOURS))
        tasks, _ = (
            DBTaskResult.objects.finished()
            .filter(finished_at__lt=now - datetime.timedelta(days=settings.JOBS_RESULT_DAYS))
            .delete()
        )
        self.stdout.write(
            f"{stale} pekerjaan terhenti ditandai gagal, {results} berkas hasil dan {uploads} "
            f"unggahan dihapus, {tasks} tugas selesai dibuang dari antrean."
        )
        days = datetime.timedelta(days=1)
        checks = self.remove_letter_checks(now - settings.LETTER_CHECK_RETENTION_DAYS * days)
        try:
            logged = access_log_purge(before=now - settings.ACCESS_LOG_RETENTION_DAYS * days)
        except DatabaseError as error:
            # The app's role may not delete from the access log: only the owner purges it.
            self.stderr.write(
                "Log akses tidak dipangkas: peran basis data ini tidak boleh menghapusnya. "
                f"Jalankan cleanup sebagai pemilik tabel (docs/production.md). ({error})"
            )
            logged = 0
        self.stdout.write(
            f"{logged} baris log akses dan {checks} pemeriksaan surat yang melewati masa "
            "simpannya dihapus."
        )

    def remove_letter_checks(self, before):
        """The QR checks of SKTM letters, with the checker's address. By its label: jobs sits
        below sktm in the layers, and only needs the table's `at`."""
        deleted, _ = apps.get_model("sktm", "LetterCheck").objects.filter(at__lt=before).delete()
        return deleted

    def remove_results(self, before):
        removed = 0
        old = Job.objects.filter(finished_at__lt=before).exclude(result_file="")
        for job in old.iterator():
            job.result_file.delete(save=False)
            Job.objects.filter(pk=job.pk).update(
                result_file="", result_file_removed_at=timezone.now()
            )
            removed += 1
        return removed

    def remove_uploads(self, before):
        """Uploads not waiting for a queued or running import; an interrupted import's is kept
        as long so that it can be started again."""
        if not default_storage.exists(UPLOADS):
            return 0
        in_use = {
            job.params.get("stored")
            for job in Job.objects.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
        }
        removed = 0
        for name in default_storage.listdir(UPLOADS)[1]:
            stored = f"{UPLOADS}/{name}"
            if stored not in in_use and default_storage.get_modified_time(stored) < before:
                default_storage.delete(stored)
                removed += 1
        return removed
