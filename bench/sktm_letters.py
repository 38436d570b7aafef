"""SKTM benchmark: letter rendering against bare WeasyPrint, and the form list's query count.

Run: .venv/bin/python bench/sktm_letters.py [--letters 50] [--forms 1000]
(tiny: --letters 2 --forms 12) on a throwaway database (see _harness.py). Prints the median and
p95 milliseconds per letter for the app's render and for WeasyPrint alone on the same HTML (the
floor), and the village form list's queries at 10 forms and at all of them.
"""

import argparse
import math
import statistics
import time

from _harness import get, login, print_run, setup, throwaway_database, throwaway_url

setup(throwaway_url())

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from weasyprint import HTML  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from regions.models import Village  # noqa: E402
from sktm import letters, services  # noqa: E402


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
    # Nearest rank: with few samples, the slowest.
    return statistics.median(samples), samples[math.ceil(len(samples) * 0.95) - 1]


def list_queries(client):
    with CaptureQueriesContext(connection) as queries:
        get(client, reverse("sktm:form_list"), marker="Formulir verifikasi SKTM")
    return len(queries)


def main(letter_count, form_count):
    village = Village.objects.get(code="34.01.01.2001")
    operator = User.objects.create(username="op", role=Role.OPERATOR, village=village)
    lurah = User.objects.create(
        username="lurah", first_name="Lurah Uji", role=Role.VILLAGE_HEAD, village=village
    )
    client = login(Client(HTTP_HOST="localhost"), operator)

    issued = []
    for n in range(1, form_count + 1):
        form = services.sktm_form_submit(actor=operator, data=applicant(n))
        if n <= letter_count:
            form = services.sktm_form_acknowledge(actor=lurah, form=form)
            issued.append(services.letter_issue(actor=lurah, form=form))
        if n == 10:
            at_10 = list_queries(client)
    at_all = list_queries(client)

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
    print(f"letters rendered: {letter_count}")
    print(f"app render      median {app_median:7.1f} ms   p95 {app_p95:7.1f} ms")
    print(f"bare WeasyPrint median {bare_median:7.1f} ms   p95 {bare_p95:7.1f} ms")
    print(f"ratio (median)  {app_median / bare_median:.2f}x   (goal: within 1.3x)")
    print(
        f"form list queries: {at_10} at 10 forms, {at_all} at {form_count:,} forms (goal: the same)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--letters", type=int, default=50)
    parser.add_argument("--forms", type=int, default=1_000, help="at least 10")
    arguments = parser.parse_args()
    if not arguments.letters <= arguments.forms >= 10:
        parser.error("--forms must be at least 10 and at least --letters")
    print_run()
    with throwaway_database():
        main(arguments.letters, arguments.forms)
