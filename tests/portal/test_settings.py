"""Settings come from the environment; production refuses to start half-configured."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_django(code: str, **env: str) -> subprocess.CompletedProcess:
    clean_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "DATABASE_URL"
    }
    clean_env.update({"DJANGO_SETTINGS_MODULE": "portal.settings", **env})
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_a_secret_key_exits_with_one_line():
    result = run_django("print('started')", DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="example.com")
    assert result.returncode == 1
    assert "started" not in result.stdout
    assert result.stderr.strip().splitlines() == [
        "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off."
    ]


def test_production_without_allowed_hosts_exits_with_one_line():
    result = run_django("print('started')", DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off."
    ]


def test_production_with_its_settings_starts():
    result = run_django(
        "from django.conf import settings; print(settings.DEBUG, settings.ALLOWED_HOSTS)",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="study.example.com, www.example.com",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['study.example.com', 'www.example.com']"


def test_check_deploy_passes_on_the_production_defaults_with_nothing_silenced():
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "DATABASE_URL"
    }
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="study.example.com",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


# "²" passes str.isdigit() but not int(): it must get the same one line, not a traceback.
@pytest.mark.parametrize("value", ["a year", "²"])
def test_a_malformed_number_exits_with_one_line(value):
    result = run_django(
        "print('started')",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="example.com",
        DJANGO_HSTS_SECONDS=value,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"DJANGO_HSTS_SECONDS must be a whole number, not {value!r}."
    ]


@pytest.mark.parametrize("name", ["DJANGO_CONN_MAX_AGE", "DJANGO_PROXY_COUNT"])
def test_every_number_setting_is_checked_the_same_way(name):
    result = run_django("print('started')", **{name: "²"})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"{name} must be a whole number, not '²'."]


def test_sqlite_file_database_runs_in_wal_with_immediate_transactions(tmp_path):
    database = tmp_path / "portal.sqlite3"
    result = run_django(
        "from django.db import connection; "
        "cursor = connection.cursor(); "
        "print(cursor.execute('PRAGMA journal_mode').fetchone()[0]); "
        "print(cursor.execute('PRAGMA busy_timeout').fetchone()[0]); "
        "print(connection.transaction_mode)",
        DATABASE_URL=f"sqlite:///{database}",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "20000", "IMMEDIATE"]


@pytest.mark.parametrize("value", ["postgres://u:p@db.example.com:5432/portal"])
def test_database_url_selects_postgresql(value):
    result = run_django(
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['ENGINE'], d['HOST'], d['NAME'])",
        DATABASE_URL=value,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["portal.postgresql", "db.example.com", "portal"]


def test_postgresql_connections_do_not_jit_compile_queries():
    """JIT cost the roster a third of its time at 10,000 learners (docs/NOTES.md)."""
    result = run_django(
        "from django.conf import settings; "
        "print(settings.DATABASES['default']['OPTIONS']['options'])",
        DATABASE_URL="postgres://u:p@db.example.com:5432/portal",
    )
    assert result.returncode == 0, result.stderr
    assert "-c jit=off" in result.stdout


@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        (None, "True 5 -c jit=off -c plan_cache_mode=force_generic_plan"),
        ("1", "True 5 -c jit=off -c plan_cache_mode=force_generic_plan"),
        ("0", "None None -c jit=off"),
    ],
)
def test_postgresql_connections_prepare_statements_and_plan_them_once_unless_turned_off(
    flag, expected
):
    """Off for a pooler that cannot keep prepared statements (README, Deploying)."""
    environment = {"DJANGO_DB_PREPARED_STATEMENTS": flag} if flag is not None else {}
    result = run_django(
        "from django.conf import settings; o = settings.DATABASES['default']['OPTIONS']; "
        "print(o.get('server_side_binding'), o.get('prepare_threshold'), o['options'])",
        DATABASE_URL="postgres://u:p@db.example.com:5432/portal",
        **environment,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_passwords_are_hashed_with_pbkdf2_at_djangos_iterations():
    """The suite swaps in a fast hasher (tests/conftest.py); the portal itself must not."""
    result = run_django(
        "from django.contrib.auth.hashers import get_hasher; "
        "print(get_hasher().algorithm, get_hasher().iterations)",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="example.com",
    )
    assert result.returncode == 0, result.stderr
    algorithm, iterations = result.stdout.split()
    assert algorithm == "pbkdf2_sha256"
    assert int(iterations) >= 1_000_000


def test_the_suite_hashes_passwords_quickly():
    from django.contrib.auth.hashers import get_hasher

    assert get_hasher().algorithm == "md5"


# Email and password reset --------------------------------------------------------------------

PRODUCTION = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "x" * 50, "DJANGO_ALLOWED_HOSTS": "e.com"}
SHOW_MAIL = (
    "from django.conf import settings; "
    "print(settings.MAILERS['default']['BACKEND'].rsplit('.', 2)[-2], "
    "settings.PASSWORD_RESET_ENABLED, settings.DEFAULT_FROM_EMAIL)"
)


def test_development_prints_email_to_the_console_with_reset_on():
    result = run_django(SHOW_MAIL)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "console True Study portal <noreply@localhost>"


def test_production_with_an_email_url_sends_by_smtp():
    result = run_django(
        SHOW_MAIL + "; print(settings.MAILERS['default']['OPTIONS']['host'])",
        **PRODUCTION,
        DJANGO_EMAIL_URL="smtps://u:p@mail.example.com",
        DJANGO_DEFAULT_FROM_EMAIL="Portal <portal@example.com>",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == [
        "smtp True Portal <portal@example.com>",
        "mail.example.com",
    ]


@pytest.mark.parametrize("switch", [{}, {"DJANGO_PASSWORD_RESET": "off"}])
def test_production_without_an_email_url_has_reset_off(switch):
    result = run_django(SHOW_MAIL, **PRODUCTION, **switch)
    assert result.returncode == 0, result.stderr
    # Nothing is sent; the entry is Django's default only to satisfy `check --deploy`.
    assert result.stdout.split()[:2] == ["smtp", "False"]


def test_reset_can_be_switched_off_even_with_a_mail_server():
    result = run_django(
        SHOW_MAIL, **PRODUCTION, DJANGO_EMAIL_URL="smtp://m.example.com", DJANGO_PASSWORD_RESET="0"
    )
    assert result.stdout.split()[:2] == ["smtp", "False"]


def test_a_bad_email_url_stops_the_process_with_one_line():
    result = run_django("print('started')", **PRODUCTION, DJANGO_EMAIL_URL="http://mail")
    assert result.returncode == 1
    assert "started" not in result.stdout
    assert result.stderr.strip().splitlines() == [
        "DJANGO_EMAIL_URL must start with smtp:// (STARTTLS) or smtps:// (TLS), not http://."
    ]
