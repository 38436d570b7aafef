"""SKTM benchmark: letter rendering against bare WeasyPrint, and the form list's query count.

Run: .venv/bin/python bench/sktm_letters.py   (uses a throwaway SQLite database in /tmp)
Prints the median and p95 milliseconds per letter for the app's render and for WeasyPrint
alone on the same HTML, and the village form list's queries at 10 and at 1,000 forms.
"""

import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = Path(tempfile.gettempdir()) / "pbipemda-bench.sqlite3"
DATABASE.unlink(missing_ok=True)
os.environ.update(
    DJANGO_SETTINGS_MODULE="pbipemda.settings",
    DJANGO_DEBUG="1",
    DATABASE_URL=f"sqlite:///{DATABASE}",
    ALLOWED_HOSTS="testserver",
)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from weasyprint import HTML  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from regions.models import Village  # noqa: E402
from sktm import letters, services  # noqa: E402

LETTERS = 50


def applicant(n):
    return {
        "applicant_name": f"Pemohon Uji {n}",
        "nik": f"34010101019{n:05d}",
        "kk_number": f"3401010101{n:06d}",
        "dusun": "Kepek",
        "rt": "1",
        "rw": "1",
        "occupation": "Buruh",
        "phone": "",
        "dependants_count": 7,
        "ownership": 2,
        "wall": 2,
        "floor": 3,
        "lighting": 3,
        "monthly_income": 500000,
    }


def percentiles(samples):
    samples = sorted(samples)
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def list_queries(client):
    # The debug query log keeps 9,000 entries; empty it so the count below is exact.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("sktm:form_list"))
    return len(queries)


def main():
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", stdout=io.StringIO())
    village = Village.objects.get(code="34.01.01.2001")
    operator = User.objects.create(username="op", role=Role.OPERATOR, village=village)
    lurah = User.objects.create(
        username="lurah", first_name="Lurah Uji", role=Role.VILLAGE_HEAD, village=village
    )
    client = Client()
    client.force_login(operator)

    issued = []
    for n in range(1, 1001):
        form = services.sktm_form_submit(actor=operator, data=applicant(n))
        if n <= LETTERS:
            form = services.sktm_form_acknowledge(actor=lurah, form=form)
            issued.append(services.sktm_issue_letter(actor=lurah, form=form))
        if n == 10:
            at_10 = list_queries(client)
    at_1000 = list_queries(client)

    app_ms, bare_ms = [], []
    for letter in issued:
        start = time.perf_counter()
        html = letters.letter_html(letter, f"https://pbi.example/sktm/cek/{letter.token}/")
        letters.pdf(html, "https://pbi.example/")
        app_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        HTML(string=html, base_url="https://pbi.example/").write_pdf()
        bare_ms.append((time.perf_counter() - start) * 1000)

    app_median, app_p95 = percentiles(app_ms)
    bare_median, bare_p95 = percentiles(bare_ms)
    print(f"letters rendered: {LETTERS}")
    print(f"app render      median {app_median:7.1f} ms   p95 {app_p95:7.1f} ms")
    print(f"bare WeasyPrint median {bare_median:7.1f} ms   p95 {bare_p95:7.1f} ms")
    print(f"ratio (median)  {app_median / bare_median:.2f}x   (goal: within 1.3x)")
    print(f"form list queries: {at_10} at 10 forms, {at_1000} at 1,000 forms (goal: the same)")
    DATABASE.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
