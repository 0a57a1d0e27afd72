"""The study page and the grade POST timed in-process, at the large data set, for one or more
source trees (a commit before a change and after it), alternating on the same machine.

    .venv/bin/python -m bench.inprocess --tree "Before=../wt-before" --tree "After=." --rounds 3

Through Django's test client with debug off: no server, no network, so what is timed is the
request's own Python and SQL. Each request kind gets 100 warm-up requests, then BATCHES
batches of BATCH_SIZE; the figure is the fastest batch per request (other work on a shared
machine only ever slows a batch), wall time and CPU time (`time.process_time`) alike. Each
(tree, round) runs in its own process on its own copy of one database, so every tree grades
the same cards from the same state.

- Study page: `GET /study/` (the full page) for a learner with a year of reviews and cards
  due, as `make bench` picks (bench/prepare.py).
- Grade POST: htmx `POST /study/grade/` rating Good, answered with the next card. Every
  request grades a different card state (learners without a history take turns, each through
  their due cards in queue order, tokens made as the page makes them), so none is a repeat;
  the run checks each was applied. Question cards are left out: one is graded from its
  checked answer, and a token for its unanswered front is refused (400).
- Lesson page: `GET /lessons/restore-paths/` for a visitor (no session).
- Tree step (htmx): a step of "Which restore path?" asked by a visitor without a session, as
  a new visitor's first answer is (the client's cookies cleared before each request).
- Dashboard: `GET /progress/` for the study page's learner, who has a year of reviews.
- Roster (issue 14): `GET /analytics/learners/` for an instructor (of the Instructors group),
  its first page in the default order (by name), and sorted by reviews in the last 7 days.
  Fewer requests (ROSTER_WARMUP, ROSTER_BATCHES of ROSTER_BATCH_SIZE): a page reads every
  learner's figures when it sorts on one.

`--here` measures in this process's database (DATABASE_URL) and prints JSON: how `make bench`
(bench/run.py) records these costs at its large data set, on SQLite and PostgreSQL alike.

`--kind` runs only the kinds named (e.g. `--kind "Roster, first page"`); all by default.

The database (bench/.data/inprocess.sqlite3 unless --database says otherwise) is built once
by the first tree given (migrate, the bundled notes, `generate_dataset` with 10,000 learners,
100 of them with a year of history) and kept; each copy is migrated by the tree that uses
it. Delete the file to build it afresh. Prints a Markdown table for bench/history.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
ROOT = HERE.parent.parent
DATA = ROOT / "bench" / ".data"
WARMUP = 100
BATCHES = 15
BATCH_SIZE = 40
LEARNERS = 10_000
HISTORY = 100  # learners with a year of reviews
ROSTER_WARMUP = 5
ROSTER_BATCHES = 5
ROSTER_BATCH_SIZE = 8
ROSTER_KINDS = {
    "Roster, first page": "/analytics/learners/",
    "Roster by reviews in 7 days": "/analytics/learners/?sort=-reviews_7",
}
LESSON = "/lessons/restore-paths/"
TREE_STEP = "/trees/which-restore-path/?tree-which-restore-path=3"
KINDS = (
    "Study page",
    "Grade POST (htmx)",
    "Lesson page",
    "Tree step (htmx)",
    "Dashboard",
    *ROSTER_KINDS,
)
HISTORY_DAYS = 300  # the dashboard's learner has reviews from at least this long ago


def environment(tree: Path, database: Path) -> dict[str, str]:
    """The site's production settings (debug off) on `database`, run from `tree`'s code."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        PYTHONPATH=str(tree),
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_SETTINGS_MODULE="portal.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="bench-" + "k" * 60,
        DJANGO_ALLOWED_HOSTS="localhost",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_LOG_LEVEL="ERROR",
        # Pages name their static files through the manifest collectstatic writes: one per
        # tree, kept here rather than in the tree.
        DJANGO_STATIC_ROOT=str(DATA / "static" / hashlib.sha1(str(tree).encode()).hexdigest()[:12]),
    )
    return env


def manage(tree: Path, database: Path, *arguments: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=tree,
        env=environment(tree, database),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def build(tree: Path, database: Path) -> None:
    print(f"Building {database} with {tree} (takes a few minutes)", file=sys.stderr)
    partial = database.with_suffix(".building")
    partial.unlink(missing_ok=True)
    manage(tree, partial, "migrate", "--no-input", "-v", "0")
    manage(tree, partial, "import_notes", "content/")
    generate = ["generate_dataset", "--learners", str(LEARNERS), "--history", str(HISTORY)]
    manage(tree, partial, *generate)
    partial.rename(database)


def measure_tree(tree: Path, base: Path, scratch: Path, kinds: list[str]) -> dict:
    """Copy the base database, migrate it with `tree`, and measure in a fresh process."""
    for old in scratch.parent.glob(scratch.name + "*"):
        old.unlink()
    shutil.copyfile(base, scratch)
    manage(tree, scratch, "migrate", "--no-input", "-v", "0")
    manage(tree, scratch, "collectstatic", "--no-input", "-v", "0")
    completed = subprocess.run(
        [
            sys.executable,
            str(HERE),
            "--measure",
            str(scratch),
            *(argument for kind in kinds for argument in ("--kind", kind)),
        ],
        cwd=tree,
        env=environment(tree, scratch),
        capture_output=True,
        text=True,
    )
    if completed.returncode:
        sys.exit(f"Measuring {tree} failed:\n{completed.stderr}")
    return json.loads(completed.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--tree",
        action="append",
        metavar="LABEL=PATH",
        help="A source tree to measure, and its label in the table (default: this one).",
    )
    parser.add_argument("--rounds", type=int, default=1, help="Alternations; the fastest kept.")
    parser.add_argument("--database", type=Path, default=DATA / "inprocess.sqlite3")
    parser.add_argument(
        "--kind", action="append", choices=KINDS, help="A request kind to measure (default: all)."
    )
    parser.add_argument("--here", action="store_true", help="Measure in DATABASE_URL; JSON.")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # in the child process
    args = parser.parse_args()
    kinds = args.kind or list(KINDS)
    if args.measure or args.here:
        json.dump(measure(kinds), sys.stdout)
        return

    trees = []
    for given in args.tree or [f"This tree={ROOT}"]:
        label, _, path = given.rpartition("=")
        trees.append((label or path, Path(path).resolve()))
    base = args.database.resolve()
    base.parent.mkdir(parents=True, exist_ok=True)
    if not base.exists():
        build(trees[0][1], base)
    scratch = base.with_name(base.stem + "-run.sqlite3")
    best: dict[str, dict] = {}
    for round_number in range(1, args.rounds + 1):
        for label, tree in trees:
            result = measure_tree(tree, base, scratch, kinds)
            print(f"round {round_number} {label}: {json.dumps(result)}", file=sys.stderr)
            kept = best.setdefault(label, result)
            for kind in kinds:  # the same in every round; the latest is the one to show
                kept[kind]["queries"] = result[kind]["queries"]
            for kind in kinds:
                for figure in ("wall_ms", "cpu_ms"):
                    kept[kind][figure] = min(kept[kind][figure], result[kind][figure])
    for old in scratch.parent.glob(scratch.name + "*"):
        old.unlink()
    print(table(best, args.rounds, kinds))


def table(best: dict[str, dict], rounds: int, kinds: list[str]) -> str:
    lines = [
        f"| Tree (fastest of {rounds} run{'s' if rounds > 1 else ''}) | "
        + " | ".join(f"{kind}: ms, CPU ms, queries" for kind in kinds)
        + " |",
        "|---|" + "---:|" * len(kinds),
    ]
    for label, result in best.items():
        cells = []
        for kind in kinds:
            figures = result[kind]
            cells.append(f"{figures['wall_ms']:.2f}, {figures['cpu_ms']:.2f}, {figures['queries']}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# In the child process: the tree's own code, on the copied database ----------------------------


def measure(kinds: list[str]) -> dict:
    sys.path[0] = os.getcwd()  # the tree measured, not this file's folder
    import django

    django.setup()
    from django.test import Client

    # The benchmark's settings (bench/run.py) allow loopback names only; ours allow localhost.
    client = Client(SERVER_NAME="localhost")
    count = WARMUP + BATCHES * BATCH_SIZE + 1
    results = {}
    if {"Study page", "Grade POST (htmx)", "Dashboard"} & set(kinds):
        studier_cookie, graders = fixtures(count)
    for kind, path, marker in (
        ("Study page", "/study/", b'id="study-card"'),
        ("Dashboard", "/progress/", b'id="heatmap-heading"'),
    ):
        if kind in kinds:
            client.cookies["sessionid"] = studier_cookie
            results[kind] = timed(lambda _, path=path: client.get(path), [None] * count, marker)
    if "Grade POST (htmx)" in kinds:

        def grade(grader):
            session, token = grader
            client.cookies["sessionid"] = session
            return client.post(
                "/study/grade/",
                {"token": token, "rating": "3", "scope": "all"},
                HTTP_HX_REQUEST="true",
            )

        from flashcards.models import Review

        reviews_before = Review.objects.count()
        results["Grade POST (htmx)"] = timed(grade, graders, b'id="study-card"')
        applied = Review.objects.count() - reviews_before
        if applied != len(graders):
            sys.exit(f"{len(graders)} grades sent, {applied} applied: some were not fresh.")
    if "Lesson page" in kinds:
        visitor = Client(SERVER_NAME="localhost")
        results["Lesson page"] = timed(
            lambda _: visitor.get(LESSON), [None] * count, b'id="lesson-title"'
        )
    if "Tree step (htmx)" in kinds:

        def first_answer(_):
            # No session cookie, as a new visitor's first answer. One client throughout: a new
            # one would load the middleware again, which a server does once per process.
            visitor.cookies.clear()
            return visitor.get(TREE_STEP, HTTP_HX_REQUEST="true")

        visitor = Client(SERVER_NAME="localhost")
        results["Tree step (htmx)"] = timed(
            first_answer, [None] * count, b'id="tree-which-restore-path"'
        )
    roster_kinds = [kind for kind in kinds if kind in ROSTER_KINDS]
    if roster_kinds:
        client.cookies["sessionid"] = instructor_session()
        count = ROSTER_WARMUP + ROSTER_BATCHES * ROSTER_BATCH_SIZE + 1
        for kind in roster_kinds:
            results[kind] = timed(
                lambda _, path=ROSTER_KINDS[kind]: client.get(path),
                [None] * count,
                b'id="learners-count"',
                warmup=ROSTER_WARMUP,
                batches=ROSTER_BATCHES,
                batch_size=ROSTER_BATCH_SIZE,
            )
    return results


def instructor_session() -> str:
    """A session for an instructor made for the run (the data set has none)."""
    from django.contrib.auth import get_user_model

    from accounts.services import instructor_grant

    user, _ = get_user_model().objects.get_or_create(username="bench-instructor")
    instructor_grant(user=user)
    return session_for(user)


def timed(
    send,
    arguments: list,
    marker: bytes,
    *,
    warmup: int = WARMUP,
    batches: int = BATCHES,
    batch_size: int = BATCH_SIZE,
) -> dict:
    """Send one request per argument: the first counted in queries, then a warm-up, then the
    batches. Every response must be a 200 with `marker` in it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def checked(argument):
        response = send(argument)
        if response.status_code != 200 or marker not in response.content:
            sys.exit(f"Unexpected response {response.status_code}: {response.content[:300]!r}")
        if b"already graded" in response.content:
            sys.exit("A grade was a repeat: the fixtures gave a spent token.")
        return response

    with CaptureQueriesContext(connection) as queries:
        checked(arguments[0])
    query_count = len(queries)  # now: each request after this one empties the log
    rest = iter(arguments[1:])
    for _ in range(warmup):
        checked(next(rest))
    walls, cpus = [], []
    for _ in range(batches):
        batch = [next(rest) for _ in range(batch_size)]
        wall, cpu = time.perf_counter(), time.process_time()
        for argument in batch:
            checked(argument)
        walls.append((time.perf_counter() - wall) * 1000 / batch_size)
        cpus.append((time.process_time() - cpu) * 1000 / batch_size)
    return {
        "wall_ms": min(walls),
        "cpu_ms": min(cpus),
        "median_wall_ms": statistics.median(walls),
        "queries": query_count,
    }


def year_learner(users, now):
    """Of `users`, the first with reviews from HISTORY_DAYS ago or more and cards due: the
    study page and the dashboard at their fullest. The benchmark's server uses the same one
    (bench/prepare.py)."""
    import datetime as dt

    from flashcards.models import PromptState, Review

    since = now - dt.timedelta(days=HISTORY_DAYS)
    for user in users:
        if (
            Review.objects.filter(user=user, reviewed_at__lte=since).exists()
            and PromptState.objects.filter(user=user, due__lte=now).exists()
        ):
            return user
    raise SystemExit(f"No learner has {HISTORY_DAYS} days of reviews and cards due.")


def gradable_states(user):
    """`user`'s card states that a grade POST may carry a token for without answering first:
    all but questions, which are graded from their checked answer (a token for an unanswered
    question is a 400). By due time: for learners without a history (no learning states in
    their generated data) the due ones come first, in the due queue's order."""
    from flashcards.cards import QUESTION
    from flashcards.models import PromptState

    states = PromptState.objects.filter(user=user).exclude(prompt__card__kind=QUESTION)
    return states.order_by("due", "pk").only("prompt_id", "version", "due")


def fixtures(needed: int) -> tuple[str, list[tuple[str, str]]]:
    """The study learner's session, and `needed` (session, grade token) pairs. Learners without
    a history take turns, each grading their cards by due time: enough learners for `needed`
    due cards, so the first turns grade what the page would show; a small data set also
    grades cards not yet due (accepted all the same). No token is spent twice."""
    import itertools

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from flashcards.tokens import grade_token

    now = timezone.now()
    users = list(get_user_model().objects.filter(username__startswith="load").order_by("username"))
    with_history, without = users[:HISTORY], users[HISTORY:]
    per_learner = []
    due = 0
    for user in without:
        session = session_for(user)
        states = list(gradable_states(user))
        per_learner.append(
            [
                (
                    session,
                    grade_token(
                        user_id=user.pk,
                        prompt_id=state.prompt_id,
                        version=state.version,
                        shown_at=now,
                    ),
                )
                for state in states
            ]
        )
        due += sum(state.due <= now for state in states)
        if due >= needed:
            break
    graders = [pair for turn in itertools.zip_longest(*per_learner) for pair in turn if pair]
    if len(graders) < needed:
        sys.exit(f"Only {len(graders)} cards to grade; {needed} needed.")
    return session_for(year_learner(with_history, now)), graders[:needed]


def session_for(user) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from portal.sessions import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


if __name__ == "__main__":
    main()
