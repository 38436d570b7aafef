from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

import audit
from jobs.models import Job


def visible_job(request, pk):
    return get_object_or_404(Job.objects.visible_to(request.user), pk=pk)


@require_safe
def detail(request, pk):
    return render(request, "jobs/detail.html", {"job": visible_job(request, pk)})


@require_safe
def progress(request, pk):
    """The status fragment the detail page polls (htmx) until the job ends."""
    return render(request, "jobs/_progress.html", {"job": visible_job(request, pk)})


@require_safe
def download(request, pk):
    job = visible_job(request, pk)
    if job.status != Job.Status.DONE or not job.result_file:
        raise Http404
    rows = job.result.get("rows") if isinstance(job.result, dict) else None
    audit.record(request, audit.EXPORT, job.result_filename, rows=rows, obj=job)
    return FileResponse(
        job.result_file.open("rb"), as_attachment=True, filename=job.result_filename
    )
