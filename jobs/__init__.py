"""Background jobs with progress: long imports and exports run outside the web request.

from jobs import register, start

@register("enrollment.participants_import", label="Impor peserta")
def participants_import(job, *, stored, filename):
    ...
    job.progress(done, total)
    return {"added": added}  # shown by the kind's result template

job = start("enrollment.participants_import", request.user, stored=..., filename=...)
return redirect(job)  # the status page polls until the job ends
"""


def register(kind, **options):
    from jobs.registry import register

    return register(kind, **options)


def start(kind, user, **params):
    from jobs.runner import start

    return start(kind, user, **params)
