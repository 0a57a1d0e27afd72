"""What the benchmark and the load test share: the site's environment and its gunicorn."""

from __future__ import annotations

import time

from bench.harness import Gunicorn, environment, with_database


def test_a_database_url_can_name_another_database_on_the_same_server():
    url = "postgres://portal:secret@127.0.0.1:5432/portal"
    assert with_database(url, "postgres") == "postgres://portal:secret@127.0.0.1:5432/postgres"


def test_the_site_runs_with_debug_off_and_the_bench_urls(tmp_path):
    env = environment(f"sqlite:///{tmp_path / 'bench.sqlite3'}")
    assert env["DJANGO_DEBUG"] == "0"
    assert env["DJANGO_SETTINGS_MODULE"] == "bench.settings"


def test_gunicorn_answers_with_two_workers_and_stops(tmp_path):
    env = environment(f"sqlite:///{tmp_path / 'bench.sqlite3'}")
    with Gunicorn(env) as server:
        assert server.get("/healthz")[0] == 200
        deadline = time.monotonic() + 10  # the master forks its second worker on its own time
        while len(server.worker_pids()) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        workers = server.worker_pids()
        assert len(workers) == 2 and server.process.pid not in workers
    assert server.process.returncode is not None
