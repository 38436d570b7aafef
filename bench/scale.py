"""The main figures at kabupaten scale, in one table.

Run against a database built by `manage.py build_synthetic_kabupaten`:
    DATABASE_URL=postgres://…/pbipemda_scale .venv/bin/python bench/scale.py
Each page is requested five times through Django's test client; the table gives its query
count and median time. Exports are timed once.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.update(DJANGO_SETTINGS_MODULE="pbipemda.settings", DJANGO_DEBUG="0")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-0123456789-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "localhost")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from enrollment.models import Participation  # noqa: E402
from people.models import Person  # noqa: E402
from sktm.letters import add_months  # noqa: E402
from sktm.models import Letter  # noqa: E402
from verification import lampiran_d  # noqa: E402
from verification.models import Proposal, ProposalItem  # noqa: E402


def page(client, url):
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, secure=True)
        assert response.status_code == 200, (url, response.status_code)
        b"".join(response) if response.streaming else response.content
        timings.append((time.perf_counter() - start) * 1000)
    return len(queries), statistics.median(timings)


def once(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def main():
    verifier = User.objects.get(role=Role.VERIFIER, username__startswith="verifikator")
    operator = User.objects.filter(role=Role.OPERATOR, username__startswith="op").first()
    head = User.objects.get(role=Role.VILLAGE_HEAD, village=operator.village)
    clients = {}
    for user in (verifier, operator, head):
        clients[user.pk] = Client(HTTP_HOST="localhost")
        clients[user.pk].force_login(user)
    active = Participation.objects.filter(until__isnull=True).count()
    print(
        f"residents {Person.objects.count():,}, active participants {active:,}, "
        f"letters {Letter.objects.count():,}, Usulan {Proposal.objects.count():,}"
    )
    waiting = Proposal.objects.filter(status="submitted").first()
    person = Participation.objects.filter(village=operator.village).first().person_id
    letter = Letter.objects.filter(village=operator.village).first()
    rows = [
        ("roster, kabupaten (verifier)", verifier, reverse("enrollment:roster")),
        ("roster search by name", verifier, reverse("enrollment:roster") + "?q=Sari"),
        ("roster, one village (operator)", operator, reverse("enrollment:roster")),
        ("person page", operator, reverse("enrollment:person_detail", args=[person])),
        ("SKTM forms (operator)", operator, reverse("sktm:form_list")),
        ("Usulan queue (verifier)", verifier, reverse("verification:proposal_list")),
        (
            "Usulan page (verifier)",
            verifier,
            reverse("verification:proposal_detail", args=[waiting.pk]),
        ),
        ("SKTM letter PDF (head)", head, reverse("sktm:letter_pdf", args=[letter.pk])),
    ]
    print(f"{'page':<34}{'queries':>8}{'median ms':>11}")
    for label, user, url in rows:
        count, ms = page(clients[user.pk], url)
        print(f"{label:<34}{count:>8}{ms:>11.0f}")
    month = add_months(waiting.month, -2)
    items = ProposalItem.objects.filter(proposal__month=month)
    with tempfile.TemporaryFile() as output:
        written, seconds = once(lambda: lampiran_d.write_xlsx(output, month, items))
    print(f"Lampiran D {month:%m-%Y}, kabupaten: {written:,} rows in {seconds:.1f} s")
    client = clients[verifier.pk]
    url = reverse("enrollment:roster_export")
    response, seconds = once(lambda: client.get(url, secure=True))
    assert response.status_code == 200
    print(
        f"roster export, kabupaten: {active:,} rows, {len(response.content) / 1e6:.1f} MB "
        f"in {seconds:.1f} s"
    )


if __name__ == "__main__":
    main()
