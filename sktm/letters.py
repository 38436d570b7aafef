"""Letter numbers, QR codes and the PDFs of the SKTM (Lampiran C) and of Lampiran A."""

import base64
import mimetypes
import posixpath
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured, SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template import Context, Engine
from django.template.loader import render_to_string
from django.urls import reverse
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

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


def public_base_url(request=None):
    """The site's public address, where a letter's QR code leads: PUBLIC_BASE_URL, else the
    first named host of ALLOWED_HOSTS over https; the request's own host only in DEBUG. Never
    the host a download came through in production: a Lurah on an internal address or a forged
    Host header would print a QR code nobody outside can open (issue 15 section 8)."""
    if settings.PUBLIC_BASE_URL:
        return settings.PUBLIC_BASE_URL.rstrip("/") + "/"
    if settings.DEBUG and request is not None:
        return request.build_absolute_uri("/")
    for host in settings.ALLOWED_HOSTS:
        if host != "*" and not host.startswith("."):
            return f"https://{host}/"
    raise ImproperlyConfigured("PUBLIC_BASE_URL wajib diisi: alamat publik situs untuk kode QR.")


def logo_src(village):
    """The village's logo as a data: URI (the PDF reads nothing else), or "" without one."""
    if not village.logo:
        return ""
    try:
        with village.logo.open("rb") as file:
            content = file.read()
    except OSError:
        return ""
    mime_type = "image/png" if content.startswith(b"\x89PNG") else "image/jpeg"
    return f"data:{mime_type};base64,{base64.b64encode(content).decode()}"


def qr_svg(url):
    """An inline SVG QR code of the URL."""
    return segno.make(url, error="m").svg_inline(scale=3, border=1)


def _own_file(path):
    """The bytes of one of the project's static or media files at URL path `path`, or None.
    A path that climbs out of its folder ("..") is no file of ours."""
    for prefix, read in [(settings.STATIC_URL, _static_file), (settings.MEDIA_URL, _media_file)]:
        prefix = "/" + (prefix or "").strip("/") + "/"
        if prefix != "//" and path.startswith(prefix):
            name = path.removeprefix(prefix)
            if posixpath.normpath("/" + name) != "/" + name:
                return None
            try:
                return read(name)
            except (OSError, SuspiciousFileOperation):
                return None
    return None


def _static_file(name):
    found = finders.find(name)
    if found is None and settings.STATIC_ROOT:
        found = Path(settings.STATIC_ROOT) / name
    return Path(found).read_bytes()


def _media_file(name):
    with default_storage.open(name) as file:
        return file.read()


class OwnFilesFetcher(URLFetcher):
    """WeasyPrint's resource reader for every PDF: only the project's own static and media
    files (and inline data: URIs). An edited template must not read a server file
    (file:///etc/passwd) nor make the server fetch a URL (issue 14, finding 5). WeasyPrint
    logs a refused resource and leaves it out."""

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme in ("http", "https"):
            content = _own_file(unquote(parts.path))
            if content is not None:
                mime_type, _ = mimetypes.guess_type(parts.path)
                return URLFetcherResponse(
                    url, content, {"Content-Type": mime_type or "application/octet-stream"}
                )
        raise ValueError(f"Sumber {url[:100]} tidak diizinkan dalam PDF.")


def pdf(html, base_url):
    return HTML(string=html, base_url=base_url, url_fetcher=OwnFilesFetcher()).write_pdf()


def page_style(landscape=False):
    # F4 (folio) is common for Indonesian government letters: 215 × 330 mm.
    if settings.LETTER_PAPER.upper() == "F4":
        return "330mm 215mm" if landscape else "215mm 330mm"
    return "A4 landscape" if landscape else "A4"


# The letter body is a template an admin edits: it is compiled by an engine that loads no
# other template and no tag library, and rendered from plain values only, so that no path
# through a model object reaches a password hash, an authenticator secret or another
# person's record (issue 14, finding 5).
LETTER_ENGINE = Engine(loaders=[], libraries={}, autoescape=True)


def letter_template(body):
    """The edited body compiled as the letter will be; raises TemplateSyntaxError."""
    return LETTER_ENGINE.from_string(body)


def letter_context(letter, verify_url):
    """The values a letter template may print: strings, numbers and dates, nothing else."""
    form, village = letter.form, letter.village
    person = form.applicant
    terms = terminology.current()
    # A held applicant (VerificationForm.person) is, like a new resident, alone on the KK.
    members = (
        person.household.members.order_by("relationship", "birth_date") if person.pk else [person]
    )
    return {
        "letter": {
            "number": letter.number,
            "issued_on": letter.issued_on,
            "valid_until": letter.valid_until,
            "signer_name": letter.signer_name,
            "signer_title": letter.signer_title,
            "year": letter.year,
            "sequence": letter.sequence,
        },
        "form": {
            field: getattr(form, field)
            for field in [
                "applicant_name",
                "nik",
                "kk_number",
                "dusun",
                "rt",
                "rw",
                "occupation",
                "phone",
                "dependants_count",
                "monthly_income",
                "minimum_wage",
                "total_score",
            ]
        }
        | {"category": form.category},
        "person": {
            "name": person.name,
            "nik": person.nik,
            "birth_place": person.birth_place,
            "birth_date": person.birth_date,
            "sex": person.sex,
            "get_sex_display": person.get_sex_display(),
            "occupation": person.occupation,
        },
        "village": {
            "name": village.name,
            "code": village.code,
            "kind": village.kind,
            "address": village.address,
            "logo": logo_src(village),
            "district": {"name": village.district.name, "code": village.district.code},
        },
        "terms": dict(vars(terms)),
        "members": [
            {
                "name": member.name,
                "relationship": member.relationship,
                "get_relationship_display": member.get_relationship_display() or "",
                "birth_date": member.birth_date,
                "sex": member.sex,
                "get_sex_display": member.get_sex_display(),
            }
            for member in members
        ],
        "qr_svg": qr_svg(verify_url),
        "verify_url": verify_url,
        "threshold": scoring.THRESHOLD,
    }


def letter_html(letter, verify_url):
    from sktm.models import LetterTemplate

    template = LetterTemplate.objects.first()
    # An admin may delete every template: the letter then uses the shipped one.
    body = template.body if template else DEFAULT_TEMPLATE.read_text()
    body = letter_template(body).render(Context(letter_context(letter, verify_url)))
    return render_to_string(
        "sktm/pdf_page.html", {"body": body, "page_size": page_style(), "title": letter.number}
    )


def verify_url(letter, base_url):
    """The public check page the letter's QR code opens."""
    return urljoin(base_url, reverse("sktm:letter_verify", args=[letter.token]))


def _stored(letter):
    name = letter.pdf_file.name
    if name and letter.pdf_file.storage.exists(name):
        with letter.pdf_file.storage.open(name) as file:
            return file.read()
    return None


def letter_pdf(letter, base_url):
    """The letter's PDF as issued: the stored bytes. Rendered and stored only when there are
    none (at issue, or when the file went missing), under the letter's row lock so that two
    first downloads render once."""
    from sktm.models import Letter

    content = _stored(letter)
    if content is not None:
        return content
    with transaction.atomic():
        locked = Letter.objects.select_for_update().get(pk=letter.pk)
        content = _stored(locked)
        if content is None:
            content = pdf(letter_html(letter, verify_url(letter, base_url)), base_url)
            storage = locked.pdf_file.storage
            name = storage.save(f"sktm/{letter.year}/{letter.pk}.pdf", ContentFile(content))
            Letter.objects.filter(pk=letter.pk).update(pdf_file=name)
            letter.pdf_file.name = name
        else:
            letter.pdf_file.name = locked.pdf_file.name
    return content


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
    fetcher = OwnFilesFetcher()
    documents = [
        HTML(string=html, base_url=base_url, url_fetcher=fetcher).render() for html in htmls
    ]
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()
