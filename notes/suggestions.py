"""Storing the cards a note suggests (notes/suggest.py) and deciding on them.

At import, `suggestions_plan` works out, without locks, which suggestions are new (their key
not stored for the lesson), which pending ones the note no longer makes (withdrawn) and, when
accepting, the cards to add; `suggestions_plan_write` writes that inside the import's
transaction. A decided suggestion (accepted or rejected) keeps its key, so importing the same
note again proposes nothing new; a changed sentence has a new key and is proposed anew.

Instructors decide in the admin (`suggestions_accept`, `suggestions_reject`,
`suggestions_reopen`); an accepted suggestion becomes an ordinary card (origin "suggestion")
that importing the note again leaves alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from markdown_it.token import Token

from flashcards.card_sync import CardsPlan, cards_add_plan, cards_plan_write
from flashcards.cards import CardsError, CardSpec, check_card, parse_exam
from flashcards.models import Card, Prompt
from lessons.models import Lesson
from notes.models import Suggestion
from notes.parser import Note
from notes.suggest import Suggestion as Proposed
from notes.suggest import suggest_cards
from portal.problems import Problem, ProblemList


class SuggestionsInvalid(ProblemList):
    """Suggestions that cannot be cards as written (as edited, or naming a section the lesson
    no longer has); nothing was saved. `by_suggestion` holds each one's problems by its id, for
    a page that shows them at the suggestion."""

    def __init__(self, problems, by_suggestion: dict[int, list[Problem]] | None = None) -> None:
        super().__init__(problems)
        self.by_suggestion = by_suggestion or {}


class SuggestionsDecidedMeanwhile(Exception):
    """Someone decided on the lesson's suggestions while these were being worked out."""


@dataclass(frozen=True)
class SuggestionsChange:
    proposed: int = 0  # new suggestions stored
    accepted: int = 0  # of which, and of those pending before, accepted as cards
    withdrawn: int = 0  # pending suggestions the note no longer makes, deleted
    pending: int = 0  # waiting for a decision after the import
    retired: int = 0  # cards an import accepted whose sentence the note no longer has

    @property
    def action(self) -> str:
        changed = self.proposed or self.accepted or self.withdrawn or self.retired
        return "update" if changed else "unchanged"

    def describe(self) -> str:
        retired = f", {self.retired} retired" if self.retired else ""
        return (
            f"{self.proposed} new, {self.accepted} accepted, {self.withdrawn} withdrawn, "
            f"{self.pending} waiting for a decision{retired}"
        )


@dataclass
class SuggestionsPlan:
    """What an import writes for one lesson's suggestions, worked out before any lock."""

    change: SuggestionsChange
    create: list[Suggestion]  # lesson not set yet: it may not exist
    withdraw: list[int]
    accept: list[int]  # stored pending rows to accept
    # The cards of the accepted, in order: first those of `create` marked accepted, then those
    # of `accept`.
    cards: CardsPlan | None
    # The stored suggestions as read: key -> status. The write refuses the plan if they changed.
    seen: dict[str, str] = field(default_factory=dict)
    # Cards an import accepted (nobody decided on them) whose sentence is gone: retired.
    retire: list[int] = field(default_factory=list)
    # Pending rows the note still makes, at a new place or line in it.
    moved: list[Suggestion] = field(default_factory=list)


def suggestions_plan(
    *,
    note: Note,
    lesson_id: int | None,
    sections: dict[str, str],
    accept: bool,
    now: dt.datetime | None = None,
    tokens: list[Token] | None = None,
) -> SuggestionsPlan:
    """The note's suggestions against those stored for its lesson, and with `accept` the cards
    they become. Reads only. `tokens`: the note's body as the import parsed it to render."""
    now = now or timezone.now()
    stored: dict[str, Suggestion] = {}
    existing: list[CardSpec] = []
    if lesson_id is not None:
        stored = {row.key: row for row in Suggestion.objects.filter(lesson_id=lesson_id)}
        # The note's own cards are counted by the rules; the others the lesson has (written in
        # the admin) are read here. Not the cards of its stored suggestions: their keys already
        # keep them from being proposed again, and the rules must still make them, so that
        # what the note no longer makes can be told apart.
        existing = [
            CardSpec(kind=kind, front=front, back=back)
            for kind, front, back in Card.objects.active()
            .filter(lesson_id=lesson_id)
            .exclude(origin=Card.Origin.NOTE)
            .exclude(pk__in=[row.card_id for row in stored.values() if row.card_id])
            .values_list("kind", "front", "back")
        ]
    proposed = suggest_cards(note, existing=existing, tokens=tokens)
    keys = {suggestion.key for suggestion in proposed}
    status = Suggestion.Status.ACCEPTED if accept else Suggestion.Status.PENDING
    create = [
        _row(suggestion, position=position, status=status, now=now)
        for position, suggestion in enumerate(proposed)
        if suggestion.key not in stored
    ]
    pending = [row for row in stored.values() if row.status == Suggestion.Status.PENDING]
    withdraw = [row.pk for row in pending if row.key not in keys]
    # A pending suggestion the note still makes keeps its row; its place and line follow the
    # note as it now stands, so the review lists old and new in the note's order.
    where = {
        suggestion.key: (position, suggestion.line) for position, suggestion in enumerate(proposed)
    }
    kept = [row for row in pending if row.key in keys]
    moved = []
    for row in kept:
        if (row.position, row.line) != where[row.key]:
            row.position, row.line = where[row.key]
            moved.append(row)
    kept.sort(key=lambda row: row.position)
    accept_rows = kept if accept else []
    retire: list[int] = []
    if accept:
        # Importing with every suggestion accepted makes the note the cards' source, as for
        # its own cards: a card an import accepted follows its sentence, so a changed fact
        # does not leave its old card behind (history kept, as for a retired card). One a
        # person accepted, or edited since, is theirs and stays.
        gone = [
            row
            for row in stored.values()
            if row.status == Suggestion.Status.ACCEPTED
            and row.decided_by_id is None
            and row.key not in keys
        ]
        unedited = _unedited_cards(gone)
        for row in gone:
            if row.card_id in unedited:
                retire.append(row.card_id)
                withdraw.append(row.pk)
    cards = None
    if accept and (create or accept_rows):
        cards = cards_add_plan(
            lesson_id=lesson_id,
            lesson_slug=note.slug,
            lesson_title=note.title,
            sections=sections,
            specs=[row.card_spec() for row in [*create, *accept_rows]],
            origin=Card.Origin.SUGGESTION,
            now=now,
            after=len(note.cards) - 1,
        )
    return SuggestionsPlan(
        change=SuggestionsChange(
            proposed=len(create),
            accepted=len(create) + len(accept_rows) if accept else 0,
            withdrawn=len(withdraw) - len(retire),
            pending=0 if accept else len(create) + len(kept),
            retired=len(retire),
        ),
        create=create,
        withdraw=withdraw,
        accept=[row.pk for row in accept_rows],
        cards=cards,
        seen={key: row.status for key, row in stored.items()},
        moved=moved,
        retire=retire,
    )


def _unedited_cards(rows: list[Suggestion]) -> set[int]:
    """The active cards of these accepted suggestions that still say what was suggested."""
    wanted = {row.card_id: (row.kind, row.front, row.back) for row in rows if row.card_id}
    found = Card.objects.active().filter(pk__in=wanted).values_list("pk", "kind", "front", "back")
    return {pk for pk, *text in found if tuple(text) == wanted[pk]}


def suggestions_plan_write(*, plan: SuggestionsPlan, lesson: Lesson) -> None:
    """Write a plan with a handful of bulk queries. Call inside a transaction. Raises
    SuggestionsDecidedMeanwhile if the lesson's stored suggestions changed since the plan."""
    rows = Suggestion.objects.select_for_update().filter(lesson=lesson)
    if dict(rows.values_list("key", "status")) != plan.seen:
        raise SuggestionsDecidedMeanwhile
    if plan.withdraw:
        Suggestion.objects.filter(pk__in=plan.withdraw).delete()
    if plan.retire:
        Card.objects.filter(pk__in=plan.retire).update(is_active=False, updated_at=timezone.now())
        Prompt.objects.filter(card_id__in=plan.retire).update(is_active=False)
    Suggestion.objects.bulk_update(plan.moved, ["position", "line"], batch_size=500)
    cards: list[Card] = []
    if plan.cards is not None:
        cards_plan_write(plan=plan.cards, lesson=lesson)
        cards = [card for card, _, _ in plan.cards.cards]
    for row in plan.create:
        row.lesson = lesson
    accepted_new = [row for row in plan.create if row.status == Suggestion.Status.ACCEPTED]
    for row, card in zip(accepted_new, cards, strict=False):
        row.card = card
    Suggestion.objects.bulk_create(plan.create, batch_size=500)
    if plan.accept:
        stored = Suggestion.objects.in_bulk(plan.accept)
        decided = []
        for pk, card in zip(plan.accept, cards[len(accepted_new) :], strict=True):
            row = stored[pk]
            row.status, row.card, row.decided_at = Suggestion.Status.ACCEPTED, card, plan.cards.now
            decided.append(row)
        Suggestion.objects.bulk_update(decided, ["status", "card", "decided_at"], batch_size=500)


def suggestions_accept(
    *,
    lesson: Lesson,
    suggestions: Sequence[Suggestion],
    edits: dict[int, CardSpec] | None = None,
    user=None,
    now: dt.datetime | None = None,
) -> list[Card]:
    """Accept pending suggestions of `lesson` as cards, each as proposed or as edited (`edits`
    by suggestion id). All or nothing: SuggestionsInvalid lists every one that cannot be a card
    (as edited, or naming a heading the lesson no longer has), SuggestionsDecidedMeanwhile says
    one was no longer pending."""
    now = now or timezone.now()
    edits = edits or {}
    chosen = sorted(suggestions, key=lambda row: (row.position, row.pk))
    specs = [edits.get(row.pk) or row.card_spec() for row in chosen]
    sections = lesson.sections()
    by_suggestion: dict[int, list[Problem]] = {}
    for row, spec in zip(chosen, specs, strict=True):
        found: list[Problem] = []
        try:
            check_card(spec)
        except CardsError as error:
            found += error.problems
        if spec.exam:
            try:
                parse_exam(spec.exam, None)  # Card.exam's length, which no database may cut
            except CardsError as error:
                found += error.problems
        if spec.section and spec.section not in sections:
            # The lesson's body may have lost the heading since the import suggested it.
            found.append(Problem(f"section '#{spec.section}' is not a heading of the lesson"))
        if found:
            by_suggestion[row.pk] = found
    if by_suggestion:
        problems = [
            problem.about(f"suggestion {pk}")
            for pk, found in by_suggestion.items()
            for problem in found
        ]
        raise SuggestionsInvalid(problems, by_suggestion)
    if not chosen:
        return []
    try:
        plan = cards_add_plan(
            lesson_id=lesson.pk,
            lesson_slug=lesson.slug,
            lesson_title=lesson.title,
            sections=sections,
            specs=specs,
            origin=Card.Origin.SUGGESTION,
            now=now,
        )
    except ProblemList as invalid:
        raise SuggestionsInvalid(invalid.problems) from None
    with transaction.atomic():
        locked = Suggestion.objects.select_for_update().filter(
            pk__in=[row.pk for row in chosen], lesson=lesson, status=Suggestion.Status.PENDING
        )
        # Read the rows, not a COUNT: Django drops FOR UPDATE from aggregates, and it is the
        # lock that keeps two instructors (or an import) from deciding the same suggestion.
        # (SQLite takes its write lock at BEGIN: settings' transaction_mode.)
        if len(list(locked.values_list("pk", flat=True))) != len(chosen):
            raise SuggestionsDecidedMeanwhile
        cards_plan_write(plan=plan, lesson=lesson)
        cards = [card for card, _, _ in plan.cards]
        for row, card in zip(chosen, cards, strict=True):
            row.status, row.card, row.decided_at, row.decided_by = (
                Suggestion.Status.ACCEPTED,
                card,
                now,
                user,
            )
        Suggestion.objects.bulk_update(chosen, ["status", "card", "decided_at", "decided_by"])
    return cards


def suggestions_reject(
    *, lesson: Lesson, suggestions: Sequence[Suggestion], user=None, now=None
) -> int:
    """Reject pending suggestions of `lesson`; they are not proposed again while their sentence
    stays. Returns how many were rejected."""
    return Suggestion.objects.filter(
        pk__in=[row.pk for row in suggestions], lesson=lesson, status=Suggestion.Status.PENDING
    ).update(status=Suggestion.Status.REJECTED, decided_at=now or timezone.now(), decided_by=user)


def suggestions_reopen(*, lesson: Lesson, suggestions: Sequence[Suggestion]) -> int:
    """Put rejected suggestions of `lesson` back to pending. Returns how many."""
    return Suggestion.objects.filter(
        pk__in=[row.pk for row in suggestions], lesson=lesson, status=Suggestion.Status.REJECTED
    ).update(status=Suggestion.Status.PENDING, decided_at=None, decided_by=None)


def _row(proposed: Proposed, *, position: int, status: str, now: dt.datetime) -> Suggestion:
    return Suggestion(
        key=proposed.key,
        status=status,
        rule=proposed.rule,
        kind=proposed.kind,
        front=proposed.front,
        back=proposed.back,
        section=proposed.section,
        exam=proposed.exam,
        source=proposed.source,
        line=proposed.line,
        position=position,
        decided_at=now if status == Suggestion.Status.ACCEPTED else None,
    )
