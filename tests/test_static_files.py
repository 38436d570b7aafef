"""Light on a slow connection: pages compressed, static files under hashed names that browsers
keep, so that a repeat view fetches only the page."""

import os
import subprocess
import sys

from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

MANIFEST = "whitenoise.storage.CompressedManifestStaticFilesStorage"


def storage_when(**env):
    environ = {k: v for k, v in os.environ.items() if k not in {"STATIC_MANIFEST", "DJANGO_DEBUG"}}
    code = "from django.conf import settings; print(settings.STORAGES['staticfiles']['BACKEND'])"
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**environ, "DJANGO_SETTINGS_MODULE": "pbipemda.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_production_serves_hashed_static_files_and_make_run_does_not():
    assert storage_when() == MANIFEST
    assert storage_when(DJANGO_DEBUG="1") != MANIFEST


def test_pages_are_sent_compressed(operator_a):
    client = Client()
    client.force_login(operator_a)
    response = client.get(reverse("home"), HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]


def test_collected_static_files_have_hashed_names_kept_for_a_year(tmp_path, operator_a):
    collected = {
        "STATIC_ROOT": tmp_path,
        "STORAGES": {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": MANIFEST},
        },
        "STATICFILES_FINDERS": ["django.contrib.staticfiles.finders.FileSystemFinder"],
        "WHITENOISE_USE_FINDERS": False,
    }
    with override_settings(**collected):
        call_command("collectstatic", interactive=False, verbosity=0)
        client = Client()
        client.force_login(operator_a)
        page = client.get(reverse("home")).content.decode()
        hashed = [part.split('"')[0] for part in page.split('href="/static/')[1:]]
        stylesheet = next(name for name in hashed if name.startswith("css/app."))
        assert stylesheet != "css/app.css"
        response = client.get(f"/static/{stylesheet}", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    max_age = int(response["Cache-Control"].split("max-age=")[1].split(",")[0])
    assert max_age >= 365 * 24 * 3600
