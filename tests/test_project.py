"""The project's settings and setup commands."""

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.http import HttpRequest

from accounts.models import Role, User
from tests.builders import VILLAGE_A

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "SECRET_KEY": "p6c!x0y_3k2m9v$w8r7t5q4n1b0z-production-like-secret-key-for-test",
    "ALLOWED_HOSTS": "pbi.kulonprogokab.go.id",
    "PBIPEMDA_FIELD_KEY": "cHJvZHVjdGlvbi1saWtlLWZpZWxkLWtleS1mb3ItdGU=",
}


def manage(*args, env):
    # Drop what the test run sets itself, so the subprocess sees only a production setup.
    test_only = {
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "SECURE_SSL_REDIRECT",
        "DJANGO_DEBUG",
        "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests
    }
    clean = {k: v for k, v in os.environ.items() if k not in test_only}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_under_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_secret_key_or_hosts(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY dan ALLOWED_HOSTS wajib diisi" in result.stderr


def test_unknown_region_profile_fails_the_system_check():
    result = manage("check", env={**PRODUCTION_ENV, "REGION_PROFILE": "sleman"})
    assert result.returncode != 0
    assert "regions.E001" in result.stderr


def test_settings_follow_the_brief(settings):
    assert settings.LANGUAGE_CODE == "id"
    assert settings.TIME_ZONE == "Asia/Jakarta" and settings.USE_TZ
    assert "django.contrib.auth.middleware.LoginRequiredMiddleware" in settings.MIDDLEWARE
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.postgresql":
        assert database["OPTIONS"]["pool"] is True


@pytest.mark.django_db
def test_demo_data_gives_every_role_a_login_that_reaches_its_home(client):
    call_command("load_demo_data", stdout=io.StringIO(), stderr=io.StringIO())
    call_command("load_demo_data", stdout=io.StringIO(), stderr=io.StringIO())
    users = User.objects.all()
    assert {user.role for user in users} == set(Role)
    assert users.get(username="operator_a").village.code == VILLAGE_A
    villages = {user.village.district_id for user in users.filter(role=Role.OPERATOR)}
    assert len(villages) == 2
    for user in users:
        assert client.login(request=HttpRequest(), username=user.username, password="pbi-demo-2026")
        assert client.get("/").status_code == 200


def test_apps_import_only_from_the_layers_below():
    """The import-linter contract of pyproject.toml, run by the suite too, so an upward import
    fails wherever the tests run."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


# A role compared in code or a template: `user.role == …`, `.role in …`, `!= Role.X`, …
ROLE_COMPARISON = re.compile(r"\.role\b\s*(==|!=|in\b|not\s+in\b)|(==|!=|\bin)\s*Role\.")
# Who may do what is answered in accounts/permissions.py alone; migrations, tests and the
# commands that create demo users with a role name roles without deciding anything.
ROLE_COMPARISONS_ALLOWED = {"accounts/permissions.py"}
OUTSIDE_THE_APPLICATION = {".venv", "node_modules", "tests", "bench", "synthetic", "migrations"}


def application_sources():
    for path in sorted(ROOT.rglob("*")):
        relative = path.relative_to(ROOT)
        if path.suffix not in (".py", ".html") or OUTSIDE_THE_APPLICATION & set(relative.parts):
            continue
        if relative.parent.name == "commands" and relative.name.startswith("load_demo"):
            continue
        yield relative.as_posix(), path


def test_only_the_permissions_module_compares_roles():
    comparisons = [
        f"{name}:{number}: {line.strip()}"
        for name, path in application_sources()
        if name not in ROLE_COMPARISONS_ALLOWED
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if ROLE_COMPARISON.search(line)
    ]
    assert not comparisons, "Tanyakan accounts/permissions.py:\n" + "\n".join(comparisons)


def test_the_role_comparison_pattern_finds_what_it_must():
    found = [
        "if user.role == Role.ADMIN:",
        "if actor.role not in DECIDING_ROLES:",
        "{% if user.role != 'dukcapil' %}",
        '{% if user.role == "operator" or x %}',
        "is_staff = role == Role.ADMIN",
        "if request.user.role in VILLAGE_ROLES:",
    ]
    passed = [
        "DUTIES.get(request.user.role, '')",
        '<div class="alert" role="alert">',
        "role=Role.VILLAGE_HEAD",
        "return has_role(user, {Role.ADMIN})",
    ]
    assert all(ROLE_COMPARISON.search(line) for line in found)
    assert not any(ROLE_COMPARISON.search(line) for line in passed)
