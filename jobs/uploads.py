"""The two steps every import shares: the upload, kept under a name of its own for the preview
job, and the confirmation that starts the import job once, whatever the number of clicks."""

import uuid
from pathlib import PurePath

from django import forms
from django.contrib import messages
from django.core.files.storage import default_storage
from django.shortcuts import redirect

import jobs
from jobs.models import Job

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
SUFFIXES = (".xlsx", ".csv")
ALREADY_SAVED = "Berkas ini sudah diproses; unggah lagi bila perlu."


def checked_upload(upload):
    """A form's uploaded import file: an .xlsx or .csv of at most 50 MB."""
    if PurePath(upload.name).suffix.lower() not in SUFFIXES:
        raise forms.ValidationError("Unggah berkas .xlsx atau .csv.")
    if upload.size > MAX_UPLOAD_BYTES:
        raise forms.ValidationError("Berkas lebih dari 50 MB.")
    return upload


def kept(upload) -> str:
    """The upload saved for its preview job; returns the storage name."""
    suffix = PurePath(upload.name).suffix.lower()
    return default_storage.save(f"imports/{uuid.uuid4().hex}{suffix}", upload)


def confirm_preview(request, preview_kind: str, import_kind: str, back: str):
    """Step 2: the import job of the user's confirmable preview posted as `job`, started once;
    otherwise back to `back` with the reason. The caller has checked the user's role."""
    pk = request.POST.get("job", "")
    preview = (
        Job.objects.visible_to(request.user)
        .filter(pk=pk if pk.isdigit() else None, kind=preview_kind, status=Job.Status.DONE)
        .first()
    )
    if preview is None or not preview.result.get("is_confirmable"):
        messages.error(request, "Pratinjau tidak sah; unggah berkas lagi.")
        return redirect(back)
    if not default_storage.exists(preview.params["stored"]):
        messages.error(request, ALREADY_SAVED)
        return redirect(back)
    # One preview, one save: of parallel confirmations (a double click, three tabs) only the
    # one whose UPDATE still finds the preview confirmable starts the job. The claim commits
    # on its own, so no lock is held while an inline job runs.
    claimed = Job.objects.filter(pk=preview.pk, result__is_confirmable=True).update(
        result={**preview.result, "is_confirmable": False, "is_confirmed": True}
    )
    if not claimed:
        messages.error(request, ALREADY_SAVED)
        return redirect(back)
    return redirect(jobs.start(import_kind, request.user, **preview.params))
