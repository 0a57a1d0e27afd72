"""Grading under load and faults: `make load`, or `python -m bench.load` (see README.md).

Builds a fresh database (SQLite in a temporary folder, or on PostgreSQL a scratch database
`<name>_load` beside the one the given URL names, dropped afterwards), migrates it, imports
content/ and makes LEARNERS learners. It serves them with gunicorn, debug off, two sync workers
per instance, on free loopback ports: two instances sharing the database on PostgreSQL, one on
SQLite (a second would only add processes queueing for the same file lock).

Each simulated learner is a thread that, until the time is up, takes the study card from one
instance and posts a random grade for it to another, as the page would (htmx mostly, now and
then a plain form answered 303), and now and then posts the same grade twice at once, to two
workers (a double click).
Halfway through, one worker is killed with SIGKILL; its master starts another. Meanwhile, from
the start, two more processes disturb the site as an instructor and an operator would: one
imports a note of IMPORT_CARDS flashcards into the live database, the other backs the live
database up and restores the backup into a copy (a scratch SQLite file, or `<name>_load_copy`).
Each must succeed.

Afterwards bench/load_db.py audits the review log against every grade sent (see its `audit`).
The run fails (exit status 1) on any 5xx, any timed-out request, more broken connections than
workers killed (each can take only the request it was serving), any grade refused, any
acknowledged grade missing from the log or logged twice, any review no grade explains, and
any card state that differs from a rebuild from the log. Bounded: a fixed duration, a timeout
on every request, and every process stopped on the way out.
"""

from __future__ import annotations

import argparse
import functools
import http.client
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench.harness import (
    ROOT,
    Gunicorn,
    database_version,
    drop_postgres_database,
    environment,
    fresh_postgres_database,
    manage,
    run_json,
)

REQUEST_TIMEOUT = 30.0  # seconds; a request slower than this is a failure, not a wait
REVEAL = re.compile(rb'name="reveal" value="([^"]+)"')  # the grade token on an unrevealed card
PLAIN_FORMS = 0.2  # share of grades posted without htmx
DOUBLE_SUBMITS = 0.1  # share of grades posted twice at once, to two workers (a double click)

# What became of a grade the learner posted (bench/load_db.py reads these):
ACKNOWLEDGED = "acknowledged"  # answered 200 (htmx) or 303: the learner saw it land
REPEAT = "repeat"  # the second of a double submit, answered too (the log must hold it once)
UNANSWERED = "unanswered"  # the connection broke (a killed worker): it may or may not have landed
REFUSED = "refused"  # answered 4xx: never expected, since every grade names the current state
# What the audit counts (all should be 0); see bench/load_db.py.
AUDITED = (
    "lost",
    "duplicated",
    "unexplained",
    "chain_breaks",
    "lost_states",
    "stale_states",
    "states_without_reviews",
    "rebuild_mismatches",
)


@dataclass
class Answer:
    status: int
    body: bytes


@dataclass
class Tally:
    """What one simulated learner saw; merged into the run's figures afterwards."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    timeouts: list[str] = field(default_factory=list)
    grades: list[dict] = field(default_factory=list)
    idle: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)  # a double submit's two threads

    def send(self, server: Gunicorn, method: str, path: str, headers: dict, body: str = ""):
        """One request on a fresh connection; None when it got no answer (noted here)."""
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            answer = Answer(response.status, response.read())
        except TimeoutError:
            with self.lock:
                self.timeouts.append(f"{method} {path}")
            return None
        except (OSError, http.client.HTTPException) as error:
            with self.lock:
                self.broken.append(f"{method} {path}: {error!r}")
            return None
        finally:
            connection.close()
        with self.lock:
            self.latencies.append(time.perf_counter() - started)
            self.statuses[answer.status] += 1
            if answer.status >= 500:
                self.server_errors.append(f"{method} {path}: {answer.status} {answer.body[:300]!r}")
        return answer


@dataclass
class Kill:
    pid: int
    at: float  # seconds into the run
    replaced_after: float | None = None  # seconds until the master had two workers again


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database",
        default="sqlite",
        help="'sqlite' (the default), or a PostgreSQL URL whose role may create databases.",
    )
    parser.add_argument("--learners", type=int, default=int(os.environ.get("LOAD_LEARNERS", 50)))
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("LOAD_SECONDS", 60)))
    parser.add_argument("--cards", type=int, default=300, help="Prompts in the deck, at least.")
    parser.add_argument("--no-kill", dest="kill", action="store_false", help="Kill no worker.")
    parser.add_argument(
        "--import-cards",
        type=int,
        default=5000,
        help="Flashcards in the note imported during the run (0: no import, no restore).",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="portal-load-") as scratch:
        try:
            return run(args, Path(scratch))
        except subprocess.CalledProcessError as error:  # a setup step: show what it said
            print(f"   FAIL {' '.join(error.cmd)}\n{error.stdout}{error.stderr}", file=sys.stderr)
            return 1


def run(args, scratch: Path) -> int:
    postgres = args.database != "sqlite"
    if postgres:
        name = urlsplit(args.database).path.strip("/") or "portal"
        database_url = fresh_postgres_database(args.database, f"{name}_load")
        copy_url = fresh_postgres_database(args.database, f"{name}_load_copy")
    else:
        database_url = f"sqlite:///{scratch / 'load.sqlite3'}"
        copy_url = f"sqlite:///{scratch / 'copy.sqlite3'}"
    try:
        env = environment(database_url)
        env["DJANGO_STATIC_ROOT"] = str(scratch / "static")  # not into the checkout
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "import_notes", "content/")
        manage(env, "collectstatic", "--no-input", "-v", "0")
        copy_env = environment(copy_url)
        manage(copy_env, "migrate", "--no-input", "-v", "0")
        note = scratch / "imported-during-the-run.md"
        note.write_text(big_note(args.import_cards))
        version = database_version(env)
        fixtures = inside_database(env, "prepare", str(args.learners), str(args.cards))
        instances = 2 if postgres else 1
        print(
            f"== {version}: {args.learners} learners for {args.seconds:g} s, "
            f"{'two gunicorn instances' if postgres else 'one gunicorn instance'} x 2 workers, "
            f"{fixtures['prompts']} cards",
            flush=True,
        )
        with ExitStack() as servers_running:
            servers = [servers_running.enter_context(Gunicorn(env)) for _ in range(instances)]
            disturbances = (
                Disturbances.start(env, copy_env, note, scratch) if args.import_cards else None
            )
            tallies, kill, elapsed, stuck = drive(servers, fixtures, args)
            if disturbances is not None:
                disturbances.wait()
        grades = [grade for tally in tallies for grade in tally.grades]
        grades_file = scratch / "grades.json"
        grades_file.write_text(json.dumps(grades))
        audit = inside_database(env, "audit", str(grades_file))
    finally:
        if postgres:
            drop_postgres_database(database_url)
            drop_postgres_database(copy_url)
    return verdict(tallies, kill, elapsed, stuck, audit, disturbances)


def big_note(cards: int) -> str:
    """A note of `cards` basic flashcards, about 18 bytes of Markdown each way."""
    body = "\n\n".join(f"Q: Question {n} about *backups*?\nA: Answer {n}." for n in range(cards))
    return (
        "# 2026-01-06 — Imported during the run\n\n**Slug:** imported-during-the-run\n\n"
        f"## Part\n\nText.\n\n```flashcards\nsection: part\n\n{body}\n```\n"
    )


DISTURBANCE_TIMEOUT = 600.0  # seconds; either process taking longer is a failure


@dataclass
class Disturbance:
    """manage.py commands run one after the other, each with its environment; "{previous}" in
    an argument stands for what the command before printed."""

    name: str
    steps: list[tuple[list[str], dict]]
    seconds: float | None = None  # how long all of it took, once it succeeded
    failure: str = ""
    output: str = ""
    thread: threading.Thread | None = None

    def run(self) -> None:
        started = time.monotonic()
        for arguments, env in self.steps:
            arguments = [argument.replace("{previous}", self.output) for argument in arguments]
            try:
                completed = subprocess.run(
                    [sys.executable, "manage.py", *arguments],
                    cwd=ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=DISTURBANCE_TIMEOUT,
                )
            except subprocess.TimeoutExpired:
                self.failure = f"{arguments[0]}: still running after {DISTURBANCE_TIMEOUT:g} s"
                return
            self.output = completed.stdout.strip()
            if completed.returncode != 0:
                self.failure = f"{arguments[0]}: {(completed.stderr or self.output)[-500:]}"
                return
        self.seconds = time.monotonic() - started


@dataclass
class Disturbances:
    """The import and the backup-and-restore, each in its own process, run in the background."""

    items: list[Disturbance]

    @classmethod
    def start(cls, env: dict, copy_env: dict, note: Path, scratch: Path) -> Disturbances:
        items = [
            Disturbance("import", [(["import_notes", str(note)], env)]),
            # The backup is of the live database; the restore goes into the copy.
            Disturbance(
                "backup, then restore into a copy",
                [
                    (["backup", "--dir", str(scratch / "backups")], env),
                    (["restore", "--no-input", "{previous}"], copy_env),
                ],
            ),
        ]
        for item in items:
            item.thread = threading.Thread(target=item.run, daemon=True)
            item.thread.start()
        return cls(items)

    def wait(self) -> None:
        for item in self.items:
            item.thread.join(timeout=2 * DISTURBANCE_TIMEOUT)
            if item.thread.is_alive():
                item.failure = item.failure or "never finished"


def inside_database(env: dict, *arguments: str) -> dict:
    return run_json(env, "bench.load_db", *arguments)


# The run ---------------------------------------------------------------------------------------


def drive(servers: list[Gunicorn], fixtures: dict, args):
    started = time.monotonic()
    deadline = started + args.seconds
    tallies = [Tally() for _ in fixtures["learners"]]
    threads = [
        threading.Thread(
            target=study,
            args=(learner, servers, fixtures["csrf"], deadline, tallies[index], index),
            daemon=True,  # a thread stuck past its timeouts must not keep the script alive
        )
        for index, learner in enumerate(fixtures["learners"])
    ]
    for thread in threads:
        thread.start()
    kill = None
    if args.kill:
        time.sleep(max(0.0, started + args.seconds / 2 - time.monotonic()))
        kill = kill_a_worker(servers[0], started)
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()) + 2 * REQUEST_TIMEOUT)
    elapsed = time.monotonic() - started
    return tallies, kill, elapsed, sum(thread.is_alive() for thread in threads)


def study(
    learner: dict, servers: list[Gunicorn], csrf: str, deadline: float, tally: Tally, seed: int
) -> None:
    """One learner: show the card on one instance, grade it on the next, until the time is up."""
    rng = random.Random(seed)
    turn = seed  # learners start on different instances
    page_headers = {"Cookie": learner["cookie"], "HX-Request": "true"}
    # The second hand of a double submit.
    with ThreadPoolExecutor(max_workers=1) as other_hand:
        while time.monotonic() < deadline:
            answer = tally.send(servers[turn % len(servers)], "GET", "/study/", page_headers)
            turn += 1
            if answer is None:
                continue
            if answer.status != 200:
                tally.unexpected.append(f"GET /study/: {answer.status}")
                continue
            found = REVEAL.search(answer.body)
            if found is None:  # nothing due (the deck is sized so this stays rare)
                tally.idle += 1
                time.sleep(0.2)
                continue
            grade = {"user": learner["id"], "token": found[1].decode(), "rating": rng.randint(1, 4)}
            post = functools.partial(
                post_grade,
                tally,
                learner=learner,
                csrf=csrf,
                grade=grade,
                htmx=rng.random() >= PLAIN_FORMS,
            )
            if rng.random() >= DOUBLE_SUBMITS:
                tally.grades.append({**grade, "outcome": post(servers[turn % len(servers)])})
                turn += 1
                continue
            # The same grade twice at once, to two workers (on PostgreSQL, of two instances):
            # they race for the state's row lock, and one lands.
            racing = other_hand.submit(post, servers[turn % len(servers)])
            first = post(servers[(turn + 1) % len(servers)])
            turn += 2
            first, second = sorted(
                [first, racing.result(timeout=2 * REQUEST_TIMEOUT)],
                key=lambda outcome: outcome != ACKNOWLEDGED,
            )
            tally.grades.append({**grade, "outcome": first})
            tally.grades.append({**grade, "outcome": REPEAT if second == ACKNOWLEDGED else second})


def post_grade(
    tally: Tally, server: Gunicorn, *, learner: dict, csrf: str, grade: dict, htmx: bool
) -> str:
    headers = {
        "Cookie": learner["cookie"],
        "X-CSRFToken": csrf,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    if htmx:
        headers["HX-Request"] = "true"
    body = urlencode({"token": grade["token"], "rating": grade["rating"], "scope": "all"})
    answer = tally.send(server, "POST", "/study/grade/", headers, body)
    if answer is None:
        return UNANSWERED
    if answer.status == (200 if htmx else 303):
        return ACKNOWLEDGED
    tally.unexpected.append(f"POST /study/grade/: {answer.status} {answer.body[:200]!r}")
    return REFUSED


def kill_a_worker(server: Gunicorn, started: float) -> Kill | None:
    """SIGKILL one of the instance's workers, then time the master's replacing it."""
    workers = server.worker_pids()
    if not workers:
        return None
    kill = Kill(pid=workers[0], at=time.monotonic() - started)
    os.kill(kill.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    while time.monotonic() - killed_at < 15:
        workers = server.worker_pids()  # the killed one lingers until the master reaps it
        if kill.pid not in workers and len(workers) == 2:
            kill.replaced_after = time.monotonic() - killed_at
            break
        time.sleep(0.05)
    return kill


# The verdict -----------------------------------------------------------------------------------


def verdict(
    tallies: list[Tally],
    kill: Kill | None,
    elapsed: float,
    stuck: int,
    audit: dict,
    disturbances: Disturbances | None = None,
) -> int:
    def merged(name: str) -> list:
        return [item for tally in tallies for item in getattr(tally, name)]

    latencies = merged("latencies")
    statuses = sum((tally.statuses for tally in tallies), Counter())
    outcomes = Counter(grade["outcome"] for grade in merged("grades"))
    server_errors, broken = merged("server_errors"), merged("broken")
    percentiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    allowed_broken = 1 if kill else 0

    problems = audit["problems"]
    lines = [
        f"requests {len(latencies):,} ({len(latencies) / elapsed:,.0f}/s) in {elapsed:.1f} s; "
        f"statuses {dict(sorted(statuses.items()))}",
        f"grades acknowledged {outcomes[ACKNOWLEDGED]:,} "
        f"({outcomes[ACKNOWLEDGED] / elapsed:,.1f}/s), double submits answered "
        f"{outcomes[REPEAT]:,}, unanswered {outcomes[UNANSWERED]}, refused {outcomes[REFUSED]}; "
        f"idle waits {sum(tally.idle for tally in tallies)}",
        f"latency p50 {percentiles[49] * 1000:.1f} ms, p99 {percentiles[98] * 1000:.1f} ms, "
        f"max {max(latencies, default=0) * 1000:.0f} ms",
        f"5xx {len(server_errors)}, broken connections {len(broken)} (allowed "
        f"{allowed_broken}), timeouts {len(merged('timeouts'))}",
        f"log: {audit['reviews']:,} reviews, {audit['states']:,} card states; "
        + ", ".join(f"{kind} {len(problems.get(kind, []))}" for kind in AUDITED),
    ]
    if kill:
        replaced = f"{kill.replaced_after:.2f} s" if kill.replaced_after is not None else "never"
        lines.append(f"worker {kill.pid} killed at {kill.at:.1f} s, replaced after {replaced}")
    for item in disturbances.items if disturbances else []:
        took = f"done in {item.seconds:.1f} s" if item.seconds is not None else "FAILED"
        lines.append(f"{item.name} alongside: {took}; {item.output.splitlines()[-1:]}")
    for line in lines:
        print(f"   {line}")

    failures = []
    if server_errors:
        failures.append(f"{len(server_errors)} server errors, first: {server_errors[0]}")
    if len(broken) > allowed_broken:
        failures.append(f"{len(broken)} broken connections: {broken[:3]}")
    if merged("timeouts"):
        failures.append(f"timed out: {merged('timeouts')[:3]}")
    if merged("unexpected"):
        failures.append(f"unexpected answers: {merged('unexpected')[:3]}")
    if stuck:
        failures.append(f"{stuck} learners still waiting after their timeouts")
    if kill and kill.replaced_after is None:
        failures.append(f"the killed worker {kill.pid} was not replaced")
    if not outcomes[ACKNOWLEDGED]:
        failures.append("no grade was acknowledged")
    for item in disturbances.items if disturbances else []:
        if item.failure:
            failures.append(f"{item.name}: {item.failure}")
    failures += [f"log: {kind} {len(found)}, first {found[:3]}" for kind, found in problems.items()]
    for failure in failures:
        print(f"   FAIL {failure}")
    print("   OK" if not failures else f"   {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
