"""Letter numbers, QR codes and the PDFs of the SKTM (Lampiran C) and of Lampiran A."""

from pathlib import Path

import segno
from django.conf import settings
from django.template import Context, Template
from django.template.loader import render_to_string
from weasyprint import HTML

from regions import terminology
from sktm import scoring

DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "default_letter.html"
ROMAN_MONTHS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def letter_number(sequence, village, issued_on):
    return settings.SKTM_NUMBER_FORMAT.format(
        seq=sequence,
        village_code=village.code,
        month=issued_on.month,
        month_roman=ROMAN_MONTHS[issued_on.month - 1],
        year=issued_on.year,
    )


def qr_svg(url):
    """An inline SVG QR code of the URL."""
    return segno.make(url, error="m").svg_inline(scale=3, border=1)


def pdf(html, base_url):
    return HTML(string=html, base_url=base_url).write_pdf()


def page_style(landscape=False):
    # F4 (folio) is common for Indonesian government letters: 215 × 330 mm.
    if settings.LETTER_PAPER.upper() == "F4":
        return "330mm 215mm" if landscape else "215mm 330mm"
    return "A4 landscape" if landscape else "A4"


def letter_html(letter, verify_url):
    from sktm.models import LetterTemplate

    template = LetterTemplate.objects.first()
    # An admin may delete every template: the letter then uses the shipped one.
    body = template.body if template else DEFAULT_TEMPLATE.read_text()
    context = {
        "letter": letter,
        "form": letter.form,
        "person": letter.person,
        "village": letter.village,
        "terms": terminology.current(),
        "members": letter.person.household.members.order_by("relationship", "birth_date"),
        "qr_svg": qr_svg(verify_url),
        "verify_url": verify_url,
        "threshold": scoring.THRESHOLD,
    }
    body = Template(body).render(Context(context))
    return render_to_string(
        "sktm/pdf_page.html", {"body": body, "page_size": page_style(), "title": letter.number}
    )


def form_html(form=None):
    """Lampiran A, filled from a form or blank for handwriting."""
    body = render_to_string(
        "sktm/lampiran_a.html",
        {
            "form": form,
            "rows": form.answers() if form else [(i, None) for i in scoring.INDICATORS],
            "terms": terminology.current(),
            "threshold": scoring.THRESHOLD,
        },
    )
    return render_to_string(
        "sktm/pdf_page.html", {"body": body, "page_size": page_style(), "title": "Lampiran A"}
    )


def combined_pdf(htmls, base_url):
    """Several HTML documents as one PDF, each starting on a new page."""
    documents = [HTML(string=html, base_url=base_url).render() for html in htmls]
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()
