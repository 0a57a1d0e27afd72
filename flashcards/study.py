"""What the study page shows at this moment: the next card, its grades, progress, or the end.

The counters (left, done today) are read from the database on every page, so a grade, an
undo, a reload or another tab never leaves them wrong. Only the summary's running figures
(reviewed, agains, time in this session) are kept in the Django session, and beside them the
session's undo stack (flashcards/undo.py).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.urls import reverse

from flashcards import selectors
from flashcards.cards import QUESTION
from flashcards.days import next_midnight
from flashcards.grading import scheduler_for
from flashcards.models import PromptMark, PromptState, Review, StudySettings
from flashcards.recall import KnownHorizon
from flashcards.scheduling import Memory, format_interval, preview_intervals
from flashcards.selectors import LEARNING_STATES, NextPrompt, QueueCounts, Scope
from flashcards.study_questions import (
    QuestionBack,
    answered_at_version,
    question_back,
    ticket_of,
)
from flashcards.tokens import GradeRefused, GradeTicket, grade_token, read_grade_token
from flashcards.undo import offer
from lessons.models import Lesson
from practice.answers import ask_of
from practice.models import Answer

SESSION_KEY = "study_session"


@dataclass(frozen=True)
class GradeButton:
    rating: int
    label: str
    interval: str


@dataclass(frozen=True)
class FlagButton:
    colour: int  # 0: the "No flag" button
    label: str
    value: int  # what the button sends: its colour, or 0 on the colour set (a toggle)
    pressed: bool


@dataclass
class Summary:
    reviewed: int
    again: int
    seconds: int
    next_due: dt.datetime | None
    lessons: list = field(default_factory=list)  # (lesson, known)
    horizon: KnownHorizon | None = None  # when "known" is measured

    @property
    def again_rate(self) -> int:
        return round(100 * self.again / self.reviewed) if self.reviewed else 0

    @property
    def minutes(self) -> str:
        minutes, seconds = divmod(self.seconds, 60)
        return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


@dataclass
class StudyPage:
    scope: Scope
    counts: QueueCounts
    item: NextPrompt | None = None
    token: str = ""
    revealed: bool = False
    grades: list[GradeButton] = field(default_factory=list)
    section_url: str = ""
    undo: str = ""  # the Undo button's token, when there is something to undo
    undo_label: str = ""  # what it takes back: "grade", "bury", ...
    summary: Summary | None = None
    next_due: dt.datetime | None = None
    # Seconds until the next card is due, when it is due later today: the page asks again
    # then (htmx), so a learning card beyond the learn-ahead limit comes in by itself.
    wait_seconds: int | None = None
    new_limit_reached: bool = False
    own_limit: int | None = None  # the scope's own new cards a day, when it has one
    # A question card: its front (practice.answers.ask_of: nothing says which are right),
    # and once checked on this showing, its back.
    question: dict | None = None
    checked: QuestionBack | None = None

    @property
    def done(self) -> int:
        return self.counts.done

    @property
    def progress_max(self) -> int:
        return self.done + self.counts.total

    @property
    def announcement(self) -> str:
        if self.summary:
            return f"Session done: {self.summary.reviewed} cards reviewed."
        if self.item is None:
            return "Nothing is due."
        if self.checked:
            verdict = "Right." if self.checked.is_right else "Not right."
            return f"{verdict} Proposed grade: {self.checked.proposed_label}. Enter confirms it."
        if self.revealed:
            return "Answer shown. Grade it from 1, Again, to 4, Easy."
        return f"Next card. {self.counts.total} left."

    @property
    def flag_label(self) -> str:
        return PromptMark.Flag(self.item.flag).label if self.item else ""

    @property
    def flag_buttons(self) -> list[FlagButton]:
        """The flag menu: four colours, pressing the one set clears it (as Ctrl+1..4 in Anki),
        and "No flag"."""
        current = self.item.flag if self.item else 0
        return [
            FlagButton(
                colour=colour,
                label=label,
                value=0 if colour == current else colour,
                pressed=colour == current,
            )
            for colour, label in PromptMark.Flag.choices
            if colour
        ] + [FlagButton(colour=0, label="No flag", value=0, pressed=current == 0)]

    @property
    def is_leech(self) -> bool:
        return bool(self.item and self.item.state and self.item.state.is_leech)


def session_figures(session, scope: Scope) -> dict:
    figures = session.get(SESSION_KEY)
    if not figures or figures.get("scope") != str(scope):
        figures = {
            "scope": str(scope),
            "reviewed": 0,
            "again": 0,
            "ms": 0,
            "lessons": [],
            "done": False,
        }
    return figures


def record_grade(session, scope: Scope, review: Review, lesson_id: int) -> None:
    figures = session_figures(session, scope)
    if figures["done"]:
        figures = session_figures({}, scope)
    figures["reviewed"] += 1
    figures["again"] += review.rating == Review.Rating.AGAIN
    figures["ms"] += review.duration_ms or 0
    if lesson_id not in figures["lessons"]:
        figures["lessons"].append(lesson_id)
    session[SESSION_KEY] = figures


def record_undo(session, scope: Scope, review: Review) -> None:
    figures = session_figures(session, scope)
    figures["reviewed"] = max(0, figures["reviewed"] - 1)
    figures["again"] = max(0, figures["again"] - (review.rating == Review.Rating.AGAIN))
    figures["ms"] = max(0, figures["ms"] - (review.duration_ms or 0))
    figures["done"] = False
    session[SESSION_KEY] = figures


def build_study_page(
    *,
    user,
    session,
    scope: Scope,
    study_settings: StudySettings,
    now: dt.datetime,
    reveal: str | None = None,
    prefer_prompt: int | None = None,
    answer: Answer | None = None,
) -> StudyPage:
    holds = selectors.holds_for(user, study_settings, now)
    counts = selectors.queue_counts(user, scope, study_settings, now, holds)
    ahead = selectors.learn_ahead_until(study_settings, now)
    figures = session_figures(session, scope)
    page = StudyPage(scope=scope, counts=counts)
    undo = offer(session, scope, user.pk)
    if undo is not None:
        page.undo, page.undo_label = undo.token, undo.label

    item = _preferred(
        user, scope, prefer_prompt, counts, now, ahead, holds
    ) or selectors.next_prompt(user, scope, counts, now, ahead, holds)
    if item is None:
        page.next_due = selectors.next_due_at(user, scope, holds)
        if scope.mode != Scope.FORGOTTEN:
            # A forgotten card graded in this session is done with: nothing to wait for.
            page.wait_seconds = wait_seconds(page.next_due, now, study_settings.time_zone)
        if not scope.is_custom:
            page.new_limit_reached = counts.new_allowed == 0 and selectors.has_unseen(
                user, scope, holds
            )
            page.own_limit = selectors.scope_new_cards(study_settings, scope).limit
        if figures["reviewed"] and not figures["done"]:
            page.summary = _summary(user, figures, page.next_due, study_settings, now)
            figures["done"] = True
            session[SESSION_KEY] = figures
        return page

    version = selectors.version_of(user, item.prompt.pk, item.state)
    page.item = item
    page.token = grade_token(
        user_id=user.pk, prompt_id=item.prompt.pk, version=version, shown_at=now
    )
    card = item.prompt.card
    if card.section:
        page.section_url = f"{reverse('lessons:lesson', args=[card.lesson.slug])}#{card.section}"
    ticket = _reveals(reveal, user, item, version) if reveal else None
    if card.kind == QUESTION:
        page.question = ask_of(item.prompt)
        # A question's back is shown once it is answered at this version of the learner's
        # state, whatever the request asks to reveal: a reload after a check shows that back,
        # to be graded, rather than the front to be answered again. `answer`: the one the
        # check POST just logged or found, saving the look-up.
        ticket = ticket_of(answer) if answer else None
        if ticket is None or (ticket.prompt_id, ticket.version) != (item.prompt.pk, version):
            answer = answered_at_version(user, item.prompt.pk, version)
            ticket = ticket_of(answer) if answer else None
        if ticket:
            # Graded with the token of the showing it was answered on (the grade checks that).
            page.token = grade_token(
                user_id=user.pk, prompt_id=item.prompt.pk, version=version, shown_at=ticket.shown_at
            )
            page.checked = question_back(item.prompt, answer)
    if ticket:
        page.revealed = True
        memory = Memory.from_row(item.state) if item.state else None
        scheduler = scheduler_for(study_settings, now=now, fuzz=False)
        intervals = preview_intervals(memory, now, scheduler, item.prompt.pk)
        page.grades = [
            GradeButton(rating, label, format_interval(intervals[rating]))
            for rating, label in Review.Rating.choices
        ]
    return page


def wait_seconds(next_due: dt.datetime | None, now: dt.datetime, time_zone: str) -> int | None:
    """How long the page should wait before asking for the next card: until it is due (and a
    second, so that it is), if that is before the learner's day ends; None otherwise."""
    if next_due is None:
        return None
    if next_due >= next_midnight(now, time_zone):
        return None
    return max(1, math.ceil((next_due - now).total_seconds())) + 1


def _reveals(token: str, user, item: NextPrompt, version: int) -> GradeTicket | None:
    """The showing `token` names, if it is this card's at its current version."""
    try:
        ticket = read_grade_token(token, user_id=user.pk)
    except GradeRefused:
        return None
    if ticket.prompt_id == item.prompt.pk and ticket.version == version:
        return ticket
    return None


def _preferred(user, scope, prompt_id, counts, now, ahead, holds) -> NextPrompt | None:
    """After an undo, show the card that was taken back, if it is still due (a learning card:
    within the learn-ahead limit) or new, and not held back."""
    if not prompt_id:
        return None
    prompt = (
        scope.prompts(user)
        .filter(holds.on_prompts(), pk=prompt_id)
        .select_related("card__lesson")
        .annotate(flag=selectors.flag_of(user, "pk"))
        .first()
    )
    if prompt is None:
        return None
    state = PromptState.objects.filter(user=user, prompt=prompt).first()
    if state is None and counts.new == 0:
        return None
    if state is not None and state.due > (
        ahead if state.state in LEARNING_STATES else holds.reviews_until
    ):
        return None
    return NextPrompt(prompt=prompt, state=state, flag=prompt.flag)


def _summary(user, figures, next_due, study_settings: StudySettings, now) -> Summary:
    summary = Summary(
        reviewed=figures["reviewed"],
        again=figures["again"],
        seconds=figures["ms"] // 1000,
        next_due=next_due,
        horizon=selectors.horizon_for(study_settings, now),
    )
    lessons = list(Lesson.objects.filter(pk__in=figures["lessons"]).only("id", "title", "slug"))
    mastery = selectors.mastery_by_lesson(user, [lesson.pk for lesson in lessons], summary.horizon)
    summary.lessons = [
        (lesson, mastery[lesson.pk].known if lesson.pk in mastery else 0.0) for lesson in lessons
    ]
    return summary
