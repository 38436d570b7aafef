from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

import audit
from accounts import permissions
from jobs import runner, services
from jobs.models import Job

PAGE_SIZE = 50


def _visible_job(request, pk):
    # A job whose worker died shows as failed as soon as someone looks at it.
    runner.fail_stale()
    return get_object_or_404(
        Job.objects.visible_to(request.user).select_related("created_by", "restarted_as"),
        pk=pk,
    )


def _job_context(request, job):
    return {"job": job, "can_restart": permissions.can_restart_job(request.user, job)}


@require_safe
def job_list(request):
    """Pekerjaan saya: the user's own jobs (every job, for an admin)."""
    runner.fail_stale()
    jobs = Job.objects.visible_to(request.user).select_related("created_by")
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    shows_owner = any(job.created_by_id != request.user.pk for job in page)
    return render(
        request,
        "jobs/list.html",
        {"page": page, "shows_owner": shows_owner, "result_days": settings.JOBS_RESULT_DAYS},
    )


@require_safe
def detail(request, pk):
    job = _visible_job(request, pk)
    return render(request, "jobs/detail.html", _job_context(request, job))


@require_safe
def progress(request, pk):
    """The status fragment the detail page polls (htmx) until the job ends."""
    job = _visible_job(request, pk)
    return render(request, "jobs/_progress.html", _job_context(request, job))


@require_POST
def restart(request, pk):
    job = _visible_job(request, pk)
    try:
        restarted = services.job_restart(actor=request.user, job=job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(job)
    messages.success(request, "Pekerjaan dimulai lagi.")
    return redirect(restarted)


@require_safe
def download(request, pk):
    job = _visible_job(request, pk)
    if job.status != Job.Status.DONE or not job.result_file:
        raise Http404
    rows = job.result.get("rows") if isinstance(job.result, dict) else None
    audit.record(request, audit.EXPORT, job.result_filename, rows=rows, obj=job)
    return FileResponse(
        job.result_file.open("rb"), as_attachment=True, filename=job.result_filename
    )
