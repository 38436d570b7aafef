from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import permissions
from accounts.models import User
from jobs import runner
from jobs.models import Job


def job_restart(*, actor: User, job: Job) -> Job:
    """Starts a job cut off by the loss of its worker again, with the same parameters."""
    permissions.require(permissions.can_restart_job(actor, job))
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if not (job.status == Job.Status.FAILED and job.is_interrupted):
            raise ValidationError("Hanya pekerjaan yang terhenti yang dapat dimulai lagi.")
        if job.restarted_as_id:
            raise ValidationError("Pekerjaan ini sudah dimulai lagi.")
        restarted = runner.start(job.kind, actor, **job.params)
        Job.objects.filter(pk=job.pk).update(restarted_as=restarted)
    return restarted
