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
    "Page shell ≥ 60% of /healthz": (
        "The machine's noise, not the page: the shell renders the base template and reads "
        "nothing, and the same code measured 76% on PostgreSQL in run 6 and 57% in run 7 "
        "(SQLite 78% and 64%). No change was made to it between the runs."
    ),
    "Signed-in limit ≥ 50% of /healthz": (
        "The machine's noise: the limit reads the session with its user in one compiled query "
        "and answers a constant; PostgreSQL measured 50% (49.6%) in run 6 and 54% in run 7 on "
        "the same code."
    ),
    "Tree step (htmx), no session ≥ 70% of /healthz": (
        "Every such request writes twice: the walk's row, and the new session's row its "
        "cookie names, where /healthz touches nothing. Session 34 took out what else it wrote "
        "and read (the session saved in mid-step and again by the response, the new key "
        "looked up before its insert: 10 queries to 6), session 35 the BEGIN and COMMIT "
        "Django put around the session's insert (6 to 4). On SQLite the writes queue for its "
        "one writer, so the figure follows the machine's other work (22%, 25% and 20% of "
        "/healthz in runs 5-7). No change to how it writes reaches 70%; not recording a "
        "visitor's walk, or recording it without a session, would. That is a product decision "
        "(issue 20's closing note): the recording, which the instructors' tree figures count, "
        "stays."
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
        "nine URLs 11% and formatting numbers 7%, the latter gone since session 35), the "
        "queue's SQL 5%; building its queries, once most of the cost, is gone (compiled once "
        "per shape, session 31), and its three counts are one query since session 35 (9 "
        "queries to 7). At 50% the whole page (the base template, the counters, a full card "
        "and its forms) would cost what reading the session costs again. The share moves with "
        "the machine (SQLite 31% in run 6, 18% in run 7, the same page); no change seen "
        "brings it near 50%."
    ),
    "Grade POST (htmx) ≥ 35% of the signed-in limit": (
        "A grade checks its token, writes the review, the state and the undo record in one "
        "transaction, then answers with the next card as the study page does: 12 queries "
        "since session 35 (tests/test_query_budgets.py; 15 before). 35% of the signed-in "
        "limit would need it in under three times a request that only reads a session; "
        "in-process it costs about ten times one (bench/inprocess.py). The writes cannot be "
        "left out; the next card's part is the study page's, above."
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
        "At 8 connections on this machine's two cores (shared by wrk, gunicorn and the "
        "database) a request waits behind the others: the median latency is about 8 divided "
        "by the throughput (the grade: 205 req/s, p50 39 ms, on SQLite in run 7), so the p99 "
        "stays under 50 ms only for an endpoint well over 200 req/s with a tight spread. The "
        "grade is the one over: it writes three rows in one transaction (on SQLite waiting "
        "its turn for the one writer, on PostgreSQL a commit that waits for its write-ahead "
        "log to reach the disk, which it cannot give up) and renders the next card. Session "
        "35 took five of its queries out (16 to 11 in-process; PostgreSQL's grade p99 was "
        "143.4 ms in run 5, 78.5 and 54.0 ms in runs 6 and 7); the rest is its work."
    ),
    "p99 after a checkpoint": (
        "The grade, as under p99 above, and right after a checkpoint a commit that waits for "
        "the disk waits behind the checkpoint's own writes. In run 7 a learner's tree step on "
        "SQLite also went over once (p50 8.6 ms, p99 206.9 ms, one stall in the 10 s: the "
        "same step measured 14.8 ms in run 6 and 13.6 ms in run 7 without the checkpoint), a "
        "write queued behind the checkpoint."
    ),
    "Tree step (htmx) in-process ≤ 1.5 ms": (
        "bench/inprocess.py times a visitor's first step: the walk's row and a new session's, "
        "two writes. Session 34 took it from 2.09 to 1.43 ms on SQLite and 5.2 to 2.8 ms on "
        "PostgreSQL; session 35 took the BEGIN and COMMIT from around the session's insert (6 "
        "statements to 4 on SQLite, 9 to 7 on PostgreSQL). On SQLite it sits on the line "
        "(1.50, 1.60 and 1.58 ms in runs 5-7; 1.46 in session 35's alternation). On "
        "PostgreSQL each statement is a round trip and each write its own commit: the walk's "
        "in a transaction that does not wait for the disk, the session's on its own. Putting "
        "both in one transaction would mean saving the session from the view rather than the "
        "response, where Django saves it."
    ),
    "Study page in-process ≤ 4 ms": (
        "On PostgreSQL each of the page's queries is a round trip. Session 34 found its two "
        "due-card queries planned afresh on every request (pg_prepared_statements: 45 custom "
        "plans of 45; 2.4-2.7 ms of planning each against 0.3 ms of running) and made every "
        "prepared statement plan once (`plan_cache_mode=force_generic_plan`); session 35 read "
        "the queue's three counts in one query (9 queries to 7)."
    ),
    "Grade POST (htmx) in-process ≤ 5 ms": (
        "A grade checks its token, writes the state and the review in one transaction, saves "
        "the session's undo record, and answers with the next card. Session 35 took five of "
        "its queries out (16 to 11: the counts read together, the state read with its card, "
        "the session's BEGIN and COMMIT) and compiled its state update, its question lookup "
        "and the session's update: alternating with the code before on SQLite, 5.13-7.16 to "
        "3.95-5.00 ms; on PostgreSQL 11.9-13.8 to 9.4-12.1 ms. In make bench the SQLite "
        "figure still lands on either side of the line with the machine (5.30 in run 6, 5.80 "
        "in run 7). On PostgreSQL the 11 queries are 11 round trips, a third of the request "
        "before the change (cProfile: psycopg's wait 1.55 of 4.78 s for 300 grades), and "
        "Python's side costs more than SQLite's (adapting every value). What is left is work "
        "the grade must do: its writes, and rendering the next card (about a quarter of the "
        "request: reversing URLs and escaping values, as the study page)."
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
