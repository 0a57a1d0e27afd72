"""Fixtures for one benchmark run, made inside the benchmarked database (run by bench/run.py).

Prints JSON: cookies for a signed-in learner (one with a year of reviews) and for a learner
walking a tree, files of grade requests (one for the warm-up, one for the measured run, one
for the run after a checkpoint, so no token is spent twice), and the due-queue query's median
time and plan at this data size.
"""

from __future__ import annotations

import itertools
import json
import os
import statistics
import sys
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import (  # noqa: E402
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,  # noqa: E402
)
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.inprocess import gradable_states, year_learner  # noqa: E402
from flashcards.models import PromptState, Review  # noqa: E402
from flashcards.selectors import Scope, due_queue  # noqa: E402
from flashcards.tokens import grade_token  # noqa: E402
from portal.sessions import SessionStore  # noqa: E402
from trees.models import Tree, TreeWalk  # noqa: E402

TREE = "which-restore-path"
WALKERS = 64  # visitors taking turns on the tree step, each with a session and a walk
CSRF_SECRET = "b" * 32  # any 32 characters; sent as both the cookie and the header


def signed_in_cookie(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}; csrftoken={CSRF_SECRET}"


def tree_walker_cookie() -> str:
    tree = Tree.objects.get(slug=TREE)
    session = SessionStore()
    session.create()
    walk = TreeWalk.objects.create(
        tree=tree, walker=f"session:bench-{session.session_key[:8]}", last_node_key="source"
    )
    session["tree_walks"] = {TREE: walk.pk}
    session.save()
    return f"sessionid={session.session_key}"


def settle() -> None:
    """After a million rows were written, let PostgreSQL catch up before anything is timed.

    Otherwise autovacuum may wake up for the new rows during the measured runs and take one
    of the two cores from the server, and the planner works from statistics taken before the
    rows existed. (A timed checkpoint after the bulk load can still overlap the runs: see
    docs/NOTES.md, Performance.)
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def grade_lines(users, now) -> list[str]:
    """One grade request per (learner, card state): cookie, then the token for that state.

    Learners take turns, so wrk's connections, each taking the next line, grade for different
    learners at once, as a site's learners do: one learner does not grade eight cards at the
    same moment, each of them waiting on the others' write to the same session row.
    """
    per_learner = []
    for user in users:
        cookie = signed_in_cookie(user)
        states = gradable_states(user)  # no questions: their fronts' tokens are a 400
        tokens = [
            grade_token(
                user_id=user.pk, prompt_id=state.prompt_id, version=state.version, shown_at=now
            )
            for state in states
        ]
        per_learner.append([f"{cookie}\t{token}" for token in tokens])
    return [line for turn in itertools.zip_longest(*per_learner) for line in turn if line]


def due_queue_timing(user, now) -> tuple[float, str]:
    """The median time and the plan of the study page's due-queue query, as the page runs it."""
    sql, params = due_queue(user, Scope(), now)[:1].query.sql_with_params()
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(explain + sql, params)
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
        timings = []
        for _ in range(300):
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings[20:]), plan


def main(out_dir: str, grade_learners: int) -> None:
    out = Path(out_dir)
    settle()
    now = timezone.now()
    users = list(get_user_model().objects.filter(username__startswith="load").order_by("username"))
    studier = year_learner(users, now)
    graders = users[-grade_learners:]
    lines = grade_lines(graders, now)
    fifth = len(lines) // 5
    files = {  # the warm-up is shorter than either measured run
        "grades-warmup.txt": lines[:fifth],
        "grades.txt": lines[fifth : 3 * fifth],
        "grades-checkpoint.txt": lines[3 * fifth :],
    }
    for name, part in files.items():
        (out / name).write_text("\n".join(part) + "\n")
    first_review = Review.objects.filter(user=studier).earliest("reviewed_at").reviewed_at
    walkers = [tree_walker_cookie() for _ in range(WALKERS)]
    (out / "tree-walkers.txt").write_text("\n".join(walkers) + "\n")
    median_ms, plan = due_queue_timing(studier, now)
    json.dump(
        {
            "learner_cookie": signed_in_cookie(studier),
            "tree_cookie": walkers[0],
            "csrf": CSRF_SECRET,
            "grades": len(files["grades.txt"]),
            "learner_history_days": (now - first_review).days,
            "states": PromptState.objects.count(),
            "learners": len(users),
            "due_query_ms": median_ms,
            "due_query_plan": plan,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
