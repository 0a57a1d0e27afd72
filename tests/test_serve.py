"""`make serve`, run as the README says: gunicorn with debug off, WhiteNoise's hashed and
compressed static files cached for good, HTTPS behind a proxy, and the Observatory's A+ from
the real production settings.

The server gets a throwaway SQLite database and static folder; which database it is does not
change what is checked here (tests/portal/test_settings.py checks that DATABASE_URL selects
PostgreSQL). `-o .venv/.installed` keeps make from reinstalling the environment the suite is
running in.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.portal.observatory import observe
from tools.servers import Server, free_port, get

ROOT = Path(__file__).resolve().parents[1]
MAKE = ["make", "--no-print-directory", "-o", ".venv/.installed", "serve"]
PRODUCTION = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    "DATABASE_URL": "sqlite:////nonexistent/refused-before-use.sqlite3",
    # No mail server here: password reset is declared off, as `make serve` then requires.
    "DJANGO_PASSWORD_RESET": "off",
}
NO_EMAIL = (
    "make serve needs DJANGO_EMAIL_URL set for password reset, or DJANGO_PASSWORD_RESET=off "
    "(see Deploying in README.md)."
)
# A request that came through the TLS-terminating proxy, as gunicorn sees it from loopback.
VIA_PROXY = {"X-Forwarded-Proto": "https"}

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make"),
]


def serve_env(**env: str) -> dict[str, str]:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "MAKE", "MFLAGS")) and key != "DATABASE_URL"
    }
    return {**clean, **env}


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        (["DATABASE_URL"], "make serve needs DATABASE_URL set (see Deploying in README.md)."),
        (
            ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"],
            "make serve needs DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS set "
            "(see Deploying in README.md).",
        ),
    ],
)
def test_make_serve_refuses_to_start_without_its_variables(missing, message):
    env = serve_env(**{name: value for name, value in PRODUCTION.items() if name not in missing})
    result = subprocess.run(
        MAKE, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode != 0
    assert result.stderr.splitlines()[0] == message
    assert "manage.py" not in result.stdout  # nothing ran


@pytest.mark.parametrize("reset", ["", "on", "1"])
def test_make_serve_refuses_to_start_without_email_unless_reset_is_off(reset):
    env = serve_env(**{**PRODUCTION, "DJANGO_PASSWORD_RESET": reset})
    result = subprocess.run(
        MAKE, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode != 0
    assert result.stderr.splitlines()[0] == NO_EMAIL
    assert "manage.py" not in result.stdout  # nothing ran


@pytest.mark.parametrize(
    "email", [{"DJANGO_PASSWORD_RESET": "OFF"}, {"DJANGO_EMAIL_URL": "smtp://mail.example.com"}]
)
def test_make_serves_pre_flight_passes_with_email_or_reset_off(email):
    env = serve_env(**{**PRODUCTION, "DJANGO_PASSWORD_RESET": "", **email})
    result = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "serve-env"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`make serve` on a free loopback port; stopped (its whole process group) afterwards. If
    it dies, starting or later, the error quotes its log."""
    folder = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = serve_env(
        **{**PRODUCTION, "DATABASE_URL": f"sqlite:///{folder / 'portal.sqlite3'}"},
        DJANGO_STATIC_ROOT=str(folder / "static"),
        DJANGO_LOG_LEVEL="ERROR",
        PORT=str(port),
        WEB_CONCURRENCY="2",
    )
    log = folder / "serve.log"
    with Server(MAKE, port=port, env=env, log=log, timeout=180, name="make serve"):
        yield {"port": port, "static": folder / "static", "log": log}


def header(pairs, name: str) -> str | None:
    return next((value for key, value in pairs if key.lower() == name.lower()), None)


def test_gunicorn_serves_with_debug_off(served):
    log = served["log"].read_text()
    assert "Starting gunicorn" in log
    assert "System check identified no issues" in log  # check --deploy, on the way up
    status, pairs, body = get(served["port"], "/no-such-page/", VIA_PROXY)
    assert status == 404
    assert header(pairs, "Server") == "gunicorn"
    assert b"URLconf" not in body and b"Traceback" not in body  # no debug page


def test_plain_http_is_redirected_to_https_but_the_health_check_is_not(served):
    port = served["port"]
    status, pairs, _ = get(port, "/lessons/restore-paths/")
    assert status == 301
    assert header(pairs, "Location") == f"https://127.0.0.1:{port}/lessons/restore-paths/"
    assert get(port, "/healthz")[:1] == (200,)
    assert get(port, "/healthz")[2] == b"ok\n"


def test_static_files_are_hashed_compressed_and_cached_for_good(served):
    port = served["port"]
    _, _, page = get(port, "/", VIA_PROXY)
    stylesheet = re.search(rb'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, "the page links the hashed stylesheet"
    url = stylesheet[1].decode()
    assert (served["static"] / url.removeprefix("/static/")).is_file()
    assert (served["static"] / (url.removeprefix("/static/") + ".gz")).is_file()

    status, pairs, body = get(port, url, {**VIA_PROXY, "Accept-Encoding": "gzip"})
    assert status == 200
    assert header(pairs, "Cache-Control") == "max-age=315360000, public, immutable"
    assert header(pairs, "Content-Encoding") == "gzip"
    assert "Accept-Encoding" in header(pairs, "Vary")
    assert body[:2] == b"\x1f\x8b"

    # Under its plain name the same file may change, so it is cached only briefly.
    _, pairs, _ = get(port, "/static/css/site.css", VIA_PROXY)
    assert "immutable" not in header(pairs, "Cache-Control")


@pytest.mark.parametrize("path", ["/", "/lessons/restore-paths/", "/accounts/login/"])
def test_pages_score_a_plus_on_the_observatory_as_served(served, path):
    port = served["port"]
    status, pairs, body = get(port, path, VIA_PROXY)
    assert status == 200
    _, plain, _ = get(port, path)
    report = observe(
        f"https://127.0.0.1:{port}{path}",
        pairs,
        html=body.decode(),
        http_redirects=[header(plain, "Location")],
    )
    assert report.grade == "A+", (report.score, report.outcomes)
    assert header(pairs, "Strict-Transport-Security") == (
        "max-age=31536000; includeSubDomains; preload"
    )
