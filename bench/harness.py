"""What the benchmark (bench/run.py) and the load test (bench/load.py) share: a scratch
PostgreSQL database, the environment of the site they measure (debug off, bench/settings.py),
manage.py and bench modules run inside that database, and gunicorn serving it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tools.servers import Server, free_port, gunicorn_command

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


# Databases -------------------------------------------------------------------------------------


def fresh_postgres_database(server_url: str, name: str) -> str:
    """Drop and create database `name` on the server `server_url` names; return its URL.

    Works from the `postgres` maintenance database, so the one in the URL need not exist.
    """
    import psycopg
    from psycopg import sql

    url = with_database(server_url, name)
    drop_postgres_database(url)
    with psycopg.connect(with_database(server_url, "postgres"), autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url


def drop_postgres_database(database_url: str) -> None:
    """Drop the database `database_url` names, closing any sessions still connected to it."""
    import psycopg
    from psycopg import sql

    name = sql.Identifier(urlsplit(database_url).path.lstrip("/"))
    with psycopg.connect(with_database(database_url, "postgres"), autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


# The site --------------------------------------------------------------------------------------


def environment(database_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="bench.settings",  # the site plus bench/urls.py's limits
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="bench-" + "k" * 60,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_COOKIES="0",  # plain HTTP on loopback
        DJANGO_SECURE_SSL_REDIRECT="0",  # likewise: no redirect to https://
        DJANGO_LOG_LEVEL="ERROR",
    )
    return env


def manage(env: dict, *arguments: str) -> str:
    completed = subprocess.run(
        [PYTHON, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return completed.stdout


def database_version(env: dict) -> str:
    code = (
        "from django.db import connection; connection.ensure_connection(); "
        "print('SQLite', connection.Database.sqlite_version) if connection.vendor == 'sqlite' "
        "else print('PostgreSQL', connection.connection.info.server_version)"
    )
    name, version = manage(env, "shell", "-c", code).strip().splitlines()[-1].split()
    if name == "PostgreSQL":  # 150018 -> 15.18
        version = f"{int(version) // 10000}.{int(version) % 10000}"
    return f"{name} {version}"


def run_json(env: dict, module: str, *arguments: str) -> dict:
    """Run a bench module inside the benchmarked database and read the JSON it prints."""
    completed = subprocess.run(
        [PYTHON, "-m", module, *arguments], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if completed.returncode:  # say what went wrong, not only that it did
        sys.exit(f"python -m {module} {' '.join(arguments)} failed:\n{completed.stderr}")
    return json.loads(completed.stdout)


# Measurements in a process of their own ------------------------------------------------------


def run_own_process(module: str) -> object:
    """`python -m <module> --json`, which sets Django up on a fresh database of its own (the
    calling process keeps the benchmark's settings), and the JSON it prints."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    return run_json(env | {"DJANGO_LOG_LEVEL": "ERROR"}, module, "--json")


def django_on_fresh_database(database: str | None, name: str) -> None:
    """Set Django up in this process on `database`, or on a fresh SQLite file
    (bench/.data/<name>.sqlite3, any earlier one deleted), and migrate it."""
    if database is None:
        data = ROOT / "bench" / ".data"
        data.mkdir(parents=True, exist_ok=True)
        for old in data.glob(f"{name}.sqlite3*"):
            old.unlink()
        database = f"sqlite:///{data / f'{name}.sqlite3'}"
    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


# The server ------------------------------------------------------------------------------------


class Gunicorn(Server):
    """gunicorn with two sync workers on a free loopback port, stopped on exit."""

    def __init__(self, env: dict) -> None:
        port = free_port()
        super().__init__(gunicorn_command(port, workers=2), port=port, env=env, name="gunicorn")

    def worker_pids(self) -> list[int]:
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.append(int(stat.parent.name))
        return sorted(pids)
