"""The main figures at kabupaten scale, in one table.

Run against a database built by `manage.py build_synthetic_kabupaten` (tiny: `--residents 300
--participants 50 --months 3`):
    DATABASE_URL=postgres://…/pbipemda_scale .venv/bin/python bench/scale.py [--runs 5]
Each page is requested `--runs` times through Django's test client, each answer checked to be
the page asked for; the table gives its query count and median time, beside a bare COUNT of the
active participants (the floor). The kabupaten figures (dashboard, premium, recap, the
re-verification list) are timed cold (Django's cache emptied before each request) and warm (the
same request again), each beside the goal of issue 16. The exports are timed once, each beside
a bare XlsxWriter write of the same rows; the roster export runs as the background job it is,
inline.
"""

import argparse
import statistics
import tempfile
import time

from _harness import get, login, print_run, setup

# The job writes its file under MEDIA_ROOT: a directory removed when the script ends.
MEDIA = tempfile.TemporaryDirectory(prefix="pbipemda-bench-media-")
setup(JOBS_RUN_INLINE="1", MEDIA_ROOT=MEDIA.name)

import xlsxwriter  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

import jobs  # noqa: E402
from accounts.models import Role, User  # noqa: E402
from enrollment import exports, tasks  # noqa: E402
from enrollment.models import Participation  # noqa: E402
from jobs.models import Job  # noqa: E402
from people.models import Person  # noqa: E402
from regions.months import add_months  # noqa: E402
from sktm.models import Letter  # noqa: E402
from verification import lampiran_d  # noqa: E402
from verification.models import Proposal, ProposalItem  # noqa: E402

ROSTER_FIELDS = [
    "person__nik",
    "person__household__number",
    "person__name",
    "person__birth_date",
    "person__sex",
    "person__household__dusun",
    "person__household__rt",
    "person__household__rw",
    "village__name",
    "since",
    "ground",
]


def median_ms(function, runs):
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def page(client, url, runs, **expected):
    with CaptureQueriesContext(connection) as queries:
        get(client, url, **expected)
    return len(queries), median_ms(lambda: get(client, url, **expected), runs)


class QueryCount:
    """Counts the queries run while installed (`connection.execute_wrapper`); unlike
    CaptureQueriesContext, it survives the connection closed at the end of each request."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def queries_of(client, url, **expected):
    counter = QueryCount()
    with connection.execute_wrapper(counter):
        get(client, url, **expected)
    return counter.count


def cold_and_warm(client, url, runs, **expected):
    """(queries, median ms) of the page with an empty cache, then of the same page again."""
    cache.clear()
    cold_queries = queries_of(client, url, **expected)
    warm_queries = queries_of(client, url, **expected)

    def cold():
        cache.clear()
        get(client, url, **expected)

    cold_ms = median_ms(cold, runs)
    warm_ms = median_ms(lambda: get(client, url, **expected), runs)
    return (cold_queries, cold_ms), (warm_queries, warm_ms)


# Issue 16's goals for the kabupaten figures, in ms: (cold, warm).
FIGURE_GOALS = {
    "dashboard": (400, 150),
    "premium": (400, 150),
    "recap": (300, 300),
    "re-verification list": (200, 200),
}


def figures(client, runs):
    """The kabupaten figures as the Tim Verifikasi sees them, cold and warm."""
    pages = [
        ("dashboard", reverse("oversight:dashboard"), "Dasbor"),
        ("premium", reverse("oversight:premium"), "Iuran PBI Pemda"),
        ("recap", reverse("oversight:recap"), "Rekap"),
        ("re-verification list", reverse("oversight:reverification_list"), "Verifikasi ulang"),
    ]
    print(f"{'figures, kabupaten (verifier)':<34}{'queries':>8}{'median ms':>11}{'goal ms':>9}")
    for label, url, marker in pages:
        cold, warm = cold_and_warm(client, url, runs, marker=marker)
        for state, (count, ms), goal in zip(
            ("cold", "warm"), (cold, warm), FIGURE_GOALS[label], strict=True
        ):
            print(f"{f'{label}, {state}':<34}{count:>8}{ms:>11.0f}{f'≤ {goal}':>9}")


def once(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def bare_write(rows, fields):
    """The rows written with no formats and no labels: the floor of an export."""
    with tempfile.TemporaryFile() as output:
        workbook = xlsxwriter.Workbook(output, {"constant_memory": True, "in_memory": False})
        sheet = workbook.add_worksheet()
        count = 0
        for count, record in enumerate(rows.values_list(*fields).iterator(2000), start=1):
            sheet.write_row(count, 0, [str(value) for value in record])
        workbook.close()
    return count


def main(runs):
    verifier = User.objects.get(role=Role.VERIFIER, username__startswith="verifikator")
    # A village with a letter has a participant too: every page below has a row to show.
    letter = Letter.objects.select_related("village").order_by("pk").first()
    if letter is None:
        raise SystemExit("No SKTM letter: build the kabupaten with more residents.")
    operator = User.objects.get(role=Role.OPERATOR, village=letter.village)
    head = User.objects.get(role=Role.VILLAGE_HEAD, village=letter.village)
    clients = {
        user.pk: login(Client(HTTP_HOST="localhost"), user) for user in (verifier, operator, head)
    }
    today = timezone.localdate()
    # Active today: an Usulan decided for next month (as load.py does) is not yet.
    active = Participation.objects.active_on(today).count()
    print(
        f"residents {Person.objects.count():,}, active participants {active:,}, "
        f"letters {Letter.objects.count():,}, Usulan {Proposal.objects.count():,}"
    )
    waiting = Proposal.objects.filter(status="submitted").select_related("village").first()
    if waiting is None:
        raise SystemExit("No Usulan waiting: build the kabupaten again.")
    person = Person.objects.get(pk=letter.person_id)
    roster = reverse("enrollment:roster")
    rows = [
        ("roster, kabupaten (verifier)", verifier, roster, "Peserta PBI Pemda aktif"),
        ("roster search by name", verifier, roster + "?q=Sari", "Peserta PBI Pemda aktif"),
        ("roster, one village (operator)", operator, roster, "Peserta PBI Pemda aktif"),
        (
            "person page",
            operator,
            reverse("enrollment:person_detail", args=[person.pk]),
            person.name,
        ),
        ("SKTM forms (operator)", operator, reverse("sktm:form_list"), "Formulir verifikasi SKTM"),
        ("Usulan queue (verifier)", verifier, reverse("verification:proposal_list"), "Usulan dari"),
        (
            "Usulan page (verifier)",
            verifier,
            reverse("verification:proposal_detail", args=[waiting.pk]),
            waiting.village.name,
        ),
    ]
    print(f"{'page':<34}{'queries':>8}{'median ms':>11}")
    for label, user, url, marker in rows:
        count, ms = page(clients[user.pk], url, runs, marker=marker)
        print(f"{label:<34}{count:>8}{ms:>11.0f}")
    url = reverse("sktm:letter_pdf", args=[letter.pk])
    count, ms = page(clients[head.pk], url, runs, content_type="application/pdf")
    print(f"{'SKTM letter PDF (head)':<34}{count:>8}{ms:>11.0f}")
    floor = median_ms(lambda: Participation.objects.active_on(today).count(), runs)
    print(f"{'bare COUNT of the active (floor)':<34}{1:>8}{floor:>11.0f}")
    figures(clients[verifier.pk], runs)

    month = add_months(waiting.month, -2)
    items = ProposalItem.objects.filter(proposal__month=month)
    with tempfile.TemporaryFile() as output:
        written, seconds = once(lambda: lampiran_d.write_xlsx(output, month, items))
    bare = items.order_by("proposal__village__code", "pk")
    _, bare_seconds = once(lambda: bare_write(bare, lampiran_d.ROW_FIELDS))
    print(
        f"Lampiran D {month:%m-%Y}, kabupaten: {written:,} rows in {seconds:.1f} s "
        f"(bare write: {bare_seconds:.1f} s)"
    )

    job, seconds = once(lambda: jobs.start(tasks.ROSTER_EXPORT, verifier))
    if job.status != Job.Status.DONE:
        raise SystemExit(f"roster export job {job.status}: {job.error}")
    size = job.result_file.size
    job.result_file.delete(save=False)
    written, bare_seconds = once(lambda: bare_write(exports.roster_rows(verifier), ROSTER_FIELDS))
    if job.result["rows"] != active or written != active:
        raise SystemExit(f"roster export wrote {job.result['rows']} rows, bare {written}")
    print(
        f"roster export, kabupaten: {active:,} rows, {size / 1e6:.1f} MB in {seconds:.1f} s "
        f"(bare write: {bare_seconds:.1f} s)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="requests per page")
    arguments = parser.parse_args()
    print_run()
    main(arguments.runs)
