"""The benchmark behind `make bench` (see docs/PERFORMANCE.md, which it writes).

For each database (SQLite always; PostgreSQL when BENCH_DATABASE_URL or TEST_DATABASE_URL
names one whose role may create databases) it builds a fresh database with the bundled
content and a generated load, starts gunicorn with debug off and two workers, and drives each
endpoint with wrk on loopback: a warm-up, then a measured run. It also times the due-queue
query, checks worker memory after 1,000 and 10,000 requests, compares the study page's
latency on a small and a large data set, and times the instructors' roster in-process on the
large one (bench/roster.py).

Issue 20's targets (bench/targets.py) are judged from the same run and open the report: the
throughput shares, the p99 measured twice (as is, then with a checkpoint just before each
endpoint's run), the in-process costs at the large data set (bench/inprocess.py, run inside
the benchmarked database) and conditional GET (a revalidation of the home, topic, lesson and
tree pages next to their full load). Each target missed is then named with its figures and
why (bench/shortfalls.py). Bounded: every run has a fixed duration or count.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench import anki_import as anki_import_bench
from bench import anki_reviews as anki_reviews_bench
from bench import render as render_bench
from bench import roster as roster_bench
from bench import shortfalls, targets
from bench import suggest as suggest_bench
from bench.harness import (
    ROOT,
    Gunicorn,
    database_version,
    environment,
    fresh_postgres_database,
    manage,
    run_json,
)

DATA = ROOT / "bench" / ".data"
OUTPUT = ROOT / "docs" / "PERFORMANCE.md"
HISTORY = ROOT / "bench" / "history.md"
TREE_STEP = "/trees/which-restore-path/?tree-which-restore-path=3"


@dataclass(frozen=True)
class Endpoint:
    name: str  # bench/targets.py judges endpoints by these names
    path: str
    cookie: str = ""  # "learner", or "visitors": many, each walking a tree (bench/visitors.lua)
    htmx: bool = False
    grade: bool = False
    header: tuple[str, str] | None = None  # one more request header (a revalidation's)


ENDPOINTS = [
    Endpoint(targets.HEALTHZ, "/healthz"),
    # Two more limits (bench/urls.py): what any signed-in page, and any full page, can reach.
    Endpoint(targets.SIGNED_IN, "/bench/signed-in", cookie="learner"),
    Endpoint(targets.PAGE_SHELL, "/bench/page-shell"),
    Endpoint("Home page", "/"),
    Endpoint("Topic page", "/topics/amazon-rds-aurora/"),
    Endpoint("Lesson page", "/lessons/restore-paths/"),
    Endpoint("Tree page", "/trees/which-restore-path/"),
    # No cookie at all: every request is a new visitor's first answer.
    Endpoint("Tree step (htmx), no session", TREE_STEP, htmx=True),
    Endpoint("Tree step (htmx), visitors walking", TREE_STEP, cookie="visitors", htmx=True),
    Endpoint("Tree step (htmx), learner", TREE_STEP, cookie="learner", htmx=True),
    Endpoint("Study page", "/study/", cookie="learner"),
    Endpoint("Grade POST (htmx)", "/study/grade/", cookie="learner", htmx=True, grade=True),
    # The learner bench/prepare.py picks has a year of reviews (its figure says how long).
    Endpoint(targets.DASHBOARD, "/progress/", cookie="learner"),
]
# Pages whose latency on the large data set must stay within 1.5 times the small one's.
SCALED = ("/study/", "/progress/")


@dataclass
class Result:
    endpoint: Endpoint
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int = 0
    ratio: float | None = None
    p99_after_checkpoint_ms: float | None = None


@dataclass
class DatabaseRun:
    label: str
    version: str
    learners: int = 0
    states: int = 0
    results: list[Result] = field(default_factory=list)
    due_query_ms: float = 0.0
    due_query_plan: str = ""
    memory: dict = field(default_factory=dict)
    small_ms: dict = field(default_factory=dict)  # path -> p50 on the small data set
    large_ms: dict = field(default_factory=dict)
    roster: dict = field(default_factory=dict)  # bench/roster.py's figures
    inprocess: dict = field(default_factory=dict)  # bench/inprocess.py's, by kind
    revalidations: dict = field(default_factory=dict)  # page -> targets.Revalidation
    checkpoint_skipped: str | None = None  # why the pass after a checkpoint was not measured
    history_days: int = 0  # of the signed-in learner's reviews
    verdicts: list = field(default_factory=list)  # targets.Verdict, every target of issue 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--learners", type=int, default=int(os.environ.get("BENCH_LEARNERS", 10_000))
    )
    parser.add_argument("--small", type=int, default=100, help="Learners in the small data set.")
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_SECONDS", 10)))
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument(
        "--databases",
        default="sqlite,postgresql",
        help="Which to benchmark, comma-separated (PostgreSQL only when a URL names one).",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk (make bench does this as root).")
    chosen = {name.strip().lower() for name in args.databases.split(",")}

    runs = []
    if "sqlite" in chosen:
        runs.append(bench_database("SQLite", sqlite_url(), args))
    postgres = postgres_url() if "postgresql" in chosen else None
    if postgres:
        runs.append(bench_database("PostgreSQL", postgres, args))
    else:
        print("No PostgreSQL run: not in --databases, or no BENCH_DATABASE_URL/TEST_DATABASE_URL.")
    rendering = render_bench.table(render_bench.measure())
    suggesting = suggest_bench.table(suggest_bench.run())
    print("\n".join(suggesting))
    importing = anki_import_bench.table(anki_import_bench.run())
    print("\n".join(importing))
    anki_reviews = anki_reviews_bench.table(anki_reviews_bench.run())
    print("\n".join(anki_reviews))
    args.output.write_text(report(runs, args, rendering, suggesting, importing, anki_reviews))
    print(f"Wrote {args.output}")


# Databases -------------------------------------------------------------------------------------


def sqlite_url() -> str:
    DATA.mkdir(parents=True, exist_ok=True)
    for old in DATA.glob("bench.sqlite3*"):
        old.unlink()
    return f"sqlite:///{DATA / 'bench.sqlite3'}"


def postgres_url() -> str | None:
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not url or not url.startswith(("postgres://", "postgresql://")):
        return None
    return fresh_postgres_database(url, "portal_bench")


def bench_database(label: str, database_url: str, args) -> DatabaseRun:
    print(f"== {label}")
    env = environment(database_url)
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "import_notes", "content/")
    manage(env, "collectstatic", "--no-input", "-v", "0")
    run = DatabaseRun(label=label, version=database_version(env))

    print(f"   small data set: {args.small} learners")
    manage(env, "generate_dataset", "--learners", str(args.small), "--history", "10")
    fixtures = prepare(env, grade_learners=5)
    with Gunicorn(env) as server:
        for endpoint in ENDPOINTS:
            if endpoint.path in SCALED:
                run.small_ms[endpoint.path] = measure(
                    server, endpoint, fixtures, args, warmup=2
                ).p50_ms

    print(f"   large data set: {args.learners} learners")
    started = time.perf_counter()
    manage(env, "generate_dataset", "--learners", str(args.learners), "--history", "100")
    print(f"   generated in {time.perf_counter() - started:.0f} s")
    fixtures = prepare(env, grade_learners=60)
    run.learners, run.states = fixtures["learners"], fixtures["states"]
    run.due_query_ms, run.due_query_plan = fixtures["due_query_ms"], fixtures["due_query_plan"]
    run.history_days = fixtures["learner_history_days"]
    with Gunicorn(env) as server:
        for endpoint in ENDPOINTS:
            result = measure(server, endpoint, fixtures, args, warmup=3)
            run.results.append(result)
            show(result)
        run.large_ms = {r.endpoint.path: r.p50_ms for r in run.results if r.endpoint.path in SCALED}
        full = {result.endpoint.name: result for result in run.results}
        for page in targets.CONDITIONAL_PAGES:
            run.revalidations[page] = revalidate(server, full[page], fixtures, args)
        run.checkpoint_skipped = checkpoint(database_url)
        if run.checkpoint_skipped is None:
            print("   again, each run right after a checkpoint:")
            for result in run.results:
                if result.endpoint.name in targets.P99_EXEMPT:
                    continue
                again = measure(
                    server,
                    result.endpoint,
                    fixtures,
                    args,
                    warmup=0,  # the server is warm from the first pass
                    grades="grades-checkpoint.txt",
                    before_run=lambda: checkpoint(database_url),
                )
                result.p99_after_checkpoint_ms = again.p99_ms
                result.non_2xx += again.non_2xx
                show(again)
        else:
            print(f"   after a checkpoint: {run.checkpoint_skipped}")
    limit = run.results[0].rps
    for result in run.results:
        result.ratio = result.rps / limit if limit else None
    with Gunicorn(env) as server:
        run.memory = memory_growth(server, fixtures)
    print(f"   memory: {run.memory}")
    run.roster = run_json(env, "bench.roster")  # takes the Known snapshot the roster reads
    for line in roster_bench.table(run.roster):
        print(f"   {line}")
    run.inprocess = run_json(env, "bench.inprocess", "--here")
    print(f"   in-process: { {kind: round(f['wall_ms'], 2) for kind, f in run.inprocess.items()} }")
    run.verdicts = targets.judge_all(
        rps={r.endpoint.name: r.rps for r in run.results},
        non_2xx={r.endpoint.name: r.non_2xx for r in run.results},
        p99_ms={r.endpoint.name: r.p99_ms for r in run.results},
        p99_after_checkpoint_ms={
            r.endpoint.name: r.p99_after_checkpoint_ms
            for r in run.results
            if r.p99_after_checkpoint_ms is not None
        },
        checkpoint_skipped=run.checkpoint_skipped,
        connections=args.connections,
        inprocess=run.inprocess,
        revalidations=run.revalidations,
    )
    return run


def show(result: Result) -> None:
    print(
        f"   {result.endpoint.name:<36} {result.rps:8.0f} req/s  p50 {result.p50_ms:6.1f} ms"
        f"  p99 {result.p99_ms:6.1f} ms  non-2xx {result.non_2xx}"
    )


def checkpoint(database_url: str) -> str | None:
    """Write the database's dirty pages out now, so the run that follows pays for none left
    over from the load (docs/NOTES.md, Performance). None when done, else why it could not be.

    PostgreSQL's CHECKPOINT needs a superuser or the pg_checkpoint role; without it the pass
    is reported as not measured rather than failing the benchmark. SQLite: the WAL is copied
    into the database and truncated; readers in the workers may hold part of it back, which
    a passive attempt reports rather than waits on.
    """
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=10) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        return None
    import psycopg

    try:
        with psycopg.connect(database_url, autocommit=True) as connection:
            connection.execute("CHECKPOINT")
    except psycopg.errors.InsufficientPrivilege:
        role = urllib.parse.urlsplit(database_url).username
        return f"not measured: needs GRANT pg_checkpoint TO {role}"
    return None


def prepare(env: dict, *, grade_learners: int) -> dict:
    return run_json(env, "bench.prepare", str(DATA), str(grade_learners))


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


# Measuring -------------------------------------------------------------------------------------


def headers_for(endpoint: Endpoint, fixtures: dict) -> dict[str, str]:
    headers = {}
    if endpoint.cookie == "learner":
        headers["Cookie"] = fixtures["learner_cookie"]
    elif endpoint.cookie == "visitors":  # one of them, for requests sent without wrk
        headers["Cookie"] = fixtures["tree_cookie"]
    if endpoint.htmx:
        headers["HX-Request"] = "true"
    if endpoint.header:
        headers[endpoint.header[0]] = endpoint.header[1]
    return headers


def revalidate(server: Gunicorn, full: Result, fixtures: dict, args) -> targets.Revalidation:
    """Conditional GET of a page: its validator from a first GET, then a GET sending it back,
    by a visitor and by the signed-in learner (checked once each), then the visitor's
    revalidation under wrk beside the full load already measured. A second full GET by a
    visitor is looked at for a header saying it came from a cache (none need exist)."""
    page = full.endpoint
    _, headers, _ = fetch(server, page.path, {})
    _, again, _ = fetch(server, page.path, {})
    etag, last_modified = targets.validators(headers)
    answer = targets.Revalidation(
        etag=etag,
        last_modified=last_modified,
        full_rps=full.rps,
        cache_signal=targets.cache_signal(again),
    )
    header = targets.revalidation_header(etag, last_modified)
    if header is None:
        print(f"   {page.name}: no validator; cache signal {answer.cache_signal}")
        return answer
    status, _, body = fetch(server, page.path, dict([header]))
    learner = {"Cookie": fixtures["learner_cookie"]}
    _, learner_headers, _ = fetch(server, page.path, learner)
    learner_header = targets.revalidation_header(*targets.validators(learner_headers))
    learner_status, learner_body = None, b""
    if learner_header is not None:
        learner_status, _, learner_body = fetch(server, page.path, learner | dict([learner_header]))
    else:
        learner_status = 200  # no validator for a learner: the full page again, not a 304
        learner_body = b"(no validator)"
    result = measure(
        server,
        Endpoint(f"{page.name} revalidated", page.path, header=header),
        fixtures,
        args,
        warmup=1,
    )
    show(result)
    return dataclasses.replace(
        answer,
        status=status,
        body_bytes=len(body),
        learner_status=learner_status,
        learner_body_bytes=len(learner_body),
        revalidated_rps=result.rps,
        revalidated_non_2xx=result.non_2xx,
    )


def fetch(server: Gunicorn, path: str, headers: dict) -> tuple[int, dict[str, str], bytes]:
    """One GET without following redirects or raising on a 304: status, headers, body."""
    request = urllib.request.Request(server.url + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:  # urllib treats a 304 as an error
        return error.code, dict(error.headers), error.read()


def measure(
    server: Gunicorn,
    endpoint: Endpoint,
    fixtures: dict,
    args,
    *,
    warmup: int,
    grades: str = "grades.txt",
    before_run=None,
) -> Result:
    """A warm-up of `warmup` seconds (none when 0), then the measured run, `before_run()`
    called just before it. A grade's run takes its tokens from the file `grades`."""
    phases = [("warmup", warmup)] if warmup else []
    for phase, seconds in [*phases, ("run", args.duration)]:
        if phase == "run" and before_run is not None:
            before_run()
        command = ["wrk", "-t2", f"-c{args.connections}", f"-d{seconds}s", "--latency"]
        env = dict(os.environ)
        if endpoint.grade:
            tokens = DATA / ("grades-warmup.txt" if phase == "warmup" else grades)
            command += ["-s", str(ROOT / "bench" / "grade.lua")]
            env.update(BENCH_GRADES=str(tokens), BENCH_CSRF=fixtures["csrf"], BENCH_THREADS="2")
        else:
            headers = headers_for(endpoint, fixtures)
            if endpoint.cookie == "visitors":  # the script gives each request its cookie
                command += ["-s", str(ROOT / "bench" / "visitors.lua")]
                env.update(BENCH_COOKIES=str(DATA / "tree-walkers.txt"))
                del headers["Cookie"]
            for name, value in headers.items():
                command += ["-H", f"{name}: {value}"]
        output = subprocess.run(
            [*command, server.url + endpoint.path],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    return Result(
        endpoint=endpoint,
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        p50_ms=latency(output, "50%"),
        p99_ms=latency(output, "99%"),
        non_2xx=int((re.search(r"Non-2xx or 3xx responses: (\d+)", output) or [0, 0])[1]),
    )


def latency(output: str, percentile: str) -> float:
    value, unit = re.search(rf"^\s+{percentile}\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def memory_growth(server: Gunicorn, fixtures: dict) -> dict:
    """Worker RSS after 1,000 and after 10,000 requests spread over the GET endpoints."""
    gets = [endpoint for endpoint in ENDPOINTS if not endpoint.grade]

    def send(count: int) -> None:
        for number in range(count):
            endpoint = gets[number % len(gets)]
            status, _, _ = server.get(endpoint.path, headers_for(endpoint, fixtures), timeout=10)
            if status != 200:
                raise RuntimeError(f"{endpoint.path} answered {status}")

    send(1_000)
    after_1k = {pid: rss_kib(pid) for pid in server.worker_pids()}
    send(9_000)
    after_10k = {pid: rss_kib(pid) for pid in server.worker_pids()}
    growth = max((after_10k[pid] - after_1k[pid]) / after_1k[pid] for pid in after_1k)
    return {
        "after_1k_kib": sorted(after_1k.values()),
        "after_10k_kib": sorted(after_10k.values()),
        "growth": growth,
    }


# The report ------------------------------------------------------------------------------------


def machine() -> list[str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        line.split()[1]
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return [
        f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- CPU: {cpu}, {os.cpu_count()} cores; memory {int(memory) // 1024 // 1024} GiB",
        f"- {platform.platform()}; Python {platform.python_version()}; Django {django_version()}",
        "- gunicorn, 2 sync workers, debug off; wrk, 2 threads, on the same machine (loopback)",
    ]


def django_version() -> str:
    import django

    return django.get_version()


def target_notes(runs: list[DatabaseRun], args) -> list[str]:
    """What the targets table needs said beside it: who was measured, how, what was seen."""
    lines = [
        f"Throughput shares and p99 from wrk at {args.connections} connections "
        f"({args.duration} s per endpoint, after a warm-up), at the large data set; the second "
        "p99 row measures each endpoint again with a checkpoint just before its run "
        "(`CHECKPOINT` on PostgreSQL, `PRAGMA wal_checkpoint(TRUNCATE)` on SQLite). In-process "
        "costs: bench/inprocess.py inside the same database. A revalidation sends back the "
        "ETag of a first GET as `If-None-Match` (else `If-Modified-Since`), as a visitor and "
        "as a learner; its throughput is a visitor's under wrk.",
    ]
    for run in runs:
        signals = {
            page: answer.cache_signal or "no cache header"
            for page, answer in run.revalidations.items()
        }
        lines += [
            "",
            f"- {run.label}: the signed-in learner (study page, dashboard) has "
            f"{run.history_days} days of reviews. A visitor's second full GET: "
            + "; ".join(f"{page}, {signal}" for page, signal in signals.items())
            + ".",
        ]
    return lines


def shortfalls_section(runs: list[DatabaseRun]) -> list[str]:
    """The targets missed, each with its figures and the profile that says why (issue 20's
    "done": name the target, the figure, the profile and why no honest change reaches it)."""
    missed = targets.shortfalls({run.label: run.verdicts for run in runs}, shortfalls.REASONS)
    if not missed:
        return []
    return ["## The targets missed, and why", "", *missed, ""]


def report(
    runs: list[DatabaseRun],
    args,
    rendering: list[str],
    suggesting: list[str],
    importing: list[str],
    anki_reviews: list[str],
) -> str:
    lines = [
        "# Performance",
        "",
        "## Issue 20's targets",
        "",
        *targets.table({run.label: run.verdicts for run in runs}),
        "",
        *target_notes(runs, args),
        "",
        *shortfalls_section(runs),
        "## How it is measured",
        "",
        "Written by `make bench` (bench/run.py); run it again to refresh. Each endpoint gets a "
        f"warm-up, then {args.duration} s of wrk at {args.connections} connections. Throughput "
        "is compared with `/healthz` in the same run: a constant answer that touches no "
        "database, the most this server can do. Two more limits sit beside it (bench/urls.py): "
        "the *signed-in limit* answers a constant to a signed-in learner after reading the "
        "session with its user, as every signed-in page must; the *page shell* renders the "
        "site's base template with no content, as every full page must. No page of either "
        "kind can be faster than its limit.",
        "",
        "## Machine",
        "",
        *machine(),
    ]
    for run in runs:
        lines += [
            "",
            f"## {run.version}",
            "",
            f"{run.learners:,} learners, {run.states:,} card states.",
            "",
            "| Endpoint | req/s | p50 ms | p99 ms | p99 after a checkpoint | of /healthz "
            "| non-2xx |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for result in run.results:
            ratio = f"{result.ratio:.0%}" if result.ratio is not None else "–"
            after = result.p99_after_checkpoint_ms
            lines.append(
                f"| {result.endpoint.name} | {result.rps:,.0f} | {result.p50_ms:.1f} | "
                f"{result.p99_ms:.1f} | {f'{after:.1f}' if after is not None else '–'} | "
                f"{ratio} | {result.non_2xx:,} |"
            )
        growth = run.memory.get("growth", 0)
        lines += [
            "",
            f"- Due-queue query at {run.states:,} card states: median {run.due_query_ms:.3f} ms "
            f"(target 1 ms). Plan:",
            "",
            "  ```",
            *[f"  {line}" for line in run.due_query_plan.splitlines()],
            "  ```",
        ]
        for endpoint in ENDPOINTS:
            if endpoint.path not in SCALED:
                continue
            small, large = run.small_ms.get(endpoint.path, 0), run.large_ms.get(endpoint.path, 0)
            lines.append(
                f"- {endpoint.name} p50: {small:.1f} ms with {args.small} learners, "
                f"{large:.1f} ms with {run.learners:,}: "
                f"{large / small if small else 0:.2f}x (target 1.5x)."
            )
        lines += [
            f"- Worker memory (RSS, KiB) after 1,000 requests {run.memory.get('after_1k_kib')}, "
            f"after 10,000 {run.memory.get('after_10k_kib')}: largest growth {growth:.1%} "
            "(target under 10%).",
        ]
        if run.inprocess:
            lines += [
                "",
                f"In-process at {run.learners:,} learners (bench/inprocess.py --here: the test "
                "client, debug off, no server; the fastest batch per request):",
                "",
                "| Request | ms | CPU ms | queries |",
                "|---|---:|---:|---:|",
                *(
                    f"| {kind} | {figures['wall_ms']:.2f} | {figures['cpu_ms']:.2f} | "
                    f"{figures['queries']} |"
                    for kind, figures in run.inprocess.items()
                ),
            ]
        if run.roster:
            lines += [
                "",
                f"The instructors' roster at {run.learners:,} learners (bench/roster.py: "
                "in-process, one request at a time, after the hourly Known snapshot, taken "
                f"in {run.roster.get('snapshot_s', 0):.1f} s):",
                "",
                *roster_bench.table(run.roster),
            ]
    lines += [
        "",
        "## Rendering Markdown",
        "",
        "bench/render.py: each input rendered whole (parse, sanitize) at two sizes; the budget "
        "is a second per 100 KB, so a note at the 1 MB limit renders in about ten.",
        "",
        *rendering,
        "",
        "## Importing a 1 MB note with suggested cards",
        "",
        "bench/suggest.py: a note at the size limit imported with suggestions into a fresh "
        "SQLite database; the compute phase holds no lock, the write phase is the transaction.",
        "",
        *suggesting,
        "",
        "## Importing a 10,000-note Anki deck",
        "",
        "bench/anki_import.py: one deck of 10,000 notes (basic, reversed and cloze alike) "
        "imported into a fresh SQLite database, then again unchanged; the write transaction is "
        "the only time the database's write lock is held (reading the package, cleaning and "
        "rendering come before it).",
        "",
        *importing,
        "",
        "## Bringing Anki reviews back",
        "",
        "bench/anki_reviews.py: an Anki package with 20,000 reviews of 2,000 of the portal's "
        "prompts (each graded once in the portal too) uploaded into a fresh SQLite database; "
        "the plan (matching, FSRS replay) holds no lock, the write is the transaction.",
        "",
        *anki_reviews,
    ]
    if HISTORY.exists():
        lines += ["", HISTORY.read_text().strip()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    with tempfile.TemporaryDirectory():
        main()
