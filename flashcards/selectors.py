"""Reads for studying: the learner's settings, the queue, its counts, and how well a learner
knows each lesson.

Every function makes a fixed number of queries whatever the size of the deck or the history.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    FilteredRelation,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from flashcards.allowance import ScopeNewCards, new_cards_left
from flashcards.days import day_start, local_date, next_midnight
from flashcards.models import (
    LEECH_LAPSES,
    Card,
    NewAgain,
    Prompt,
    PromptMark,
    PromptState,
    Review,
    StudySettings,
    studyable_prompts,
)
from flashcards.recall import KnownHorizon, known_horizon, recall_at
from lessons.models import Lesson
from lessons.selectors import private_reader
from pagecache.kept import kept_for_content
from portal.rows import (
    ID_PLACEHOLDER,
    CompiledByShape,
    RowReader,
    id_stand_ins,
    moment_stand_in,
    read_together,
)

LEARNING_STATES = (PromptState.State.LEARNING, PromptState.State.RELEARNING)
# What a lesson's or a tag's slug can be. Anything else in a scope (a NUL byte, which
# PostgreSQL refuses in a query, or a page of text) cannot name one.
_SCOPE_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,200}")


def _moment(unix_seconds: str) -> dt.datetime | None:
    """A moment written in whole unix seconds, or None if it is not one."""
    if not unix_seconds.isdigit() or len(unix_seconds) > 11:
        return None
    try:
        return dt.datetime.fromtimestamp(int(unix_seconds), tz=dt.UTC)
    except (OverflowError, ValueError, OSError):  # past the year 9999
        return None


@dataclass(frozen=True)
class Scope:
    """What a session studies (or an Anki export holds): everything, one lesson, one topic's
    lessons, one tag, or the exam cards (those with an `exam:` line, in any lesson), and how:
    the usual queue, or a custom study mode.

    Modes (custom study, `/study/custom/`): `ahead` serves reviews due within `days` days as
    well as what is due now, and no new cards; `forgotten` serves, once each, the prompts
    graded Again today before `since` (the moment the custom session began), and nothing
    else. The mode travels inside the scope's text (`lesson:tls/ahead:7`), so the study URL,
    the forms' hidden field, the session figures and the grade and undo views carry it as is.
    """

    kind: str = "all"  # "all", "lesson", "topic", "tag" or "exam"
    slug: str = ""
    mode: str = ""  # "", AHEAD or FORGOTTEN
    days: int = 0  # AHEAD: how many days ahead
    since: dt.datetime | None = None  # FORGOTTEN: when the custom session began
    day: dt.datetime | None = None  # FORGOTTEN: when the learner's day began

    EXAM = "exam"
    AHEAD = "ahead"
    FORGOTTEN = "forgotten"
    AHEAD_DAYS = (1, 30)

    @classmethod
    def parse(cls, raw: str | None) -> Scope:
        base, _, mode = (raw or "").partition("/")
        if base == cls.EXAM:
            scope = cls(cls.EXAM)
        else:
            kind, _, slug = base.partition(":")
            scope = cls(kind, slug) if kind in ("lesson", "topic", "tag") else cls()
            if scope.kind != "all" and not _SCOPE_SLUG.fullmatch(slug):
                scope = cls()
        return scope.with_mode(mode)

    def with_mode(self, raw: str) -> Scope:
        """This scope in the mode `raw` names ("ahead:7", "forgotten:<from>-<since>" in unix
        seconds); in the usual mode if `raw` names none, or a number out of range."""
        name, _, numbers = raw.partition(":")
        if name == self.AHEAD and numbers.isdigit() and len(numbers) <= 2:
            low, high = self.AHEAD_DAYS
            if low <= int(numbers) <= high:
                return Scope(self.kind, self.slug, self.AHEAD, days=int(numbers))
        if name == self.FORGOTTEN:
            start, _, since = numbers.partition("-")
            moments = [_moment(start), _moment(since)]
            if None not in moments and moments[0] <= moments[1]:
                return Scope(self.kind, self.slug, self.FORGOTTEN, since=moments[1], day=moments[0])
        return Scope(self.kind, self.slug)

    @property
    def base(self) -> Scope:
        """The same cards in the usual mode."""
        return Scope(self.kind, self.slug)

    @property
    def is_custom(self) -> bool:
        return bool(self.mode)

    def __str__(self) -> str:
        text = f"{self.kind}:{self.slug}" if self.slug else self.kind
        if self.mode == self.AHEAD:
            return f"{text}/{self.AHEAD}:{self.days}"
        if self.mode == self.FORGOTTEN:
            moments = (int(self.day.timestamp()), int(self.since.timestamp()))
            return f"{text}/{self.FORGOTTEN}:{moments[0]}-{moments[1]}"
        return text

    def conditions(self, prefix: str = "", user=None) -> Q:
        """Prompts that can be studied in this scope (`studyable_prompts`), as conditions on
        the prompt reached through `prefix` (e.g. "prompt__"). With `user`, their private
        lessons' prompts are in it too; without, only public lessons' (analytics, rosters)."""
        condition = studyable_prompts(prefix, user)
        if self.kind == "lesson":
            condition &= Q(**{f"{prefix}card__lesson__slug": self.slug})
        elif self.kind == "topic":
            condition &= Q(**{f"{prefix}card__lesson__topic__slug": self.slug})
        elif self.kind == "tag":
            condition &= Q(**{f"{prefix}card__tags__slug": self.slug})
        elif self.kind == self.EXAM:
            condition &= ~Q(**{f"{prefix}card__exam": ""})
        return condition

    def prompts(self, user=None) -> QuerySet[Prompt]:
        return Prompt.objects.filter(self.conditions(user=user))


def exam_cards_exist(user=None) -> bool:
    """Whether any exam card can be studied (by `user`, their private lessons' too), so that
    the exam scope is worth offering. Read once per content version (`pagecache.kept`): it
    depends on nothing else, and the study page asks on every card."""
    reader = private_reader(user)
    return kept_for_content(
        ("flashcards:exam-cards", reader),
        lambda: Scope(Scope.EXAM).prompts(user if reader else None).exists(),
    )


@dataclass(frozen=True)
class QueueCounts:
    """What is left of the session and what is done today, straight from the database.

    `learning` counts learning and relearning prompts due within the learn-ahead limit (those
    the session will still serve), `learning_now` those of them due already.
    """

    learning: int
    review: int
    new: int  # new prompts that may still be shown today
    new_allowed: int = 0  # today's new-card allowance left, whether or not any are unseen
    done: int = 0  # grades given today (the learner's day) to prompts in this scope
    learning_now: int = 0

    @property
    def total(self) -> int:
        return self.learning + self.review + self.new

    @property
    def due_now(self) -> int:
        """Prompts that come before new ones: learning due already, and due reviews."""
        return self.learning_now + self.review


def learn_ahead_until(study_settings: StudySettings, now: dt.datetime) -> dt.datetime:
    """Learning prompts due up to this moment are served once nothing else is due (Anki's
    learn-ahead limit), so a session does not end with cards coming back in a few minutes."""
    return now + dt.timedelta(minutes=study_settings.learn_ahead_minutes)


@dataclass(frozen=True)
class Holds:
    """What a session holds back at `now`, though due or new: prompts the learner suspended or
    buried, and, per their bury settings, siblings of a prompt studied today (another prompt
    of the same card reviewed since the learner's midnight: Anki's "bury siblings").

    Conditions, not lists of ids: each is a `NOT EXISTS` on a unique or a (prompt, user) index,
    so a deck of any size costs the same queries. Learning prompts are never held back as
    siblings: Anki serves them the same day too.

    It also carries the learner's day, which the queue reads with it: a review is due for its
    whole day, as in Anki, not from the moment FSRS gave it (a card graded at 11:00 three days
    ago comes back at 08:00 today, not at 11:00), so reviews due before `reviews_until`, the
    learner's next midnight, are due now. Learning cards keep their exact moments.
    """

    user_id: int
    now: dt.datetime
    since: dt.datetime  # the learner's midnight
    reviews_until: dt.datetime  # the learner's next midnight
    bury_new: bool = True
    bury_review: bool = True

    # The conditions are SQL written here rather than ORM `Exists`: building two correlated
    # subqueries through the ORM cost about 1.2 ms of Python per query, three queries a page,
    # more than the queries themselves (bench/history.md). Each names only the outer query's
    # base table, which Django aliases by its own name.

    def _marked(self, outer_prompt: str) -> str:
        mark = PromptMark._meta.db_table
        return (
            f"EXISTS (SELECT 1 FROM {mark} m WHERE m.user_id = %s AND m.prompt_id = {outer_prompt}"
            " AND (m.suspended = %s OR m.buried_until > %s))"
        ), [self.user_id, True, _sql_moment(self.now)]

    def _sibling_studied(self, outer_prompt: str) -> str:
        """Another prompt of the outer prompt's card was reviewed today: through the outer
        prompt's row (by primary key), its card's prompts (the (card, ordinal) index), and
        their reviews (the (prompt, user) index)."""
        review, prompt = Review._meta.db_table, Prompt._meta.db_table
        return (
            f"EXISTS (SELECT 1 FROM {prompt} op"
            f" INNER JOIN {prompt} sp ON sp.card_id = op.card_id"
            f" INNER JOIN {review} r ON r.prompt_id = sp.id"
            f" WHERE op.id = {outer_prompt} AND sp.id <> {outer_prompt}"
            " AND r.user_id = %s AND r.reviewed_at >= %s)"
        ), [self.user_id, _sql_moment(self.since)]

    def _free(self, outer_prompt: str, siblings: bool, learning: str = "") -> Q:
        sql, params = self._marked(outer_prompt)
        sql = f"NOT {sql}"
        if siblings:
            sibling_sql, sibling_params = self._sibling_studied(outer_prompt)
            sql = f"{sql} AND ({learning}NOT {sibling_sql})"
            params = [*params, *sibling_params]
        return _condition(sql, params)

    def on_states(self) -> Q:
        """Conditions on PromptState rows for the prompts that are not held back."""
        return self._free(f"{_STATE}.prompt_id", self.bury_review, f"{_LEARNING} OR ")

    def on_prompts(self) -> Q:
        """Conditions on Prompt rows (new ones) for the prompts that are not held back."""
        return self._free(f"{_PROMPT}.id", self.bury_new)


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def _condition(sql: str, params: list | tuple = ()) -> Q:
    return Q(RawSQL(sql, params, output_field=BooleanField()))


def _count_where(sql: str, params: list | tuple = ()) -> Sum:
    """How many rows meet `sql`, as a sum of a CASE: cheaper to build than a filtered Count."""
    case = RawSQL(f"CASE WHEN {sql} THEN 1 ELSE 0 END", params, output_field=IntegerField())
    return Sum(case)


# The base tables of a query of states and of one of prompts, as Django aliases them, and the
# learning condition on a state.
_STATE = _quoted(PromptState._meta.db_table)
_PROMPT = _quoted(Prompt._meta.db_table)
_LEARNING = f"{_STATE}.state IN ({', '.join(str(state) for state in LEARNING_STATES)})"


def _sql_moment(value: dt.datetime):
    """A datetime as the database takes it in raw SQL (SQLite: UTC text)."""
    return connection.ops.adapt_datetimefield_value(value)


def holds_for(user, study_settings: StudySettings, now: dt.datetime) -> Holds:
    return Holds(
        user_id=user.pk,
        now=now,
        since=day_start(now, study_settings.time_zone),
        reviews_until=next_midnight(now, study_settings.time_zone),
        bury_new=study_settings.bury_new_siblings,
        bury_review=study_settings.bury_review_siblings,
    )


@dataclass(frozen=True)
class _Window:
    """The moments a query of due states reads: states due by `now`, learning ones due by
    `ahead` (the learn-ahead limit, never before `now`), and everything it serves due by
    `until`, the bound of the range scan."""

    now: dt.datetime
    ahead: dt.datetime
    until: dt.datetime


def _window(
    scope: Scope, now: dt.datetime, ahead: dt.datetime | None, holds: Holds | None
) -> _Window:
    if ahead is None or ahead <= now:
        ahead = now
    until = ahead
    if holds is not None:
        until = max(until, holds.reviews_until)
    if scope.mode == Scope.AHEAD:
        until = max(until, now + dt.timedelta(days=scope.days))
    return _Window(now, ahead, until)


def _due_states(
    user,
    scope: Scope,
    now: dt.datetime,
    ahead: dt.datetime | None = None,
    holds: Holds | None = None,
):
    """States due by `now`, and learning ones due by `ahead` (the learn-ahead limit); in a
    custom mode, the states that mode serves (see `Scope`); less those `holds` holds back."""
    return _due_states_in(user, scope, _window(scope, now, ahead, holds), holds)


def _due_states_in(user, scope: Scope, window: _Window, holds: Holds | None):
    """`_due_states` for the moments of `window`. The query's SQL depends only on the scope's
    kind and mode and on which holds apply, never on the moments: compiled once, it serves
    them all (`_by_shape`)."""
    # Joins rather than `prompt IN (subquery)`: the planner then starts from the (user, due)
    # index and looks up each due prompt's card and lesson by primary key.
    states = PromptState.objects.filter(scope.conditions("prompt__", user), user=user)
    if holds is not None:
        states = states.filter(holds.on_states())
    if scope.mode == Scope.FORGOTTEN:
        return states.filter(_forgotten_today(user, scope.day, scope.since))
    # SQL rather than Q objects, as `Holds` is: built per request, the OR of ANDs cost more
    # Python than the query's whole time in the database.
    due = [f"{_STATE}.due <= %s", f"({_STATE}.due <= %s AND {_LEARNING})"]
    params = [window.now, window.ahead]
    if holds is not None:
        due.append(f"({_STATE}.due < %s AND {_STATE}.state = {PromptState.State.REVIEW})")
        params.append(holds.reviews_until)
    if scope.mode == Scope.AHEAD:
        # Review ahead: reviews due within the days chosen come in too, earliest first.
        due.append(f"({_STATE}.due <= %s AND {_STATE}.state = {PromptState.State.REVIEW})")
        params.append(window.until)
    # The outer bound keeps the query a range scan of the (user, due) index.
    return states.filter(
        _condition(
            f"{_STATE}.due <= %s AND ({' OR '.join(due)})",
            [_sql_moment(moment) for moment in (window.until, *params)],
        )
    )


def _forgotten_today(user, day: dt.datetime, since: dt.datetime) -> Q:
    """Prompts graded Again between `day` (the learner's midnight) and `since` (when the custom
    session began), and not graded since: "review today's forgotten cards" serves each once
    more, and its grade in that session takes it out. No table of its own: the review log
    says it all."""
    reviews = Review.objects.filter(user=user, prompt_id=OuterRef("prompt_id"))
    forgotten = reviews.filter(
        rating=Review.Rating.AGAIN, reviewed_at__gte=day, reviewed_at__lt=since
    )
    return Q(Exists(forgotten)) & ~Q(Exists(reviews.filter(reviewed_at__gte=since)))


def custom_queue_size(user, scope: Scope, now: dt.datetime, holds: Holds | None = None) -> int:
    """How many prompts a custom mode's session would serve now (less those held back)."""
    return _due_states(user, scope, now, holds=holds).count()


def unseen_prompts(user, scope: Scope, holds: Holds | None = None) -> QuerySet[Prompt]:
    """The scope's prompts the learner has no state for (SQL, as `Holds`: see there)."""
    unseen = _condition(
        f"NOT EXISTS (SELECT 1 FROM {PromptState._meta.db_table} s"
        f" WHERE s.user_id = %s AND s.prompt_id = {_PROMPT}.id)",
        [user.pk],
    )
    prompts = scope.prompts(user).filter(unseen)
    return prompts.filter(holds.on_prompts()) if holds is not None else prompts


def unseen_count(user, scope: Scope | None = None) -> int:
    """How many prompts of `scope` (default: everything) the learner could study and has never
    seen, holds aside; counted by `unseen_prompts`, its SQL compiled once per shape."""
    scope = scope or Scope()
    return _UNSEEN(_Shape.of(scope, None)).count(**_values(user, scope))


def has_unseen(user, scope: Scope, holds: Holds | None = None) -> bool:
    return unseen_prompts(user, scope, holds).exists()


def version_of(user, prompt_id: int, state: PromptState | None) -> int:
    """The version of the learner's state of a prompt: its row's, or, while the prompt is new,
    0 or the version an undo of its first grade left it at (see `NewAgain`)."""
    if state is not None:
        return state.version
    found = NewAgain.objects.filter(user=user, prompt_id=prompt_id).values_list("version")
    return found[0][0] if found else 0


def study_settings_for(user) -> StudySettings:
    """The learner's settings; defaults (unsaved) until they first change them.

    One query, and nothing kept on the user object: a request that needs the settings twice
    (a grade, then the next card) reads them once and passes them on.
    """
    return _SETTINGS.get(user.pk) or StudySettings(user=user)


# The settings row by its learner (one-to-one), its query compiled once (`portal.rows`).
_SETTINGS = RowReader(StudySettings, "user")


def scope_new_cards(study_settings: StudySettings, scope: Scope) -> ScopeNewCards:
    """The learner's own new-card limit and today's extra cards for this scope (its cards in
    any mode)."""
    return ScopeNewCards.from_json((study_settings.scope_new_cards or {}).get(str(scope.base)))


def _new_started_today(user, scope: Scope, study_settings: StudySettings, now: dt.datetime):
    """Today's grades (the learner's day): new cards started anywhere and in this scope, and
    grades given in this scope."""
    read = _todays_grades_read(user, scope, study_settings, now)
    return _today(read_together(read)[0])


def _todays_grades_read(user, scope: Scope, study_settings: StudySettings, now: dt.datetime):
    """`_todays_grades` for the learner's day, as a read for `portal.rows.read_together`."""
    own_limit = scope_new_cards(study_settings, scope).limit is not None
    shape = _Shape.of(scope, None, own_limit)
    values = _values(user, scope, day_began=day_start(now, study_settings.time_zone))
    return _TODAY(shape).first_row(**values)


def _today(row: tuple) -> dict:
    """`_todays_grades`'s row by name: nulls (no grades today) as 0."""
    counts = (count or 0 for count in row)
    return dict(zip(("started", "done", "started_in_scope"), counts, strict=True))


def _todays_grades(user, scope: Scope, since: dt.datetime, own_limit: bool) -> QuerySet:
    """(started, done, started in scope) of the learner's grades since `since`: one grouped
    row, or none. The scope through `EXISTS`, since a tag scope's join would repeat a review
    per tag."""
    first = Q(state_before__isnull=True)
    if scope.kind == "all":
        # Everything: every grade given today is done today (one of a card retired since, too).
        in_scope = Q()
    else:
        in_scope = Q(
            Exists(Prompt.objects.filter(scope.conditions(user=user), pk=OuterRef("prompt_id")))
        )
    counts = {"started": Count("pk", filter=first), "done": Count("pk", filter=in_scope)}
    # Only a scope with a limit of its own needs its own starts counted.
    counts["started_in_scope"] = (
        Count("pk", filter=first & in_scope) if own_limit else Value(0, IntegerField())
    )
    return (
        Review.objects.filter(user=user, reviewed_at__gte=since)
        .order_by()
        .values("user")
        .annotate(**counts)
        .values_list("started", "done", "started_in_scope")
    )


_NONE_TODAY = {"started": 0, "done": 0, "started_in_scope": 0}


def _new_allowed(study_settings: StudySettings, scope: Scope, today: dict, now) -> int:
    own = scope_new_cards(study_settings, scope)
    return new_cards_left(
        overall_limit=study_settings.new_per_day,
        started_today=today["started"],
        scope_limit=own.limit,
        started_in_scope=today["started_in_scope"],
        extra=own.extra_on(local_date(now, study_settings.time_zone)),
    )


def new_left_today(
    user, study_settings: StudySettings, now: dt.datetime, scope: Scope | None = None
) -> int:
    """New cards the learner may still start today studying `scope` (default: everything);
    the rule is `flashcards.allowance.new_cards_left`."""
    scope = scope or Scope()
    return _new_allowed(
        study_settings, scope, _new_started_today(user, scope, study_settings, now), now
    )


def queue_counts(
    user,
    scope: Scope,
    study_settings: StudySettings,
    now: dt.datetime,
    holds: Holds | None = None,
) -> QueueCounts:
    """Due states, today's grades, and unseen prompts within today's allowance, read together
    in one round trip. Prompts held back (`holds_for` the learner, unless given) are not
    counted."""
    holds = holds or holds_for(user, study_settings, now)
    window = _window(scope, now, learn_ahead_until(study_settings, now), holds)
    values = _values(user, scope, window, holds)
    shape = _Shape.of(scope, holds)
    reads = [
        _DUE_COUNTS(shape).first_row(**values),
        _todays_grades_read(user, scope, study_settings, now),
    ]
    # Unseen prompts are counted up to today's allowance before today's grades are known: at
    # most the allowance as if none were started yet, which is never less (none, in custom
    # modes, which serve cards already studied).
    at_most = 0 if scope.is_custom else _new_allowed(study_settings, scope, _NONE_TODAY, now)
    if at_most:
        reads.append(_UNSEEN(shape).counted(at_most=at_most, **values))
    due, today, *unseen = read_together(*reads)
    learning, learning_now, review = (count or 0 for count in due)  # a sum over no rows is null
    today = _today(today)
    allowed = _new_allowed(study_settings, scope, today, now)
    new = min(unseen[0][0], allowed) if unseen else 0
    return QueueCounts(
        learning=learning,
        learning_now=learning_now,
        review=review,
        new=new,
        new_allowed=allowed,
        done=today["done"],
    )


def _due_counts(user, scope: Scope, window: _Window, holds: Holds) -> QuerySet:
    """(learning, learning due now, reviews) among the due states: one grouped row, or none."""
    # Forgotten cards are served whenever they are due: all of them count as due now.
    if scope.mode == Scope.FORGOTTEN:
        learning_now = (_LEARNING,)
    else:
        learning_now = (f"{_LEARNING} AND {_STATE}.due <= %s", [_sql_moment(window.now)])
    return (
        _due_states_in(user, scope, window, holds)
        .order_by()
        .values("user")
        .annotate(
            learning=_count_where(_LEARNING),
            learning_now=_count_where(*learning_now),
            review=_count_where(f"{_STATE}.state = {PromptState.State.REVIEW}"),
        )
        .values_list("learning", "learning_now", "review")
    )


@dataclass(frozen=True)
class NextPrompt:
    prompt: Prompt
    state: PromptState | None  # None: a new prompt
    flag: int = 0  # the learner's flag on it (PromptMark.Flag), shown on the card


def flag_of(user, prompt_ref: str) -> RawSQL:
    """The learner's flag on the prompt at `prompt_ref` ("prompt_id" in a query of states,
    "pk" in one of prompts), 0 when unmarked: a subquery, so the card's flag comes with the
    query that picks the card. SQL, as `Holds`'s conditions are, for the same reason."""
    model, column = {"prompt_id": (PromptState, "prompt_id"), "pk": (Prompt, "id")}[prompt_ref]
    outer = f"{_quoted(model._meta.db_table)}.{column}"
    return RawSQL(
        f"COALESCE((SELECT m.flag FROM {PromptMark._meta.db_table} m"
        f" WHERE m.user_id = %s AND m.prompt_id = {outer}), 0)",
        [user.pk],
        output_field=IntegerField(),
    )


# What the study card shows of a prompt's card and lesson: a lesson's body is large and unused.
# A question's kind and options: its front asks them (practice.answers.ask_of).
CARD_COLUMNS = (
    "card__id",
    "card__kind",
    "card__section",
    "card__exam",
    "card__lesson_id",
    "card__lesson__id",
    "card__lesson__title",
    "card__lesson__slug",
)
PROMPT_COLUMNS = (
    "id",
    "card_id",
    "ordinal",
    "front_html",
    "back_html",
    "changed_at",
    "options",
)


def due_queue(
    user,
    scope: Scope,
    now: dt.datetime,
    ahead: dt.datetime | None = None,
    holds: Holds | None = None,
) -> QuerySet[PromptState]:
    """The learner's due prompt states in study order: learning and relearning due now first,
    then reviews, each by due date, then (with `ahead`) learning ones due by then. A range
    scan of the (user, due) index."""
    return _due_queue_in(user, scope, _window(scope, now, ahead, holds), holds)


def _due_queue_in(user, scope: Scope, window: _Window, holds: Holds | None):
    study_order = RawSQL(
        f"CASE WHEN {_LEARNING} AND {_STATE}.due <= %s THEN 0 WHEN {_LEARNING} THEN 2 ELSE 1 END",
        [_sql_moment(window.now)],
        output_field=IntegerField(),
    )
    return (
        _due_states_in(user, scope, window, holds)
        .select_related("prompt__card__lesson")
        .only(
            *PromptState.STUDY_FIELDS, *[f"prompt__{c}" for c in (*PROMPT_COLUMNS, *CARD_COLUMNS)]
        )
        .annotate(study_order=study_order)
        .order_by("study_order", "due", "pk")
    )


def new_prompts_in_order(user, scope: Scope, holds: Holds | None = None) -> QuerySet[Prompt]:
    """The learner's unseen prompts in the order they are introduced: by lesson, as the lessons
    are read, then as each lesson's cards are written."""
    return (
        unseen_prompts(user, scope, holds)
        .select_related("card__lesson")
        .only(*PROMPT_COLUMNS, *CARD_COLUMNS)
        .order_by(
            *[f"card__lesson__{field}" for field in Lesson.READING_ORDER],
            "card__position",
            "card_id",
            "ordinal",
        )
    )


def next_prompt(
    user,
    scope: Scope,
    counts: QueueCounts,
    now: dt.datetime,
    ahead: dt.datetime | None = None,
    holds: Holds | None = None,
) -> NextPrompt | None:
    """Learning and relearning prompts due now, then due reviews, then new ones (within today's
    limit, in lesson order), then learning prompts due by `ahead`, as Anki does: once nothing
    else is left, a card due again in a few minutes is shown rather than waited for."""
    shape = _Shape.of(scope, holds)
    if counts.due_now:
        values = _values(user, scope, _window(scope, now, None, holds), holds)
        for state in _NEXT_DUE(shape).objects(**values):
            return NextPrompt(prompt=state.prompt, state=state, flag=state.flag)
    if counts.new:
        for prompt in _NEXT_NEW(shape).objects(**_values(user, scope, holds=holds)):
            return NextPrompt(prompt=prompt, state=None, flag=prompt.flag)
    if counts.learning > counts.learning_now and ahead is not None:
        values = _values(user, scope, _window(scope, now, ahead, holds), holds)
        for state in _NEXT_DUE(shape).objects(**values):
            return NextPrompt(prompt=state.prompt, state=state, flag=state.flag)
    return None


def next_due_at(user, scope: Scope, holds: Holds | None = None) -> dt.datetime | None:
    """When the learner's next prompt in this scope falls due (new prompts aside). Prompts held
    back now are left out: they come back tomorrow at the earliest, or once unsuspended."""
    states = PromptState.objects.filter(scope.conditions("prompt__", user), user=user)
    if holds is not None:
        states = states.filter(holds.on_states())
    return states.order_by("due").values_list("due", flat=True).first()


# The queue's queries, compiled once per shape --------------------------------------------------
#
# A study page and a grade run five of the queries above. Built through the ORM on every
# request they cost several times the database's own work (bench/history.md, issue 20), yet
# their SQL depends only on the query's shape: the scope's kind and mode, which holds apply,
# and whether a scope has a new-card limit of its own. So each shape is compiled once
# (`portal.rows.CompiledByShape`) from the functions above, run with stand-ins for the learner,
# the scope's slug and the moments, and afterwards only the values change. The functions
# above stay the one statement of each rule.


# Stand-ins for the values, each of its column's type, each distinct, and none a value a
# request passes: an id no row has, moments before the site existed.
_STAND_INS = {
    "user_id": ID_PLACEHOLDER,
    "slug": "compiled-query-scope-slug",
    "now": moment_stand_in(1),
    "ahead": moment_stand_in(2),
    "until": moment_stand_in(3),
    "held_at": moment_stand_in(4),
    "held_since": moment_stand_in(5),
    "reviews_until": moment_stand_in(6),
    "forgotten_from": moment_stand_in(7),
    "forgotten_until": moment_stand_in(8),
    "day_began": moment_stand_in(9),
}
_SLUGGED = ("lesson", "topic", "tag")


@dataclass(frozen=True)
class _Shape:
    """What a queue query's SQL depends on; everything else is a value."""

    kind: str
    mode: str
    bury_new: bool | None  # None: no holds
    bury_review: bool | None
    extra: object = None  # per query: whether the scope has a new-card limit of its own

    @classmethod
    def of(cls, scope: Scope, holds: Holds | None, extra: object = None) -> _Shape:
        if holds is None:
            return cls(scope.kind, scope.mode, None, None, extra)
        return cls(scope.kind, scope.mode, holds.bury_new, holds.bury_review, extra)

    def stand_ins(self, values: dict) -> tuple:
        """The learner, scope, window and holds of this shape, holding `values`."""
        user = get_user_model()(pk=values["user_id"])
        scope = Scope(
            self.kind,
            values["slug"] if self.kind in _SLUGGED else "",
            self.mode,
            since=values["forgotten_until"],
            day=values["forgotten_from"],
        )
        window = _Window(values["now"], values["ahead"], values["until"])
        holds = None
        if self.bury_new is not None:
            holds = Holds(
                user_id=values["user_id"],
                now=values["held_at"],
                since=values["held_since"],
                reviews_until=values["reviews_until"],
                bury_new=self.bury_new,
                bury_review=self.bury_review,
            )
        return user, scope, window, holds


def _values(
    user,
    scope: Scope,
    window: _Window | None = None,
    holds: Holds | None = None,
    day_began: dt.datetime | None = None,
) -> dict:
    """A real call's values, by the names of `_STAND_INS` (those a shape does not take are not
    read)."""
    return {
        "user_id": user.pk,
        "slug": scope.slug,
        "now": window and window.now,
        "ahead": window and window.ahead,
        "until": window and window.until,
        "held_at": holds and holds.now,
        "held_since": holds and holds.since,
        "reviews_until": holds and holds.reviews_until,
        "forgotten_from": scope.day,
        "forgotten_until": scope.since,
        "day_began": day_began,
    }


def _by_shape(build) -> CompiledByShape:
    """One compiled query per shape (`portal.rows.CompiledByShape`), from
    `build(shape, user, scope, window, holds, values)`. Shapes are few: five kinds, three
    modes, five settings of holds, a scope's own limit or not."""
    return CompiledByShape(
        lambda shape, **values: build(shape, *shape.stand_ins(values), values),
        stand_ins=lambda shape: _STAND_INS,
        optional=True,
    )


_DUE_COUNTS = _by_shape(
    lambda shape, user, scope, window, holds, values: _due_counts(user, scope, window, holds)
)
_TODAY = _by_shape(
    lambda shape, user, scope, window, holds, values: _todays_grades(
        user, scope, values["day_began"], own_limit=shape.extra
    )
)
_UNSEEN = _by_shape(
    lambda shape, user, scope, window, holds, values: (
        unseen_prompts(user, scope, holds).order_by().values_list("pk")
    )
)
_NEXT_DUE = _by_shape(
    lambda shape, user, scope, window, holds, values: _due_queue_in(
        user, scope, window, holds
    ).annotate(flag=flag_of(user, "prompt_id"))[:1]
)
_NEXT_NEW = _by_shape(
    lambda shape, user, scope, window, holds, values: new_prompts_in_order(
        user, scope, holds
    ).annotate(flag=flag_of(user, "pk"))[:1]
)


@dataclass(frozen=True)
class LessonMastery:
    cards: int  # prompts that can be studied in the lesson
    known: float  # 0 to 1; see flashcards.recall.known_horizon


def horizon_for(study_settings: StudySettings, now: dt.datetime) -> KnownHorizon:
    """When this learner's "known" is measured (their exam day, or 30 days from now)."""
    return known_horizon(
        now,
        exam_date=study_settings.exam_date,
        time_zone=study_settings.time_zone,
        parameters=study_settings.fsrs_parameters,
    )


def mastery_by_lesson(
    user, lesson_ids: list[int], horizon: KnownHorizon
) -> dict[int, LessonMastery]:
    """How well the learner knows each lesson that has cards, from 0 to 1: the mean FSRS
    recall at `horizon` over the lesson's live prompts, a prompt never studied counting 0
    (the definition is `flashcards.recall.known_horizon`'s).

    One query whatever the number of lessons or cards: the lesson's prompts, left-joined to
    this learner's states, counted and summed together.
    """
    if not lesson_ids:
        return {}
    signed_in = user.is_authenticated
    values = {"lesson_ids": lesson_ids}
    if signed_in:
        values.update(user_id=user.pk, moment=horizon.moment, decay=horizon.decay)
    rows = _MASTERY((len(lesson_ids), signed_in)).rows(**values)
    return {
        lesson_id: LessonMastery(
            cards=count, known=(recalled[0] or 0.0) / count if recalled else 0.0
        )
        for lesson_id, count, *recalled in rows
    }


def _mastery_rows(shape: tuple[int, bool], *, lesson_ids, user_id=None, moment=None, decay=None):
    _lessons, signed_in = shape
    prompts = Prompt.objects.live().filter(card__lesson_id__in=lesson_ids)
    sums = {"count": Count("pk")}
    if signed_in:
        prompts = prompts.annotate(
            mine=FilteredRelation("states", condition=Q(states__user_id=user_id))
        )
        # The decay as a value of the query, not a constant `recall_at` derives another from.
        decay = Value(decay, output_field=FloatField())
        sums["recalled"] = Sum(recall_at(moment, "mine__", decay))
    return prompts.values_list("card__lesson_id").annotate(**sums).order_by()


# Compiled once per number of lessons and whether the learner is signed in (portal.rows): the
# lesson list, the study page's summary and the dashboard read it on every view.
_MASTERY = CompiledByShape(
    _mastery_rows,
    stand_ins=lambda shape: {
        "lesson_ids": id_stand_ins(shape[0]),
        **(
            {"user_id": ID_PLACEHOLDER, "moment": moment_stand_in(10), "decay": -0.987654321}
            if shape[1]
            else {}
        ),
    },
)


def card_figures(cards: QuerySet[Card]) -> QuerySet[Card]:
    """Cards annotated with reviews, agains, lapses and leeches across all learners.

    Correlated subqueries, so the admin's list stays one query however many reviews exist.
    """
    reviews = Review.objects.filter(prompt__card=OuterRef("pk"))
    states = PromptState.objects.filter(prompt__card=OuterRef("pk"))
    return cards.annotate(
        review_count=_per_card(reviews, Count("pk")),
        again_count=_per_card(reviews.filter(rating=Review.Rating.AGAIN), Count("pk")),
        lapse_total=_per_card(states, Sum("lapses")),
        leech_count=_per_card(states.filter(lapses__gte=LEECH_LAPSES), Count("pk")),
    )


def _per_card(rows: QuerySet, aggregate) -> Coalesce:
    grouped = rows.order_by().values("prompt__card").annotate(value=aggregate).values("value")
    return Coalesce(Subquery(grouped[:1]), 0)
