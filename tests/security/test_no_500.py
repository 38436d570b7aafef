"""No input gives a server error (issue 14, finding 10). Generated from the URL configuration:
every URL of the project (its path converters filled with objects of the world in
tests/security/conftest.py), for every persona and an anonymous visitor, is sent hostile values
in every query parameter the project reads and in every field of the project's forms. A
refusal is a 400, a 404, a form shown again with its message, or a redirect; never a 500.

Every URL × persona gets GET requests; the hostile values rotate over the personas so each URL
sees every value (the pages open to an anonymous visitor get every value from it), and each
request carries one value in every parameter at once (the area
parameters `desa`/`kapanewon` apart on one request in three, since an unknown area answers 404
before the rest is read). Each URL × persona also gets one POST with a value in every field.
Each request runs in a savepoint rolled back afterwards, so one persona's POST never changes
what the next one sees."""

import contextlib
import importlib
import inspect
import re
import sys
import traceback
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.datastructures import MultiValueDict

from pbipemda.middleware import NUL_REFUSED
from tests.builders import PERSONAS

pytestmark = pytest.mark.django_db

HOSTILE = [
    "\x00",
    "0000-01",
    "0000-01-01",
    "10000-01",
    "10000-01-01",
    "2026-13",
    "2026-01-99",
    "9999-12",
    "999999999",
    "999999999999999999999",
    "-1",
    "x" * 10_000,
    "javascript:alert(1)",
    "https://evil.example/",
]
# The query parameters the project reads, with one it does not ("zz"); those read through
# `request.GET.get("…")` anywhere in the project are added below.
PARAMS = {
    "q",
    "desa",
    "kapanewon",
    "village",
    "month",
    "bulan",
    "year",
    "tahun",
    "waiting_days",
    "status",
    "category",
    "page",
    "next",
    "cursor",
    "grafik",
    "semua",
    "zz",
}
# Which object of the world each URL's path converters take; a URL with converters missing
# here fails test_every_url_with_a_key_has_an_object.
OBJECT_OF = {
    "village_detail": "village",
    "sktm:form_detail": "form",
    "sktm:form_edit": "form",
    "sktm:form_acknowledge": "form",
    "sktm:form_return": "form",
    "sktm:letter_issue": "form",
    "sktm:lampiran_a_pdf": "form",
    "sktm:letter_pdf": "letter",
    "sktm:letter_revoke": "letter",
    "sktm:letter_verify": "letter",
    "enrollment:person_detail": "person",
    "verification:proposal_detail": "proposal",
    "verification:item_add": "proposal",
    "verification:proposal_submit": "proposal",
    "verification:proposal_return": "proposal",
    "verification:items_approve_pending": "proposal",
    "verification:lampiran_d_xlsx": "proposal",
    "verification:lampiran_d_pdf": "proposal",
    "verification:letters_pdf": "proposal",
    "verification:item_withdraw": "item",
    "verification:item_decide": "item",
    "verification:removal_validate": "item",
    "verification:resident_lookup": "proposal",
    "bpjs:person_detail": "person",
    "bpjs:registration_sent": "job",
    "jobs:detail": "job",
    "jobs:progress": "job",
    "jobs:restart": "job",
    "jobs:download": "job",
    "instructions:detail": "instruction",
    "instructions:report_open": "instruction",
    "instructions:matrix": "instruction",
    "instructions:matrix_xlsx": "instruction",
    "instructions:matrix_pdf": "instruction",
    "instructions:report_detail": "report",
    "instructions:report_edit": "report",
    "instructions:report_submit": "report",
    "instructions:report_return": "report",
    "instructions:report_forward": "report",
    "instructions:attachment": "attachment",
    "instructions:attachment_delete": "attachment",
    "oversight:reverification_bulk": "village",
    "oversight:reverification_person": "participant",
    "verification:held_decide": "form",
    "verification:held_item_accept": "item",
}
# URLs that still answer 500 to some value, each in a file this test's owner does not hold:
# the file, the value and the line that raises; and whether it fails on this database.


def url_patterns(patterns=None, namespace=""):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from url_patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry


def project_urls():
    return {name: p for name, p in url_patterns() if not name.startswith("admin:")}


def project_apps():
    base = Path(settings.BASE_DIR).resolve()
    return [app for app in apps.get_app_configs() if base in Path(app.path).resolve().parents]


def read_parameters():
    """Every `request.GET.get("…")` name in the project's views, and every field of the forms
    they bind to `request.GET`."""
    names = set()
    for app in project_apps():
        for source in Path(app.path).glob("*.py"):
            text = source.read_text()
            names |= set(re.findall(r"request\.GET\.get\(\s*[\"'](\w+)", text))
            for form in re.findall(r"(\w+)\(\s*request\.GET\b", text):
                cls = FORM_CLASSES.get(form)
                names |= set(cls.base_fields) if cls else set()
    return names


def form_classes():
    """Every form class in the project's `forms` modules, by name."""
    classes = {}
    for app in project_apps():
        try:
            module = importlib.import_module(f"{app.name}.forms")
        except ModuleNotFoundError:
            continue
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and hasattr(cls, "base_fields"):
                classes[name] = cls
    return classes


FORM_CLASSES = form_classes()


def form_fields():
    """Every field name of the project's forms, and the login's."""
    names = {"username", "password", "next", "note", "token"}
    for cls in FORM_CLASSES.values():
        names |= set(cls.base_fields)
    return sorted(names)


def where(exc_info):
    """The last line of the project's code the exception passed through."""
    base = str(Path(settings.BASE_DIR).resolve())
    frames = [
        frame
        for frame in traceback.extract_tb(exc_info[2])
        if frame.filename.startswith(base) and "/.venv/" not in frame.filename
    ]
    frame = frames[-1] if frames else traceback.extract_tb(exc_info[2])[-1]
    return f"{frame.filename}:{frame.lineno} {frame.line}: {exc_info[1]!r}"


def url_of(name, world):
    converters = project_urls()[name].pattern.converters
    obj = getattr(world, OBJECT_OF[name]) if converters else None
    return reverse(name, kwargs={key: getattr(obj, key) for key in converters})


def values_for(name_index, persona_index):
    """Two hostile values for this URL and persona, rotating so each URL sees all."""
    start = (persona_index * 2 + name_index) % len(HOSTILE)
    return [HOSTILE[(start + step) % len(HOSTILE)] for step in range(2)]


def is_sent_to_login(response):
    return response.status_code == 302 and response["Location"].startswith(
        reverse(settings.LOGIN_URL) + "?"
    )


def send(client, method, url, data):
    with transaction.atomic():
        response = getattr(client, method)(url, data)
        transaction.set_rollback(True)
    return response


@contextlib.contextmanager
def names_read():
    """The keys a request's handling reads from any QueryDict (request.GET, request.POST)."""
    read = set()
    attributes = ("__getitem__", "getlist", "__contains__")
    own = {name: MultiValueDict.__dict__.get(name) for name in attributes}

    def spy(original):
        def read_key(self, key, *args, **kwargs):
            # Building a QueryDict asks `key not in self` of each key: that is no reading.
            if sys._getframe(1).f_code.co_name != "setlistdefault":
                read.add(key)
            return original(self, key, *args, **kwargs)

        return read_key

    for name in attributes:
        setattr(MultiValueDict, name, spy(getattr(MultiValueDict, name)))
    try:
        yield read
    finally:
        for name, original in own.items():
            if original is None:
                delattr(MultiValueDict, name)
            else:
                setattr(MultiValueDict, name, original)


def server_errors(name, world, request):
    """GET: a first request with every parameter at a harmless value finds which ones the view
    reads; then each hostile value goes into all parameters at once, and into each parameter
    read alone (so one parameter's refusal does not hide another's error). POST: a hostile
    value in every field of the project's forms."""
    index = sorted(project_urls()).index(name)
    url = url_of(name, world)
    params = sorted(PARAMS | read_parameters())
    # An unknown area answers 404 before anything else is read: the probe names none (a view
    # that reads the area parameters is seen asking for them all the same).
    plain = [param for param in params if param not in {"desa", "kapanewon"}]
    fields = form_fields()
    errors = []

    def check(persona, method, data, value):
        response = send(client, method, url, data)
        if response.status_code >= 500:
            errors.append((persona, method.upper(), value[:30], response.exc_info))
        return response

    for persona_index, persona in enumerate(["anonymous", *PERSONAS]):
        client = Client(raise_request_exception=False)
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona))
        with names_read() as read:
            probe = check(persona, "get", dict.fromkeys(plain, "1"), "1")
        values = values_for(index, persona_index)
        posted = [HOSTILE[(index + persona_index) % len(HOSTILE)]]
        if persona == "anonymous" and not is_sent_to_login(probe):
            # The pages open to anyone (login, the letter check) get every value.
            values = posted = HOSTILE
        for value in values:
            check(persona, "get", dict.fromkeys(params, value), value)
            for param in sorted(read & set(params)):
                check(persona, "get", {param: value}, value)
        for value in posted:
            check(persona, "post", dict.fromkeys(fields, value), value)
    return errors


def test_every_url_with_a_key_has_an_object():
    missing = [
        name
        for name, pattern in project_urls().items()
        if pattern.pattern.converters and name not in OBJECT_OF
    ]
    assert not missing, f"URL tanpa objek di OBJECT_OF (tests/security/test_no_500.py): {missing}"


def test_every_parameter_and_field_is_tried():
    """The lists the fuzzing draws on are read from the code, not only written by hand."""
    assert {"page", "q", "status", "grafik", "bulan", "tahun"} <= read_parameters()
    assert {"checked_on", "note", "bulan", "tahun", "nik", "applicant_name"} <= set(form_fields())


@pytest.mark.parametrize("name", sorted(project_urls()))
def test_no_hostile_input_gives_a_server_error(name, world, request):
    errors = server_errors(name, world, request)
    assert not errors, "\n".join(
        f"{persona} {method} {value!r}: {where(exc_info)}"
        for persona, method, value, exc_info in errors
    )


@pytest.mark.parametrize(
    "url",
    ["/sktm/cek/%00/", "/pantauan/?q=%00", "/pantauan/?desa=%00", "/peserta/?q=a%00b"],
)
def test_a_nul_byte_in_the_address_is_refused_with_a_message(url, client, verifier):
    client.force_login(verifier)
    response = client.get(url)
    assert response.status_code == 400
    assert NUL_REFUSED in response.content.decode()


def test_a_nul_byte_in_the_address_is_refused_to_an_anonymous_visitor(client):
    response = Client().get("/sktm/cek/%00/")
    assert response.status_code == 400


def test_a_nul_byte_in_a_form_field_is_refused_and_writes_nothing(client, operator_a, world):
    from oversight.models import Reverification

    client.force_login(operator_a)
    url = reverse("oversight:reverification_person", args=[world.participant.pk])
    response = client.post(
        url, {"checked_on": "2026-01-05", "outcome": "eligible", "note": "a\x00"}
    )
    assert response.status_code == 400
    assert not Reverification.objects.exists()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:x"])
def test_removal_validation_sends_back_only_to_this_site(verifier, world, target):
    client = Client(raise_request_exception=False)
    client.force_login(verifier)
    url = reverse("verification:removal_validate", args=[world.item.pk])
    answer = client.post(url, {"next": target})
    assert answer.status_code == 302
    assert answer["Location"].startswith("/") and not answer["Location"].startswith("//")
