"""What views share around a service or a file: a service's outcome as messages, and PDFs and
workbooks as downloads. In accounts, the lowest app with views, so every app above may use it;
the acting user a service receives is an account."""

import tempfile

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def run_service(request, success_message, service, **kwargs):
    """Calls `service` as the request's user: its result with a success message, or None with
    the refusal's messages."""
    try:
        result = service(actor=request.user, **kwargs)
    except ValidationError as error:
        refuse(request, error)
        return None
    messages.success(request, success_message)
    return result


def refuse(request, error):
    """A service's refusal as one error message per reason."""
    for message in error.messages:
        messages.error(request, message)


def pdf_response(content, filename, inline=False):
    response = HttpResponse(content, content_type=PDF)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def xlsx_response(write, filename):
    """Calls `write(output)` on a temporary file (never the whole workbook in memory) and
    streams it."""
    output = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    write(output)
    output.seek(0)
    return FileResponse(output, as_attachment=True, filename=filename, content_type=XLSX)
