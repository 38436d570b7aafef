import datetime

from django.core.management.base import BaseCommand

from jobs.runner import run_pending


class Command(BaseCommand):
    help = (
        "Runs the jobs still queued (e.g. after a restart) and marks failed those left "
        "running without a sign of life."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale-minutes",
            type=int,
            default=15,
            help="a running job silent this long is marked failed (default 15)",
        )

    def handle(self, *args, stale_minutes, **options):
        failed, ran = run_pending(datetime.timedelta(minutes=stale_minutes))
        self.stdout.write(
            f"{failed} pekerjaan terhenti ditandai gagal, {ran} pekerjaan dijalankan."
        )
