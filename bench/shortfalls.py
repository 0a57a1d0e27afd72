"""Why a target of issue 20 is missed: the profile behind it and what would reach it.

The issue's "done" asks docs/PERFORMANCE.md to name each target not met with its figure, its
profile and why no honest change reaches it. The figures come from the run (bench/targets.py
judges them); the reasons are written here, by hand, from profiles taken outside the run,
and `targets.shortfalls` prints the reason of each target a run missed. A target missed with no
reason here is printed as such. The profiles are cProfile over in-process requests at the large
data set (bench/inprocess.py's), with the date they were taken; their shares, not their
milliseconds, are what carry over to another run.

Keyed by `targets.Verdict.key`: a target's label, or for the p99 rows "p99" and
"p99 after a checkpoint".
"""

from __future__ import annotations

REASONS = {
    "Tree step (htmx), no session ≥ 70% of /healthz": (
        "Every such request writes twice: the walk's row, and the new session's row its cookie "
        "names, where /healthz touches nothing. Session 34 took out what else it wrote and read "
        "(the session saved in mid-step and again by the response, the new key looked up before "
        "its insert; 10 queries to 6, 2.09 to 1.43 ms in-process on SQLite). On SQLite the "
        "writes queue for its one writer, so the figure follows the machine's other work (492 "
        "and 374 req/s in two runs of the same code, session 32). No change to how it writes "
        "reaches 70%; not recording a visitor's walk, or recording it without a session, would. "
        "That is a product decision, asked in issue 20's note; the recording stays until then."
    ),
    "Tree step (htmx), learner ≥ 70% of the signed-in limit": (
        "cProfile, 100 steps of a signed-in learner on SQLite, the bench's step (2026-12-01, "
        "after session 34 compiled the walk's read and update): rendering the widget 25%, "
        "reading the session 13%, building the widget 12%, the walk's compiled read and "
        "update 7%, resolving the page the widget sits on 6%. The step writes on every answer "
        "and the signed-in limit writes nothing: on SQLite each write waits its turn for the "
        "one writer, on PostgreSQL it is a commit (no longer waiting for the disk: "
        "portal.commits). Rendering the widget could get cheaper; no change seen reaches 70%."
    ),
    "Study page ≥ 50% of the signed-in limit": (
        "cProfile, 100 study pages of a learner with a year of reviews on SQLite (2026-12-01; "
        "2.5 ms a page without the profiler): rendering the templates 45% (of which reversing "
        "nine URLs 11% and formatting numbers 7%), the queue's SQL 5%; building its queries, "
        "once most of the cost, is gone (they are compiled once per shape, session 31). At "
        "50% the whole page (the base template, the counters, a full card and its forms) "
        "would cost what reading the session costs again (about 0.7 ms a request under wrk "
        "in session 32's run). The rendering can get cheaper; that far, no change seen."
    ),
    "Grade POST (htmx) ≥ 35% of the signed-in limit": (
        "A grade checks its token, writes the review, the state and the undo record in one "
        "transaction, then answers with the next card as the study page does: 15 queries "
        "(tests/test_query_budgets.py). 35% of the signed-in limit would need it in under "
        "three times a request that only reads a session. The writes cannot be left out; the "
        "next card's part is the study page's, above."
    ),
    "Dashboard (a year of history) ≥ 15% of the signed-in limit": (
        "cProfile, 100 dashboards of a learner with a year of reviews on SQLite (2026-12-01, "
        "after session 34 compiled mastery, practice scores and the unseen count: 12.6 to 9.1 "
        "ms in-process): rendering 46% (the year's heatmap, forecast and per-lesson tables), "
        "reviews per day 16% and due per day 13% (the ORM building them: their "
        "day-in-the-learner's-zone expression has a branch per offset change, so they are not "
        "compiled yet), the heatmap's squares 7%. 15% of the signed-in limit asks for about a "
        "third of what the page now costs; compiling the two remaining queries would take at "
        "most a third off."
    ),
    "p99": (
        "The endpoints over commit a write on every request, or queue. A grade writes three "
        "rows in one transaction: on SQLite it waits its turn for the one writer, and on a "
        "slower machine its tail crosses 50 ms (session 34's second run, /healthz a fifth lower "
        "than its first, which kept SQLite under); on PostgreSQL its commit waits for its "
        "write-ahead log to reach the disk (`synchronous_commit`), which the machine's other "
        "writes delay. The grade cannot give either up. A read goes over when its requests "
        "queue: at 8 connections on this machine's two cores, shared by wrk, gunicorn and the "
        "database, PostgreSQL's study page had a p50 of 40 ms while each request still planned "
        "its two due-card queries afresh (session 34 made them plan once). A tree step's walk, "
        "a figure for instructors, commits without waiting since session 34 (portal.commits): "
        "the learner's step went from the worst p99 to one of the least."
    ),
    "p99 after a checkpoint": (
        "The endpoints over commit a write on every request, the grade above all, or queue as "
        "under p99 above. Right after a checkpoint, a commit that waits for the disk waits "
        "behind the checkpoint's own writes."
    ),
    "Tree step (htmx) in-process ≤ 1.5 ms": (
        "bench/inprocess.py times a visitor's first step: the walk's row and a new session's, "
        "two writes (session 34 removed a third statement and a read: 2.09 to 1.43 ms on SQLite "
        "in bench/inprocess.py's alternation, 5.2 to 2.8 ms on PostgreSQL). On PostgreSQL each "
        "write is its own commit, and each statement a round trip: the walk's in a transaction "
        "that does not wait for the disk, the session's in Django's. Putting both in one "
        "transaction would mean saving the session from the view rather than the response, "
        "where Django saves it."
    ),
    "Study page in-process ≤ 4 ms": (
        "On PostgreSQL each of the page's 9 queries is a round trip. Session 34 found its two "
        "due-card queries planned afresh on every request: their prepared statements never "
        "settled on a generic plan (pg_prepared_statements: 45 custom plans of 45), and "
        "planning each took 2.4-2.7 ms against 0.3 ms of running (EXPLAIN ANALYZE). Every "
        "prepared statement now plans once (`plan_cache_mode=force_generic_plan`): the page "
        "5.6-7.8 to 3.7-4.3 ms, alternating in one process. What is left is the round trips; "
        "next: the due counts and the next card in one query."
    ),
    "Grade POST (htmx) in-process ≤ 5 ms": (
        "A grade checks its token, writes the review, the state and the undo record in one "
        "transaction, and answers with the next card: 15 queries. On SQLite it sits on the line "
        "and crosses it on a slower machine: in one alternation session 34's code and the code "
        "before it measured alike (4.62 and 4.73 ms), as in the runs that met it. On PostgreSQL "
        "the 15 queries are 15 round trips, and the writes cannot be prepared away; the next "
        "card's queries plan once since session 34. Next: the two locked reads in one, and the "
        "due counts and the next card in one query."
    ),
    "Dashboard in-process ≤ 15 ms": (
        "The profile is the one under the dashboard's throughput above. On PostgreSQL its 12 "
        "queries are also 12 round trips; session 34's compiling took it from 18.0 to 13.2 ms "
        "measured beside the code before."
    ),
    "Roster, first page in-process ≤ 30 ms": (
        "Session 34 compiled the page's query once per shape (sort, scope, snapshot, exam "
        "branches): SQLite 35.8 to 23.5 ms, PostgreSQL 49.9 to 36.6 ms, measured beside the "
        "code before. What is left on PostgreSQL is the database's own work: EXPLAIN ANALYZE of "
        "the page's query (2026-12-01) gave 7.7 ms of planning (one-off once prepared) and 20.6 "
        "ms of execution, three quarters of it the live Known column, the recall of each of the "
        "50 learners' card states (100 each, 5,000 in all). The figures shown are live by "
        "design (the order alone comes from the hourly snapshot); showing the snapshot's Known "
        "instead would reach 30 ms and show figures up to an hour old."
    ),
}
