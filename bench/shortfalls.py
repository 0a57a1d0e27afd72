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
        "Every such request writes twice: it starts a session (a row and a cookie) and records "
        "the walk, where /healthz touches nothing. On SQLite the writes also queue for its one "
        "writer, so the figure follows the machine's other work: 492 and 374 req/s in two "
        "runs of the same code (session 32), each 2.00 ms in-process. No change to how it writes "
        "reaches 70%; not recording a visitor's walk, or recording it without a session, would. "
        "That is a product decision, asked in issue 20's note; the recording stays until then."
    ),
    "Tree step (htmx), learner ≥ 70% of the signed-in limit": (
        "cProfile, 100 steps of a signed-in learner on SQLite (2026-12-01): recording the walk "
        "(`trees.services.walk_record`: the walk's path read, the walk updated, both built by "
        "the ORM on every step) 0.29 of the 0.56 s the steps took, rendering the widget and "
        "reading the session most of the rest. Next: the walk's read and update compiled "
        "once (`portal.rows`), as the study queue's are. The step still writes on every "
        "answer, and the signed-in limit writes nothing, so 70% is not in sight."
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
        "cProfile, 100 dashboards of a learner with a year of reviews on SQLite (2026-12-01): "
        "the database's own work 5%; working out the figures 66% (mastery per lesson 14%, "
        "reviews per day 12%, due per day 9%, practice scores 9%, unseen cards 7%: mostly the "
        "ORM building their queries), rendering the rest. Next: its queries compiled once "
        "(`portal.rows`), as its retention figures already are; by the profile that is at "
        "most half the page, and 15% of the signed-in limit asks for a third of it."
    ),
    "p99": (
        "The endpoints over are ones that commit a write on every request (the grade, a "
        "tree step). With PostgreSQL's default `synchronous_commit` each such commit waits "
        "for its write-ahead log to reach the disk, which the machine's other writes can "
        "delay. Where the tail comes from has not been profiled under load yet."
    ),
    "p99 after a checkpoint": (
        "The endpoints over are ones that commit a write on every request, the grade above "
        "all. Right after a checkpoint, those commits wait behind the checkpoint's own "
        "writes to disk."
    ),
    "Tree step (htmx) in-process ≤ 1.5 ms": (
        "bench/inprocess.py times a visitor's first step, which starts a session and records a "
        "walk: two writes, as in the no-session row above. The learner's step is the same "
        "code with the walk updated instead of created."
    ),
    "Study page in-process ≤ 4 ms": (
        "On PostgreSQL each of the page's 7 queries is a round trip, planned until its "
        "prepared statement settles (session 32: planning cost more than running them). Next: "
        "the due counts and the next card in one query."
    ),
    "Grade POST (htmx) in-process ≤ 5 ms": (
        "On PostgreSQL its 15 queries are 15 round trips, and its writes (the review, the "
        "state, the undo record) cannot be prepared away. Next: the two locked reads in one, "
        "and the next card's queries as for the study page."
    ),
    "Dashboard in-process ≤ 15 ms": (
        "The profile is the one under the dashboard's throughput above: the ORM building "
        "its queries, not the database's work. On PostgreSQL its 10 queries are also 10 "
        "round trips. Next: its queries compiled once (`portal.rows`)."
    ),
    "Roster, first page in-process ≤ 30 ms": (
        "cProfile, 30 first pages on SQLite (2026-12-01): building the annotated query 23% "
        "and compiling it to SQL 18%, rendering 50 rows of eight columns 36% (formatting "
        "numbers 10% of it), running the SQL 17%. Next: compile the page's query once per "
        "shape, as the study queue's are. Its shape depends on the sort, the scope and the "
        "exam days (one branch per distinct exam day and time zone), which is why it was not "
        "done with the others."
    ),
}
