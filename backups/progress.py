"""One learner's progress as a portable file.

`progress_export` gives their study settings, review log, card states, marks (flag, suspended,
buried) and changes made by hand (forget, set due date) as JSON-ready data
that names each prompt by its lesson, card and ordinal rather than by database ids, and
`progress_import` replaces a learner's progress with such data on any site with the same
content, reproducing every state and review exactly.

The file also carries the learner's practice tests and every answer they gave to a question
(`practice_tests`, `question_answers`), so the download holds all that is theirs. These are a
record, read by nobody's schedule: the import leaves a learner's practice tests and answers
as they are (a round trip of them is not built yet).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import reprlib
import zoneinfo
from collections import Counter, defaultdict
from dataclasses import dataclass, replace

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from flashcards.allowance import EXTRA_MAX
from flashcards.cards import CardSpec, content_key
from flashcards.models import (
    COUNTER_MAX,
    INTEGER_MAX,
    LEARN_AHEAD_RANGE,
    MAXIMUM_INTERVAL_RANGE,
    NEW_PER_DAY_MAX,
    RETENTION_RANGE,
    Card,
    ManualChange,
    PromptMark,
    PromptState,
    Review,
    StudySettings,
)
from flashcards.scheduling import DIFFICULTY_RANGE, STABILITY_MIN, Memory
from flashcards.selectors import Scope
from lessons.models import readable_topics
from portal.problems import Problem, ProblemList
from practice.models import Answer, Attempt, AttemptQuestion

FORMAT = "study-portal-progress"
FORMAT_VERSION = 1
PROMPT_CARD = "prompt__card__lesson"
# Integers longer than this are read as floats (infinity beyond 308 digits), which every
# parser then refuses with its place; Python refuses to convert over 4,300 digits at all.
LONGEST_INTEGER = 100


class ProgressInvalid(ProblemList):
    """The file cannot be imported; nothing was changed. Each problem says where it is in the
    file ("states[2].reps")."""


@dataclass(frozen=True)
class ProgressImported:
    reviews: int
    states: int
    settings: bool


def prompt_identity(prompt) -> dict:
    """A prompt as any site with the same content knows it: its lesson, its card (by the note's
    `id:` when it has one, and by its text) and its ordinal within the card."""
    card = prompt.card
    return {
        "lesson": card.lesson.slug,
        "card_key": card.key,
        "card_text": _card_text(card),
        "card_position": card.position,
        "ordinal": prompt.ordinal,
    }


def _card_text(card: Card) -> str:
    # What the importer calls content_key; admin-written cards leave that field empty.
    return content_key(CardSpec(kind=card.kind, front=card.front, back=card.back))


def progress_export(*, user, now: dt.datetime | None = None) -> dict:
    """The learner's study settings, review log (oldest first) and card states."""
    study_settings = StudySettings.objects.filter(user=user).first()
    reviews = Review.objects.filter(user=user).order_by("reviewed_at", "id")
    states = PromptState.objects.filter(user=user).order_by("prompt_id")
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "exported_at": (now or timezone.now()).isoformat(),
        "username": user.get_username(),
        "settings": (
            {name: _plain(getattr(study_settings, name)) for name in SETTINGS_PARSERS}
            if study_settings
            else None
        ),
        "reviews": [_row(r, REVIEW_PARSERS) for r in reviews.select_related(PROMPT_CARD)],
        "states": [_row(s, STATE_PARSERS) for s in states.select_related(PROMPT_CARD)],
        "marks": [
            _row(m, MARK_PARSERS)
            for m in PromptMark.objects.filter(user=user)
            .order_by("prompt_id")
            .select_related(PROMPT_CARD)
        ],
        "manual_changes": [
            _row(c, CHANGE_PARSERS)
            for c in ManualChange.objects.filter(user=user)
            .order_by("at", "id")
            .select_related(PROMPT_CARD)
        ],
        **_practice_export(user),
    }


def _practice_export(user) -> dict:
    """The learner's practice tests (oldest first, each with its questions in order) and
    their answers to questions, each answer naming its test by its place in the list."""
    tests = list(
        Attempt.objects.filter(user=user)
        .order_by("started_at", "id")
        .prefetch_related(
            Prefetch(
                "questions",
                queryset=AttemptQuestion.objects.order_by("position").select_related(PROMPT_CARD),
            )
        )
    )
    place = {attempt.pk: index for index, attempt in enumerate(tests)}
    answers = Answer.objects.filter(user=user).order_by("answered_at", "id")
    return {
        "practice_tests": [
            {
                **{name: _plain(getattr(attempt, name)) for name in PRACTICE_TEST_FIELDS},
                "questions": [
                    _row(question, ("position", "chosen", "flagged", "is_right"))
                    for question in attempt.questions.all()
                ],
            }
            for attempt in tests
        ],
        "question_answers": [
            {
                **_row(answer, ("content_hash", "chosen", "is_right", "source", "answered_at")),
                "test": place.get(answer.attempt_id),
            }
            for answer in answers.select_related(PROMPT_CARD)
        ],
    }


PRACTICE_TEST_FIELDS = (
    "scope",
    "title",
    "seconds_per_question",
    "started_at",
    "deadline",
    "submitted_at",
    "question_count",
    "right_count",
)


def progress_read(text: str):
    """The data in a progress file's text, read so that odd values reach `progress_import`,
    which says where each is: NaN and Infinity as floats, integers too long to be counts as
    floats. Raises ProgressInvalid for JSON nested too deeply to read, and ValueError
    (json.JSONDecodeError) for text that is not JSON.
    """
    try:
        return json.loads(text, parse_int=_integer)
    except RecursionError:
        raise ProgressInvalid.one(
            f"the JSON nests deeper than {DEEPEST} levels here, too deep to read (a progress "
            "file nests 5).",
            line=_deep_line(text),
        ) from None


# Found only once the JSON failed to read, so that a file of normal depth is not scanned twice.
DEEPEST = 100
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]')


def _deep_line(text: str) -> int | None:
    """The line where the JSON first nests deeper than DEEPEST levels (strings skipped)."""
    depth = 0
    for token in _TOKEN.finditer(text):
        if token[0] in "[{":
            depth += 1
            if depth > DEEPEST:
                return text.count("\n", 0, token.start()) + 1
        elif token[0] in "]}":
            depth -= 1
    return None


def _integer(digits: str) -> int | float:
    return int(digits) if len(digits) <= LONGEST_INTEGER else float(digits)


def _row(instance, names) -> dict:
    return {
        "prompt": prompt_identity(instance.prompt),
        **{name: _plain(getattr(instance, name)) for name in names},
    }


def _plain(value):
    return value.isoformat() if isinstance(value, dt.date) else value


@transaction.atomic
def progress_import(*, user, data) -> ProgressImported:
    """Replace the learner's settings, review log and card states with those in `data`.

    Replaces rather than merges: the log and the states are one history, and two histories of
    the same card cannot be interleaved into one that FSRS would have produced. Every problem
    (format, values, prompts this site does not have) is reported before anything is written.
    """
    problems: list[Problem] = []
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ProgressInvalid.one("This is not a progress file exported by `export_progress`.")
    if data.get("version") != FORMAT_VERSION:
        raise ProgressInvalid.one(
            f"This file is format version {_shown(data.get('version'))}; this site reads version "
            f"{FORMAT_VERSION}."
        )
    data = {**SECTIONS_ADDED_LATER, **data}
    for section in ("reviews", "states", *SECTIONS_ADDED_LATER):
        if not isinstance(data.get(section), list):
            problems.append(Problem("expected a list.", where=section))
    if data.get("settings") is not None and not isinstance(data["settings"], dict):
        problems.append(Problem("expected an object or null.", where="settings"))
    if problems:
        raise ProgressInvalid(problems)

    rows = [*data["reviews"], *data["states"], *data["marks"], *data["manual_changes"]]
    prompts = PromptFinder([row.get("prompt") for row in rows if isinstance(row, dict)], user)
    settings = None
    if data["settings"] is not None:
        given = {**SETTINGS_ADDED_LATER, **data["settings"]}
        values = _parse(given, SETTINGS_PARSERS, "settings", problems)
        settings = StudySettings(user=user, **values)

    def section_rows(model, section: str, parsers: dict) -> list:
        return [
            model(user=user, prompt_id=prompt_id, **values)
            for prompt_id, values in _parse_rows(data[section], section, parsers, prompts, problems)
        ]

    reviews = section_rows(Review, "reviews", REVIEW_PARSERS)
    states = section_rows(PromptState, "states", STATE_PARSERS)
    marks = section_rows(PromptMark, "marks", MARK_PARSERS)
    changes = section_rows(ManualChange, "manual_changes", CHANGE_PARSERS)
    for section, found in (("states", states), ("marks", marks)):
        problems += [
            Problem(f"{count} {section} for one prompt (#{prompt_id} here).", where=section)
            for prompt_id, count in Counter(row.prompt_id for row in found).items()
            if count > 1
        ]
    if problems:
        raise ProgressInvalid(problems)

    StudySettings.objects.filter(user=user).delete()
    Review.objects.filter(user=user).delete()
    PromptState.objects.filter(user=user).delete()
    PromptMark.objects.filter(user=user).delete()
    ManualChange.objects.filter(user=user).delete()
    if settings is not None:
        settings.save()
    Review.objects.bulk_create(reviews)  # in the file's order, so ids keep the log's order
    PromptState.objects.bulk_create(states)
    PromptMark.objects.bulk_create(marks)
    ManualChange.objects.bulk_create(changes)
    return ProgressImported(reviews=len(reviews), states=len(states), settings=bool(settings))


class PromptFinder:
    """Finds this site's prompt for each identity in a file, with the cards loaded at once.

    Only in the site's lessons and `user`'s own private ones: another learner's private
    prompt reads as one this site does not have, so an import neither attaches history to
    it nor tells whether it exists. Drafts stay in: a restore brings back the history of a
    lesson that was unpublished since."""

    def __init__(self, identities: list, user) -> None:
        lessons = {i.get("lesson") for i in identities if isinstance(i, dict)}
        self.by_key: dict[tuple, Card] = {}
        self.by_text: dict[tuple, list[Card]] = defaultdict(list)
        cards = Card.objects.filter(
            readable_topics(user, "lesson__topic__"),
            lesson__slug__in=[s for s in lessons if isinstance(s, str)],
        )
        for card in cards.select_related("lesson").prefetch_related("prompts"):
            if card.key:
                self.by_key[card.lesson.slug, card.key] = card
            self.by_text[card.lesson.slug, _card_text(card)].append(card)

    def find(self, identity) -> int:
        """The prompt's id here. Raises ValueError saying what is missing."""
        if not (
            isinstance(identity, dict)
            and isinstance(identity.get("lesson"), str)
            and isinstance(identity.get("ordinal"), int)
        ):
            raise ValueError("the prompt is not named (lesson, card_key or card_text, ordinal).")
        lesson = identity["lesson"]
        card = self.by_key.get((lesson, _text(identity.get("card_key"))))
        if card is None:
            same_text = self.by_text.get((lesson, _text(identity.get("card_text"))), [])
            card = (
                same_text[0]
                if len(same_text) == 1
                else next(
                    (c for c in same_text if c.position == identity.get("card_position")), None
                )
            )
        prompt = card and next(
            (p for p in card.prompts.all() if p.ordinal == identity["ordinal"]), None
        )
        if prompt is None:
            raise ValueError(f"this site has no prompt {self.describe(identity)}.")
        return prompt.pk

    @staticmethod
    def describe(identity) -> str:
        if not isinstance(identity, dict):
            return _shown(identity)
        key, text = _text(identity.get("card_key")), _text(identity.get("card_text"))
        card = key or f"with text {text[:8]}..."
        return f"{identity.get('ordinal')} of card {card} in lesson {identity.get('lesson')!r}"


def _text(value) -> str:
    # Strings as they are, anything else quoted short (it may be nested deep).
    return value if isinstance(value, str) else _shown(value)


def _parse_rows(
    rows: list, section: str, parsers: dict, prompts: PromptFinder, problems: list[Problem]
):
    for index, row in enumerate(rows):
        where = f"{section}[{index}]"
        if not isinstance(row, dict):
            problems.append(Problem("expected an object.", where=where))
            continue
        try:
            prompt_id = prompts.find(row.get("prompt"))
        except ValueError as error:
            problems.append(Problem(str(error), where=where))
            continue
        before = len(problems)
        values = _parse(row, parsers, where, problems)
        if len(problems) == before:
            yield prompt_id, values


def _parse(row: dict, parsers: dict, where: str, problems: list[Problem]) -> dict:
    values = {}
    for name, parse in parsers.items():
        if name not in row:
            problems.append(Problem("missing.", where=f"{where}.{name}"))
            continue
        place = f"{where}.{name}" if where else name
        try:
            values[name] = parse(row[name])
        except ProgressInvalid as inner:  # problems inside an object, each at its own place
            problems += [replace(p, where=f"{place}.{p.where}") for p in inner.problems]
        except (TypeError, ValueError, KeyError, OverflowError) as error:
            message = f"{error or 'not valid'} (got {_shown(row[name])})."
            problems.append(Problem(message, where=place))
    if "stability" in parsers and {"state", "stability", "difficulty"} <= values.keys():
        remembered = values["state"] in (PromptState.State.REVIEW, PromptState.State.RELEARNING)
        if remembered and (values["stability"] is None or values["difficulty"] is None):
            # FSRS schedules a card it has seen from these two; only a learning card may lack them.
            message = "a Review or Relearning state needs a stability and a difficulty."
            problems.append(Problem(message, where=f"{where}.stability" if where else "stability"))
    # A manual change's due date goes with its kind (the table's check constraint).
    rescheduled = values.get("kind") == ManualChange.Kind.RESCHEDULE
    if "kind" in values and "due" in values and rescheduled != (values["due"] is not None):
        message = "a reschedule needs a due date, and a forget has none."
        problems.append(Problem(message, where=f"{where}.due"))
    return values


# A bad value is quoted short and shallow: it may be a long string or a deeply nested list.
_shown = reprlib.Repr(maxlevel=2, maxstring=40, maxother=40, maxlong=40).repr


def _fsrs_parameters(value) -> list[float]:
    """FSRS's 21 parameters, each within the bounds py-fsrs accepts."""
    if not isinstance(value, list) or len(value) != len(LOWER_BOUNDS_PARAMETERS):
        raise ValueError(f"expected a list of {len(LOWER_BOUNDS_PARAMETERS)} numbers")
    for index, (number, low, high) in enumerate(
        zip(value, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True)
    ):
        try:
            _number(low, high)(number)
        except ValueError as error:
            raise ValueError(f"parameter {index}: {error}") from None
    return [float(number) for number in value]


def _optional(parse):
    return lambda value: None if value is None else parse(value)


def _between(low: int, high: int):
    """A whole number from `low` to `high` (the column's or the setting's bounds)."""

    def parse(value) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ValueError(f"expected a whole number from {low} to {high}")
        return value

    return parse


SCOPES_MAX = 1000  # scopes with new-card settings of their own, far beyond the lessons and tags


def _scope_new_cards(value) -> dict:
    """Per-scope new-card settings (flashcards/allowance.py): each key a scope as the study
    page writes it, each value a limit and today's extra cards within the form's bounds."""
    if not isinstance(value, dict) or len(value) > SCOPES_MAX:
        raise ValueError(f"expected an object of at most {SCOPES_MAX} scopes")
    for scope, settings in value.items():
        if str(Scope.parse(scope)) != scope or Scope.parse(scope).is_custom:
            raise ValueError(f"{_shown(scope)} is not a scope")
        if not isinstance(settings, dict) or not settings.keys() <= {"limit", "extra", "extra_day"}:
            raise ValueError(f"scope {scope}: expected limit, extra and extra_day")
        if settings.get("limit") is not None:
            _between(0, NEW_PER_DAY_MAX)(settings["limit"])
        _between(0, EXTRA_MAX)(settings.get("extra", 0))
        if settings.get("extra_day") is not None:
            dt.date.fromisoformat(settings["extra_day"])
    return value


def _flag(value) -> bool:
    if not isinstance(value, bool):
        raise ValueError("expected true or false")
    return value


def _one_of(choices: list[str]):
    def parse(value) -> str:
        if value not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}")
        return value

    return parse


def _number(low: float, high: float = math.inf):
    """A finite number from `low` to `high`: NaN and infinities break FSRS's maths."""

    def parse(value) -> float:
        if (
            not isinstance(value, int | float)
            or isinstance(value, bool)
            or not math.isfinite(value)
            or not low <= value <= high
        ):
            span = f"from {low} to {high}" if high < math.inf else f"of at least {low}"
            raise ValueError(f"expected a finite number {span}")
        return value

    return parse


def _moment(value) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("expected a time with its UTC offset")
    moment.astimezone(dt.UTC)  # raises OverflowError at the ends of the calendar
    return moment


def _memory(value) -> dict:
    """A memory as the review log stores it (Memory.to_json), each field checked as a state's."""
    if not isinstance(value, dict) or set(value) != set(MEMORY_PARSERS):
        raise ValueError(f"expected an object with {', '.join(MEMORY_PARSERS)}")
    problems: list[Problem] = []
    _parse(value, MEMORY_PARSERS, "", problems)
    if problems:
        raise ProgressInvalid(problems)
    return value


def _time_zone(value) -> str:
    if value not in zoneinfo.available_timezones():  # the settings form's choices
        raise ValueError("expected a time zone name")
    return value


_count = _between(0, INTEGER_MAX)  # a PositiveIntegerField
_counter = _between(0, COUNTER_MAX)  # one that grading increases
STATES = _between(min(PromptState.State.values), max(PromptState.State.values))
SETTINGS_PARSERS = {
    "desired_retention": _number(*RETENTION_RANGE),
    "maximum_interval": _between(*MAXIMUM_INTERVAL_RANGE),
    "new_per_day": _between(0, NEW_PER_DAY_MAX),
    "learn_ahead_minutes": _between(*LEARN_AHEAD_RANGE),
    "bury_new_siblings": _flag,
    "bury_review_siblings": _flag,
    "time_zone": _time_zone,
    "exam_date": _optional(dt.date.fromisoformat),
    "fsrs_parameters": _optional(_fsrs_parameters),
    "scope_new_cards": _scope_new_cards,
}
# Settings that files exported before they existed lack: such a file imports with the default.
SETTINGS_ADDED_LATER = {
    "learn_ahead_minutes": StudySettings._meta.get_field("learn_ahead_minutes").default,
    "fsrs_parameters": None,
    "scope_new_cards": {},
    "bury_new_siblings": StudySettings._meta.get_field("bury_new_siblings").default,
    "bury_review_siblings": StudySettings._meta.get_field("bury_review_siblings").default,
}
REVIEW_PARSERS = {
    "rating": _between(min(Review.Rating.values), max(Review.Rating.values)),
    "reviewed_at": _moment,
    "duration_ms": _optional(_count),
    "interval_days": _optional(_count),
    "state_before": _optional(STATES),
    "state_after": STATES,
    "before": _optional(_memory),
    "after": _memory,
}
STATE_PARSERS = {
    "state": STATES,
    "step": _optional(_between(0, 32767)),  # a PositiveSmallIntegerField
    "stability": _optional(_number(STABILITY_MIN)),
    "difficulty": _optional(_number(*DIFFICULTY_RANGE)),
    "due": _moment,
    "last_review": _optional(_moment),
    "reps": _counter,
    "lapses": _counter,
    "version": _counter,
}
MEMORY_PARSERS = {name: STATE_PARSERS[name] for name in Memory.__dataclass_fields__}
MARK_PARSERS = {
    "flag": _between(min(PromptMark.Flag.values), max(PromptMark.Flag.values)),
    "suspended": _flag,
    "buried_until": _optional(_moment),
}
CHANGE_PARSERS = {
    "kind": _one_of(ManualChange.Kind.values),
    "at": _moment,
    "due": _optional(_moment),
}
# Sections that files exported before they existed lack: such a file imports with none.
SECTIONS_ADDED_LATER = {"marks": [], "manual_changes": []}
