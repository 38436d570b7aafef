"""Every URL of the project, for every persona: the answer each role deserves.

ACCESS below is the one statement of who may open what. It is checked against the URL
configuration itself, so a new view fails `test_every_url_is_in_the_table`, naming it, until
its row is written here. Personas: each role in village A (Kalurahan Jangkaran, Kapanewon
Temon), the operator of village B (Kapanewon Wates), and an anonymous visitor.

A row: the method tried, the object of the world (tests/security/conftest.py) whose key goes
in the URL, and the status per persona. `ok` personas get 200 to a GET and 302 to a POST (a
POST carries no data, so the service refuses it with a message and sends the user back, or
makes the one move that needs none); `s403="…"`, `s404="…"`, `s302="…"`, `s200="…"` name
personas with that status; every other logged-in persona gets `rest` (404: outside its area;
403: a role that may not). An anonymous visitor is sent to the login page unless `anonymous`
gives its status. A role is refused (403) before any rule about the object's state is checked,
so a role that drifted shows here; and a refused request (403, 404, or an anonymous visitor sent
to log in) writes nothing. POSTED holds the POST of the views that answer GET and POST alike.
"""

from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import (
    URLPattern,
    URLResolver,
    clear_url_caches,
    get_resolver,
    include,
    path,
    reverse,
)

from tests.builders import PERSONAS


@dataclass
class Rule:
    method: str = "get"
    obj: str = ""
    ok: str = ""
    rest: int = 404
    # None: an anonymous visitor is sent to the login page; else the status it gets.
    anonymous: int | None = None
    codes: dict = field(default_factory=dict)

    def expected(self, persona):
        for status, names in self.codes.items():
            if persona in names.split():
                return status
        if persona in self.ok.split():
            return 200 if self.method == "get" else 302
        return self.rest


def GET(obj="", ok="", rest=404, anonymous=None, **codes):
    return Rule("get", obj, ok, rest, anonymous, {int(k[1:]): v for k, v in codes.items()})


def POST(obj="", ok="", rest=404, anonymous=None, **codes):
    return Rule("post", obj, ok, rest, anonymous, {int(k[1:]): v for k, v in codes.items()})


def but(group, *names):
    """The personas of `group` other than `names`."""
    return " ".join(persona for persona in group.split() if persona not in names)


ALL = " ".join(PERSONAS)
VILLAGE_A = "operator_a lurah_a"
# Who sees the residents of village A: its staff, its Panewu, the kabupaten's roles, admin.
SEES_A = f"{VILLAGE_A} panewu_a verifier dukcapil leadership admin_user"
# Who reads village A's Instruksi report: the village, its Panewu, the Sekda/Bupati, admin.
REPORT_A = f"{VILLAGE_A} panewu_a leadership admin_user"
# The Tim Verifikasi (and admins acting for it); with Dukcapil, who validate removals.
TEAM = "verifier admin_user"
VALIDATORS = f"{TEAM} dukcapil"
# Who the Instruksi addresses: agencies, Camat/Panewu, villages.
ADDRESSEES = "operator_a lurah_a operator_b panewu_a agency_staff"

# Lists and exports answer 200 to every role and hold only the rows of the user's area
# (tests of each app check the rows); objects of village A answer 404 outside it.
ACCESS = {
    # accounts
    "home": GET(ok=ALL),
    "login": GET(anonymous=200, rest=302),  # logged in: sent home
    "logout": POST(anonymous=302, ok=ALL),
    "session_renew": POST(s204=ALL),  # "Tetap masuk": the idle clock starts again
    "password_change": GET(ok=ALL),
    "password_change_done": GET(ok=ALL),
    "two_factor_verify": GET(rest=302),  # no authenticator yet: sent to set one up
    "two_factor_setup": GET(ok=ALL),
    "recovery_codes_renew": POST(ok=ALL),
    # the top: everything held about one NIK (UU 27/2022 Pasal 7)
    "subject_access": GET(ok="admin_user", rest=403),
    # regions
    "village_list": GET(ok=ALL),
    "village_detail": GET("village", ok=SEES_A),
    # sktm
    "sktm:form_list": GET(ok=ALL),
    "sktm:form_create": GET(ok="operator_a operator_b", rest=403),
    "sktm:score_preview": POST(s200="operator_a operator_b", rest=403),
    "sktm:resident_lookup": GET(ok="operator_a operator_b", rest=403),
    "sktm:lampiran_a_blank": GET(ok=ALL),
    "sktm:form_detail": GET("form", ok=SEES_A),
    # The form is not returned: its operator is sent back to it.
    "sktm:form_edit": GET("form", s302="operator_a", s404="operator_b", rest=403),
    # The Lurah of village A only; the form is already issued, so the Lurah is told so.
    "sktm:form_acknowledge": POST("form", ok="lurah_a", s403=but(SEES_A, "lurah_a")),
    "sktm:form_return": POST("form", ok="lurah_a", s403=but(SEES_A, "lurah_a")),
    "sktm:letter_issue": POST("form", ok="lurah_a", s403=but(SEES_A, "lurah_a")),
    "sktm:lampiran_a_pdf": GET("form", ok=SEES_A),
    "sktm:letter_list": GET(ok=ALL),
    "sktm:letter_pdf": GET("letter", ok=SEES_A),
    "sktm:letter_revoke": POST("letter", ok="lurah_a", s403=but(SEES_A, "lurah_a")),
    "sktm:letter_verify": GET("letter", anonymous=200, ok=ALL),  # the QR code's public page
    # enrollment
    "enrollment:roster": GET(ok=ALL),
    "enrollment:roster_export": POST(ok=ALL),
    "enrollment:person_detail": GET("person", ok=SEES_A),
    "enrollment:duplicates": GET(ok="verifier admin_user", rest=403),
    "enrollment:import_participants": GET(ok="admin_user", rest=403),
    "enrollment:import_confirm": POST(ok="admin_user", rest=403),
    "enrollment:import_sample": GET(ok="admin_user", rest=403),
    "enrollment:import_registry": GET(ok="admin_user", rest=403),
    "enrollment:import_registry_confirm": POST(ok="admin_user", rest=403),
    "enrollment:import_registry_sample": GET(ok="admin_user", rest=403),
    # verification: the Usulan of village A is submitted
    "verification:proposal_list": GET(ok=ALL),
    "verification:proposal_open": POST(ok="operator_a lurah_a operator_b", rest=403),
    "verification:proposal_detail": GET("proposal", ok=SEES_A),
    # Submitted, so not editable: the village is sent back to it.
    "verification:item_add": GET(
        "proposal", s302=VILLAGE_A, s404="operator_b agency_staff", rest=403
    ),
    "verification:resident_lookup": GET(
        "proposal", ok=VILLAGE_A, s404="operator_b agency_staff", rest=403
    ),
    "verification:proposal_submit": POST("proposal", ok="lurah_a", s403=but(SEES_A, "lurah_a")),
    "verification:proposal_return": POST("proposal", ok=TEAM, s403=but(SEES_A, *TEAM.split())),
    # Approves both people: the one move that needs no data.
    "verification:items_approve_pending": POST(
        "proposal", ok=TEAM, s403=but(SEES_A, *TEAM.split())
    ),
    "verification:lampiran_d_xlsx": GET("proposal", ok=SEES_A),
    "verification:lampiran_d_pdf": GET("proposal", ok=SEES_A),
    # The Usulan holds no SKTM (ground c.1): back to it with a message.
    "verification:letters_pdf": GET("proposal", s302=SEES_A),
    "verification:item_withdraw": POST("item", ok=VILLAGE_A, s403=but(SEES_A, *VILLAGE_A.split())),
    "verification:item_decide": POST("item", ok=TEAM, s403=but(SEES_A, *TEAM.split())),
    "verification:removal_validate": POST(
        "item", ok=VALIDATORS, s403=but(SEES_A, *VALIDATORS.split())
    ),
    "verification:validation_queue": GET(ok="verifier dukcapil admin_user", rest=403),
    "verification:export": GET(ok="panewu_a verifier leadership admin_user", rest=403),
    # bpjs: who pays reads (agency staff see no resident: 404); the Tim Verifikasi works it
    "bpjs:participant_list": GET(ok=f"{TEAM} leadership agency_staff", rest=403),
    "bpjs:person_detail": GET("person", ok=f"{TEAM} leadership", s404="agency_staff", rest=403),
    "bpjs:registration": GET(ok=TEAM, rest=403),
    # No registration file in the world: the team gets 404 for the key, everyone else 403.
    "bpjs:registration_sent": POST("job", s404=TEAM, rest=403),
    "bpjs:billing_upload": GET(ok=TEAM, rest=403),
    "bpjs:billing_confirm": POST(ok=TEAM, rest=403),  # no preview posted: sent back
    # The reconciliation: its readers, and each Camat and village for their own area; agency
    # staff read the totals only and download no one. No month posted: sent back.
    "bpjs:reconciliation": GET(ok=but(ALL, "dukcapil"), rest=403),
    "bpjs:reconciliation_export": POST(ok=but(ALL, "dukcapil", "agency_staff"), rest=403),
    "bpjs:reconciliation_record_cards": POST(ok=TEAM, rest=403),
    "bpjs:deactivation_request": POST(ok=TEAM, rest=403),
    "bpjs:reconciliation_propose_removals": POST(ok=TEAM, rest=403),
    # jobs: the job is the verifier's
    "jobs:list": GET(ok=ALL),
    "jobs:detail": GET("job", ok="verifier admin_user"),
    "jobs:progress": GET("job", ok="verifier admin_user"),
    "jobs:download": GET("job", ok="verifier admin_user"),
    "jobs:restart": POST("job", ok="verifier", s403="admin_user"),  # its owner only
    # instructions: the report and its attachment are village A's
    "instructions:list": GET(ok="agency_staff admin_user", rest=302),  # one instruction: to it
    "instructions:detail": GET("instruction", ok=ALL),
    "instructions:report_open": POST("instruction", ok=ADDRESSEES, rest=403),
    "instructions:matrix": GET("instruction", ok="panewu_a leadership admin_user", rest=403),
    "instructions:matrix_xlsx": GET("instruction", ok="panewu_a leadership admin_user", rest=403),
    "instructions:matrix_pdf": GET("instruction", ok="panewu_a leadership admin_user", rest=403),
    "instructions:report_detail": GET("report", ok=REPORT_A),
    "instructions:report_edit": GET("report", ok=VILLAGE_A, s403="panewu_a leadership admin_user"),
    # Submits the draft to the Panewu: the one move that needs no data.
    "instructions:report_submit": POST("report", ok="lurah_a", s403=but(REPORT_A, "lurah_a")),
    "instructions:report_return": POST("report", ok="panewu_a", s403=but(REPORT_A, "panewu_a")),
    "instructions:report_forward": POST("report", ok="panewu_a", s403=but(REPORT_A, "panewu_a")),
    "instructions:attachment": GET("attachment", ok=REPORT_A),
    "instructions:attachment_delete": POST(
        "attachment", ok=VILLAGE_A, s403=but(REPORT_A, *VILLAGE_A.split())
    ),
    # oversight: figures of each user's own area (the Dinsos agency user reads the kabupaten's)
    "oversight:dashboard": GET(ok=ALL),
    "oversight:dashboard_xlsx": GET(ok=ALL),
    "oversight:recap": GET(ok=ALL),
    "oversight:recap_xlsx": GET(ok=ALL),
    "oversight:recap_pdf": GET(ok=ALL),
    "oversight:premium": GET(ok="verifier agency_staff leadership admin_user", rest=403),
    "oversight:premium_xlsx": GET(ok="verifier agency_staff leadership admin_user", rest=403),
    "oversight:reverification_list": GET(ok=f"{ALL}", s403="dukcapil agency_staff"),
    "oversight:reverification_bulk": GET(
        "village", ok=f"{VILLAGE_A} verifier admin_user", s404="operator_b", rest=403
    ),
    "oversight:reverification_person": GET("person", ok=SEES_A, s403="dukcapil agency_staff"),
    # SKTM applicants recorded in another village: the Tim Verifikasi's alone. The world's
    # form is not held: the team's empty POST is sent back with a message.
    "verification:held_applicants": GET(ok=TEAM, rest=403),
    "verification:held_decide": POST("form", ok=TEAM, rest=403),
    # feeds: Dukcapil (and admins) import its extract; the findings are read by all who see
    # residents, each its own area's (an empty POST picks no action: sent back)
    "feeds:extract_upload": GET(ok="dukcapil admin_user", rest=403),
    "feeds:extract_confirm": POST(ok="dukcapil admin_user", rest=403),
    "feeds:finding_list": GET(ok=but(ALL, "agency_staff"), rest=403),
    "feeds:finding_act": POST(ok=but(ALL, "agency_staff"), rest=403),
    "feeds:finding_export": GET(ok=but(ALL, "agency_staff"), rest=403),
    # feeds: DTSEN's calon usulan, read as the re-verification lists; village staff propose
    "feeds:dtsen_candidates": GET(ok=ALL, s403="dukcapil agency_staff"),
    "feeds:dtsen_candidate_add": POST(ok="operator_a lurah_a operator_b", rest=403),
    # Usulan items recorded in another village: the same. The world's item is not held: the
    # team's POST is sent back with a message.
    "verification:held_item_accept": POST("item", ok=TEAM, rest=403),
}

# The POST of the views that show a form on GET. An empty POST is an invalid form: shown again
# (200) or the page sends the user on (302).
POSTED = {
    "subject_access": POST(s200="admin_user", rest=403),
    "sktm:form_create": POST(s200="operator_a operator_b", rest=403),
    "sktm:form_edit": POST("form", s302="operator_a", s404="operator_b", rest=403),
    "verification:item_add": POST(
        "proposal", s302=VILLAGE_A, s404="operator_b agency_staff", rest=403
    ),
    "verification:export": POST(s200="panewu_a verifier leadership admin_user", rest=403),
    "bpjs:person_detail": POST("person", s200=TEAM, rest=403),
    "bpjs:registration": POST(s200=TEAM, rest=403),
    "bpjs:billing_upload": POST(s200=TEAM, rest=403),
    "enrollment:import_participants": POST(s200="admin_user", rest=403),
    "enrollment:import_registry": POST(s200="admin_user", rest=403),
    "instructions:report_edit": POST(
        "report", s200=VILLAGE_A, s403="panewu_a leadership admin_user"
    ),
    "oversight:reverification_bulk": POST(
        "village", s200=f"{VILLAGE_A} {TEAM}", s404="operator_b", rest=403
    ),
    # A participant of village A: the Panewu and the Sekda read its history, do not record.
    "oversight:reverification_person": POST(
        "participant", s200=f"{VILLAGE_A} {TEAM}", s404="operator_b", rest=403
    ),
    "feeds:extract_upload": POST(s200="dukcapil admin_user", rest=403),
}


def url_names(patterns=None, namespace=""):
    """Every named URL of the project as `namespace:name`, the admin site's apart."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from url_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry


def project_urls():
    return {name: p for name, p in url_names() if not name.startswith("admin:")}


def unclassified():
    return sorted(set(project_urls()) - set(ACCESS))


def test_every_url_is_in_the_table():
    missing = unclassified()
    assert not missing, (
        "URL tanpa baris di tests/security/test_access_matrix.py ACCESS (tentukan siapa boleh "
        f"membukanya): {', '.join(missing)}"
    )
    assert not sorted(set(ACCESS) - set(project_urls())), "baris ACCESS tanpa URL"


# A URL configuration with one view more, as another app would add it.
urlpatterns = [
    path("", include("pbipemda.urls")),
    path("peserta/baru-sekali/", lambda request: HttpResponse(), name="brand_new"),
]


def test_a_new_url_without_a_row_is_named(settings):
    settings.ROOT_URLCONF = __name__
    clear_url_caches()
    try:
        assert unclassified() == ["brand_new"]
    finally:
        settings.ROOT_URLCONF = "pbipemda.urls"
        clear_url_caches()


def url_for(name, rule, world):
    kwargs = {}
    obj = getattr(world, rule.obj) if rule.obj else None
    for key in project_urls()[name].pattern.converters:
        kwargs[key] = getattr(obj, {"pk": "pk"}.get(key, key))
    return reverse(name, kwargs=kwargs)


# Written by logging in or by any request of a logged-in user, not by what it asks for.
UNWATCHED = {"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}


def row_counts():
    """The number of rows of every table of the project, in one query."""
    tables = sorted(
        {model._meta.db_table for model in apps.get_models(include_auto_created=True)} - UNWATCHED
    )
    quote = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        return dict(zip(tables, cursor.fetchone(), strict=True))


def is_refused(response):
    login = reverse(settings.LOGIN_URL)
    return response.status_code in (403, 404) or response.get("Location", "").startswith(login)


def answer(client, rule, url):
    """The status of one request, inside a savepoint rolled back afterwards, so one persona's
    POST never changes what the next one sees; a refused request must have written nothing."""
    with transaction.atomic():
        before = row_counts()
        response = getattr(client, rule.method)(url)
        if is_refused(response):
            written = {table: n for table, n in row_counts().items() if n != before[table]}
            assert not written, f"{rule.method.upper()} {url} ditolak tetapi menulis {written}"
        transaction.set_rollback(True)
    return response


def check(name, rule, world, request):
    url = url_for(name, rule, world)
    anonymous = answer(Client(), rule, url)
    seen = {"anonymous": anonymous.status_code}
    expected = {"anonymous": rule.anonymous}
    if rule.anonymous is None:
        seen["anonymous"] = anonymous.status_code, anonymous.get("Location", "")
        expected["anonymous"] = 302, f"{reverse(settings.LOGIN_URL)}?next={url}"
    for persona in PERSONAS:
        client = Client()
        client.force_login(request.getfixturevalue(persona))
        seen[persona] = answer(client, rule, url).status_code
        expected[persona] = rule.expected(persona)
    assert seen == expected


@pytest.mark.parametrize("name", sorted(ACCESS))
def test_each_persona_gets_what_its_role_deserves(name, world, request):
    check(name, ACCESS[name], world, request)


@pytest.mark.parametrize("name", sorted(POSTED))
def test_each_persona_gets_what_its_role_deserves_by_post(name, world, request):
    check(name, POSTED[name], world, request)
