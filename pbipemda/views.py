import datetime
import json

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from weasyprint import HTML

import audit
from accounts import permissions
from accounts.responses import pdf_response
from pbipemda import subject_access
from pbipemda.forms import SubjectAccessForm
from people.models import Person


@require_http_methods(["GET", "POST"])
def subject_access_export(request):
    """An admin downloads everything held about one NIK, as PDF or JSON, for the person who
    asked (UU 27/2022 Pasal 7); each download is logged."""
    permissions.require(permissions.can_export_subject_data(request.user))
    form = SubjectAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        nik, kind = form.cleaned_data["nik"], form.cleaned_data["format"]
        data = subject_access.subject_data(nik)
        rows = subject_access.row_count(data)
        if rows:
            filename = f"data-pribadi-{nik}.{kind}"
            audit.record(
                request,
                audit.EXPORT,
                f"Data pribadi NIK {nik} ({kind.upper()})",
                rows=rows,
                obj=Person.objects.filter(nik=nik).first(),
            )
            return _pdf(data, filename) if kind == "pdf" else _json(data, filename)
        form.add_error("nik", "Tidak ada data apa pun tentang NIK ini.")
    return render(request, "pbipemda/subject_access.html", {"form": form})


def _json(data, filename):
    content = json.dumps(subject_access.as_json(data), ensure_ascii=False, indent=2)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _pdf(data, filename):
    sections = [
        {
            "title": section.title,
            "rows": [[(key, _text(value)) for key, value in row.items()] for row in section.rows],
        }
        for section in data["sections"]
    ]
    html = render_to_string(
        "pbipemda/subject_access_pdf.html",
        {"nik": data["nik"], "produced_at": data["produced_at"], "sections": sections},
    )
    return pdf_response(HTML(string=html, url_fetcher=_fetch_nothing).write_pdf(), filename)


def _fetch_nothing(url, *args, **kwargs):
    """The document needs no file or address: none is fetched."""
    raise ValueError(f"Tidak mengambil {url}")


def _text(value):
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value):%d-%m-%Y %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%d-%m-%Y}"
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_text(item)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(_text(item) for item in value)
    return str(value)
