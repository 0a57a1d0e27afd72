"""Each learner's progress for instructors: who is on the roster, its figures (the same as the
learner's own), its sorts, and the CSV's cells."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics import roster
from analytics.services import known_snapshot_take
from flashcards.models import LEECH_LAPSES, PromptMark, PromptState, StudySettings
from flashcards.selectors import Scope
from progress.dashboard import build_dashboard
from tests.analytics.conftest import log
from tests.conftest import make_card, make_lesson, make_topic, make_user
from trees.models import TreeWalk

pytestmark = pytest.mark.django_db


def state(user, prompt, *, due, lapses=0, stability=10.0, reviewed_days_ago=2):
    now = timezone.now()
    return PromptState.objects.create(
        user=user,
        prompt=prompt,
        state=2,
        due=due,
        stability=stability,
        difficulty=5,
        last_review=now - dt.timedelta(days=reviewed_days_ago),
        lapses=lapses,
    )


def row_of(user, now=None, scope=None) -> roster.RosterRow:
    scope = scope or Scope()
    now = now or timezone.now()
    (row,) = roster.rows(
        roster.roster(now, scope=scope).filter(pk=user.pk), roster.live_prompt_count(scope)
    )
    return row


def test_learners_are_active_accounts_that_are_not_staff_studied_or_not(instructor, superuser):
    studied, fresh = make_user(), make_user()
    make_user(is_active=False)
    state(studied, make_card().prompts.get(), due=timezone.now())
    assert set(roster.learners()) == {studied, fresh}


def test_a_row_counts_reviews_due_overdue_and_leeches():
    now = timezone.now()
    user = make_user()
    prompts = [make_card().prompts.get() for _ in range(4)]
    for days_ago in (1, 3, 10, 40):
        log(user, prompts[0], 3, days_ago=days_ago)
    state(user, prompts[0], due=now - dt.timedelta(hours=2))  # due, not overdue
    state(user, prompts[1], due=now - dt.timedelta(days=3), lapses=LEECH_LAPSES)
    state(user, prompts[2], due=now + dt.timedelta(days=3))
    row = row_of(user, now)
    assert (row.reviews_7, row.reviews_30) == (2, 3)
    assert abs(row.last_active - (now - dt.timedelta(days=1))) < dt.timedelta(seconds=5)
    assert (row.due, row.overdue, row.leeches) == (2, 1, 1)


def test_a_suspended_card_is_not_due_or_overdue_on_the_roster():
    """Never offered to the learner, so not waiting for them; a buried one comes back
    tomorrow and still counts."""
    now = timezone.now()
    user = make_user()
    suspended, buried, plain = [make_card().prompts.get() for _ in range(3)]
    for prompt in (suspended, buried, plain):
        state(user, prompt, due=now - dt.timedelta(days=3))
    PromptMark.objects.create(user=user, prompt=suspended, suspended=True)
    PromptMark.objects.create(user=user, prompt=buried, buried_until=now + dt.timedelta(hours=5))
    PromptMark.objects.create(user=make_user(), prompt=plain, suspended=True)  # someone else's
    row = row_of(user, now)
    assert (row.due, row.overdue) == (2, 2)


def test_a_learner_who_never_studied_has_an_empty_row():
    make_card()
    row = row_of(make_user())
    assert (row.reviews_7, row.reviews_30, row.last_active) == (0, 0, None)
    assert (row.known, row.due, row.overdue, row.leeches) == (0.0, 0, 0, 0)


def test_known_is_the_figure_the_learner_sees_on_their_dashboard():
    now = timezone.now()
    lessons = [make_lesson(), make_lesson()]
    prompts = [make_card(lesson=lesson).prompts.get() for lesson in lessons for _ in range(3)]
    draft = make_lesson(status="draft")
    make_card(lesson=draft)  # drafts count on no one's dashboard
    user, examinee = make_user(), make_user()
    # The examinee's exam is in 10 days: "known" is taken on it, not 30 days ahead.
    StudySettings.objects.create(
        user=examinee, exam_date=(now + dt.timedelta(days=10)).date(), time_zone="Europe/Paris"
    )
    for number, prompt in enumerate(prompts[:4]):
        for who in (user, examinee):
            state(who, prompt, due=now, stability=2.0 + 10 * number, reviewed_days_ago=number)
    for who in (user, examinee):
        seen = build_dashboard(who, now).known
        assert 0 < seen < 1
        assert row_of(who, now).known == pytest.approx(seen)
        for lesson in lessons:
            mastery = {item.lesson.pk: item.mastery for item in build_dashboard(who, now).lessons}
            scoped = row_of(who, now, Scope("lesson", lesson.slug)).known
            assert scoped == pytest.approx(mastery[lesson.pk].known)
    assert row_of(examinee, now).known != pytest.approx(row_of(user, now).known)


def test_a_lesson_scope_counts_only_that_lessons_reviews_and_cards():
    now = timezone.now()
    lesson, other = make_lesson(), make_lesson()
    mine, theirs = make_card(lesson=lesson).prompts.get(), make_card(lesson=other).prompts.get()
    user = make_user()
    log(user, mine, 1)
    log(user, theirs, 3)
    state(user, theirs, due=now - dt.timedelta(days=2), lapses=LEECH_LAPSES)
    row = row_of(user, now, Scope("lesson", lesson.slug))
    assert (row.reviews_7, row.due, row.overdue, row.leeches) == (1, 0, 0, 0)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("learner", ["ann", "bob", "cat"]),
        ("-learner", ["cat", "bob", "ann"]),
        ("-reviews_7", ["bob", "ann", "cat"]),
        ("reviews_30", ["cat", "ann", "bob"]),
        ("-last_active", ["ann", "bob", "cat"]),  # never active last
        ("last_active", ["cat", "bob", "ann"]),  # never active counts as least recent
        ("-known", ["bob", "ann", "cat"]),
        ("-due", ["bob", "ann", "cat"]),
        ("overdue", ["ann", "cat", "bob"]),  # a tie is broken by name
        ("-leeches", ["bob", "ann", "cat"]),
        ("nonsense", ["ann", "bob", "cat"]),
    ],
)
def test_the_roster_sorts_by_each_column(sort, expected):
    now = timezone.now()
    prompts = [make_card().prompts.get() for _ in range(3)]
    ann, bob, _cat = make_user(username="ann"), make_user(username="bob"), make_user(username="cat")
    log(ann, prompts[0], 3, days_ago=1)
    log(bob, prompts[0], 3, days_ago=2)
    log(bob, prompts[1], 1, days_ago=3)
    state(ann, prompts[0], due=now)
    for prompt in prompts[:2]:
        state(bob, prompt, due=now - dt.timedelta(days=2), lapses=LEECH_LAPSES, stability=50)
    ordered = roster.roster(now, sort=roster.parse_sort(sort))
    assert [user.username for user in ordered] == expected


def test_each_column_is_a_sort_and_a_header():
    headers = roster.sort_headers("-known")
    assert [header.label for header in headers] == [column.label for column in roster.COLUMNS]
    known = headers[[column.key for column in roster.COLUMNS].index("known")]
    assert (known.aria_sort, known.param) == ("descending", "known")  # a click reverses it
    assert headers[0].param == "learner" and headers[1].param == "-reviews_7"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+bob", "'+bob"),
        ("-1", "'-1"),
        ("@sum", "'@sum"),
        ("\tx", "'\tx"),
        ("ann", "ann"),
        (3, "3"),
        (None, ""),
    ],
)
def test_csv_cells_never_read_as_formulas(value, cell):
    assert roster.csv_cell(value) == cell


def test_the_hardest_cards_of_a_learner_are_those_they_failed():
    user, other = make_user(), make_user()
    failed_twice = make_card(kind="cloze", front="A {{c1::clone}} shares pages", back="")
    failed_once, passed = make_card(), make_card()
    for rating in (1, 1, 3):
        log(user, failed_twice.prompts.get(), rating)
    log(user, failed_once.prompts.get(), 1)
    log(user, passed.prompts.get(), 3)
    log(other, passed.prompts.get(), 1)  # someone else's Again is not theirs
    cards = roster.hardest_cards_of(user)
    assert [card.pk for card in cards] == [failed_twice.pk, failed_once.pk]
    assert (cards[0].again_count, cards[0].review_count) == (2, 3)
    assert "clone" not in cards[0].front_html  # the front as the study page shows it


def test_the_tree_walks_of_a_learner_say_where_each_ended(troubled_tree):
    user = make_user()
    TreeWalk.objects.create(
        tree=troubled_tree, walker=f"user:{user.pk}", user=user, last_node_key="second"
    )
    (walk,) = roster.walks_of(user)
    assert (walk.tree_title, walk.finished, walk.where) == (
        troubled_tree.title,
        False,
        "Are you sure?",
    )


def test_sorting_by_known_reads_the_snapshot_when_there_is_one_and_shows_live_figures():
    now = timezone.now()
    lesson, other = make_lesson(title="One"), make_lesson(title="Other")
    prompt = make_card(lesson=lesson).prompts.get()
    other_prompt = make_card(lesson=other).prompts.get()
    ann, bob = make_user(username="ann"), make_user(username="bob")
    state(ann, prompt, due=now, stability=50.0)
    state(bob, prompt, due=now, stability=1.0)
    state(bob, other_prompt, due=now, stability=50.0)
    known_snapshot_take(now=now)
    # Since the snapshot, ann forgot and bob learnt: the order is the snapshot's, the figures
    # are today's.
    PromptState.objects.filter(user=ann, prompt=prompt).update(stability=0.5)
    PromptState.objects.filter(user=bob, prompt=prompt).update(stability=80.0)

    def order(scope, snapshot):
        learners = roster.roster(now, scope=scope, sort="-known", known_snapshot=snapshot)
        return [user.username for user in learners], {
            user.username: user.known for user in learners
        }

    lesson_scope = Scope("lesson", lesson.slug)
    by_snapshot, figures = order(lesson_scope, now)
    assert by_snapshot == ["ann", "bob"]
    assert figures["bob"] > figures["ann"]
    assert order(lesson_scope, None)[0] == ["bob", "ann"]  # live, without a snapshot
    # All lessons: bob's other lesson counts too, in the snapshot as live.
    assert order(Scope(), now)[0] == ["bob", "ann"]
    ascending = roster.roster(now, scope=lesson_scope, sort="known", known_snapshot=now)
    assert [user.username for user in ascending] == ["bob", "ann"]


def test_a_learner_new_since_the_snapshot_sorts_as_knowing_nothing():
    now = timezone.now()
    prompt = make_card().prompts.get()
    ann = make_user(username="ann")
    state(ann, prompt, due=now, stability=50.0)
    known_snapshot_take(now=now)
    newcomer = make_user(username="aaron")
    state(newcomer, prompt, due=now, stability=50.0)
    learners = roster.roster(now, sort="-known", known_snapshot=now)
    assert [user.username for user in learners] == ["ann", "aaron"]


def test_the_snapshot_reads_before_its_transaction_and_only_the_swap_holds_the_lock():
    """The grouped read takes seconds at scale; on SQLite a transaction holds the write lock
    from BEGIN, so grades would wait on it. Inside the test's own transaction Django makes the
    inner atomic block a savepoint: the read must come before it."""
    state(make_user(), make_card().prompts.get(), due=timezone.now())
    with CaptureQueriesContext(connection) as captured:
        assert known_snapshot_take(now=timezone.now()) == 1
    sql = [query["sql"] for query in captured]
    read = next(i for i, text in enumerate(sql) if "GROUP BY" in text.upper())
    savepoint = next(i for i, text in enumerate(sql) if text.upper().startswith("SAVEPOINT"))
    assert read < savepoint


def test_study_of_a_private_note_is_not_on_the_roster_nor_the_learners_page():
    """A learner's private notes are theirs alone: the roster, its CSV and the learner's page
    neither count nor date the reviews of their cards; public study still counts."""
    learner = make_user()
    private = make_lesson(topic=make_topic(owner=learner))
    log(learner, make_card(lesson=private).prompts.get(), 3, days_ago=1)
    row = row_of(learner)
    assert (row.reviews_7, row.reviews_30, row.last_active) == (0, 0, None)
    log(learner, make_card().prompts.get(), 3, days_ago=2)
    row = row_of(learner)
    assert (row.reviews_7, row.reviews_30) == (1, 1)
    assert timezone.now() - row.last_active > dt.timedelta(days=1)


def figures(learners_) -> list[tuple]:
    return [
        (user.pk, user.reviews_7, user.reviews_30, user.last_active, user.known, user.due)
        + (user.overdue, user.leeches)
        for user in learners_
    ]


def test_a_roster_page_is_the_rosters_query_for_every_sort_scope_and_exam(monkeypatch):
    """The page's compiled query (`roster_page`) against the ORM's (`roster`), sliced as the
    paginator slices it: every sort, both scopes, with and without the snapshot, with no exam
    to come, one, and two (a branch each)."""
    monkeypatch.setattr(roster, "PAGE_SIZE", 3)
    now = timezone.now()
    lesson = make_lesson(slug="scoped")
    prompts = [make_card(lesson=lesson).prompts.get(), make_card().prompts.get()]
    users = [make_user(username=f"learner-{n}") for n in range(7)]
    for n, user in enumerate(users):
        for days_ago in range(n % 4):
            log(user, prompts[n % 2], 3, days_ago=days_ago * 9 + 1)
        if n % 3:
            state(user, prompts[n % 2], due=now - dt.timedelta(days=n - 3), lapses=n)
    known_snapshot_take(now=now)
    exams = [
        (users[0], (now + dt.timedelta(days=10)).date(), "Europe/Paris"),
        (users[1], (now + dt.timedelta(days=20)).date(), "Asia/Tokyo"),
    ]
    for count in (0, 1, 2):  # exams to come
        for index, (user, day, zone) in enumerate(exams):
            StudySettings.objects.update_or_create(
                user=user,
                defaults={"exam_date": day, "time_zone": zone}
                if index < count
                else {"exam_date": None, "time_zone": "UTC"},
            )
        for sort in sorted(roster.SORT_KEYS | {f"-{key}" for key in roster.SORT_KEYS}):
            for scope in (Scope(), Scope("lesson", "scoped")):
                for snapshot in (None, now):
                    arguments = {"scope": scope, "sort": sort, "known_snapshot": snapshot}
                    expected = list(roster.roster(now, **arguments))
                    for number in (1, 3):
                        page = roster.roster_page(now, number=number, **arguments)
                        start = (number - 1) * 3
                        assert figures(page.object_list) == figures(expected[start : start + 3])
                    assert page.paginator.count == len(expected) == len(users)
