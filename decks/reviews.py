"""Reviews done in Anki, brought back into a learner's log and FSRS states (issue 16, item 3).

A learner uploads their Anki collection (`.colpkg`) or a deck exported with its scheduling
(`.apkg`). Each Anki card is found again by its note's GUID (`decks.guids.card_guid`, as the
export wrote it) and its ordinal (the portal prompt's ordinal less one), among the prompts the
learner may study (`studyable_prompts`): another learner's private card is never matched. Each
answer in Anki's review log of a matched card becomes a `Review` of the learner, named by its
Anki id (the review's moment in milliseconds), so that uploading again adds nothing.

Then every prompt that gained reviews is replayed through FSRS from its merged log, the
portal's reviews and Anki's in time order, with the learner's own parameters
(`flashcards.grading.replay_prompt`, the replay `states_rebuild` makes): each new review's
memory before and after is what a portal grade would have logged, the portal's own reviews
keep the due dates the learner was given, and an Anki answer gets the due date FSRS gives,
unfuzzed. The states written are those `states_rebuild` would write from the log.

Reading the package and replaying take seconds for a large collection, so they run outside
any transaction (`plan_anki_reviews`); the write (`apply_anki_reviews`) is one short
transaction that first checks that nothing the plan read has changed since (a grade in another
tab, an undo, a change in My cards, another upload) and otherwise refuses, saving nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from decks.guids import card_guid
from decks.reading import Package
from flashcards.days import local_date
from flashcards.grading import (
    MAX_COUNTED_DURATION_MS,
    replay_prompt,
    review_entry,
    scheduler_for,
    store_memory,
)
from flashcards.models import (
    INTEGER_MAX,
    Card,
    ManualChange,
    NewAgain,
    Prompt,
    PromptState,
    Review,
    StudySettings,
)
from flashcards.scheduling import Memory, review
from flashcards.selectors import study_settings_for

logger = logging.getLogger(__name__)

# Anki's review log kinds (revlog.type) that are answers: learning, review, relearning, and a
# review in a filtered deck. The others are changes by hand ("Set due date", "Forget": kind 4)
# and rescheduling (kind 5), which carry no answer (ease 0).
ANSWER_KINDS = frozenset({0, 1, 2, 3})
ANKI_REVIEW_KIND = 1
ANKI_FILTERED_KIND = 3
# Anki was first released in 2006: a review dated before is a damaged or forged log.
ANKI_EPOCH = dt.datetime(2006, 1, 1, tzinfo=dt.UTC)
# The reviews one upload replays through FSRS at most: its new answers, and every review
# logged before of the prompts they touch (each such prompt is replayed whole). Replaying costs
# about a quarter of a millisecond a review here, so this bounds an upload's request to
# seconds, not the minutes years of history in one file would take. New answers past it wait,
# the oldest going first, for the next upload of the same file (each answer is added once, so
# uploading again goes on where this stopped). A prompt with this many reviews logged already
# (no learner reviews one card that often) takes no more from Anki.
MAX_REPLAYED_REVIEWS = 20_000
# IN lists are sent in chunks this long: SQLite limits the variables of one statement.
_CHUNK = 900

STUDIED_MEANWHILE = (
    "Your cards changed while this file was being read (a grade in another tab, an undo, a "
    "change in My cards, or another upload): nothing was saved. Upload the file again."
)


class StudiedMeanwhile(Exception):
    """The learner's log or states changed between the plan and its write: nothing saved."""

    def __str__(self) -> str:
        return STUDIED_MEANWHILE


@dataclass(frozen=True)
class ReviewsCount:
    """What an upload found, as the result page reports it."""

    added: int = 0
    duplicates: int = 0  # already in the log (an earlier upload, or the same moment)
    unmatched: int = 0  # answers of cards not from this portal, or not studyable by the learner
    not_answers: int = 0  # Anki's changes by hand and reschedules: no answer to replay
    out_of_range: int = 0  # dated in the future or before Anki existed
    later: int = 0  # new answers past MAX_REPLAYED_REVIEWS: the next upload adds them
    over_limit: int = 0  # answers of a prompt with MAX_REPLAYED_REVIEWS reviews logged already
    prompts: int = 0  # the prompts whose schedules were rebuilt
    days: tuple[dt.date, ...] = ()  # the learner's days the added reviews fall on, in order

    @property
    def left_out(self) -> int:
        return self.not_answers + self.out_of_range + self.over_limit

    @property
    def first_day(self) -> dt.date | None:
        return self.days[0] if self.days else None

    @property
    def last_day(self) -> dt.date | None:
        return self.days[-1] if self.days else None


@dataclass
class ReviewsPlan:
    """Everything to write, computed without a transaction, and what it was computed from."""

    user: object
    count: ReviewsCount
    new_reviews: list[Review] = field(default_factory=list)
    changed_reviews: list[Review] = field(default_factory=list)  # existing rows, refilled
    # The touched prompts' states as the replay leaves them; the write replaces the old ones.
    states: list[PromptState] = field(default_factory=list)
    touched: list[int] = field(default_factory=list)  # prompts with new reviews: replayed
    # What the plan read, checked again under locks before writing: every answered prompt's.
    seen_versions: dict[int, tuple[int | None, int | None]] = field(default_factory=dict)
    seen_last_change: int = 0


def anki_reviews_import(*, user, package: Package, now: dt.datetime | None = None) -> ReviewsCount:
    """Plan, then write, the Anki reviews in `package` for `user`. Raises StudiedMeanwhile
    (nothing saved) when the learner's cards changed between the two; PackageError from
    reading a damaged package (nothing saved)."""
    plan = plan_anki_reviews(user=user, package=package, now=now)
    apply_anki_reviews(plan)
    return plan.count


def studyable_guids(user) -> dict[tuple[str, int], int]:
    """{(Anki note GUID, Anki card ordinal): prompt id} for every prompt `user` may study."""
    rows = Prompt.objects.studyable(user).values_list(
        "id", "ordinal", "card_id", "card__key", "card__lesson__slug"
    )
    guids: dict[tuple[int, str, str], str] = {}
    found = {}
    for prompt_id, ordinal, card_id, key, slug in rows.iterator(chunk_size=2000):
        guid = guids.get((card_id, key, slug))
        if guid is None:
            # card_guid reads only the card's key and row id: no need to load the row.
            guid = guids[(card_id, key, slug)] = card_guid(Card(pk=card_id, key=key), slug)
        found[(guid, ordinal - 1)] = prompt_id
    return found


def plan_anki_reviews(*, user, package: Package, now: dt.datetime | None = None) -> ReviewsPlan:
    """Read the package's answers of matched cards and replay the prompts they touch. Reads
    the database (no transaction, no lock); writes nothing."""
    now = now or timezone.now()
    matched = studyable_guids(user)
    prompt_of_card = {}
    for card_id, guid, ordinal in package.card_guids():
        prompt_id = matched.get((str(guid), ordinal))
        if prompt_id is not None:
            prompt_of_card[card_id] = prompt_id

    unmatched = not_answers = out_of_range = 0
    answers: list[tuple[int, object]] = []  # (prompt id, Anki review)
    newest_allowed = int(now.timestamp() * 1000)
    oldest_allowed = int(ANKI_EPOCH.timestamp() * 1000)
    for row in package.reviews():
        if row.kind not in ANSWER_KINDS or row.ease not in Review.Rating.values:
            not_answers += 1
        elif row.kind == ANKI_FILTERED_KIND and row.factor == 0:
            # Cramming or previewing in a filtered deck that does not reschedule: Anki's own
            # FSRS leaves these out of a card's history, as they changed no schedule.
            not_answers += 1
        elif not oldest_allowed <= row.id <= newest_allowed:
            out_of_range += 1
        elif row.card_id not in prompt_of_card:
            unmatched += 1
        else:
            answers.append((prompt_of_card[row.card_id], row))

    study_settings = study_settings_for(user)
    prompt_ids = sorted({prompt_id for prompt_id, _ in answers})
    plan = ReviewsPlan(user=user, count=ReviewsCount())
    # What the write checks, read before the log and states it guards: a grade landing after
    # this read changes a version, so the write sees it, even if the log below includes it.
    plan.seen_versions = _versions(user, prompt_ids)
    plan.seen_last_change = _last_change(user)
    existing_ids = _existing_anki_ids(user, [row.id for _, row in answers])
    logged = _reviews_of(user, prompt_ids)
    # A review at the same moment (to the millisecond) as one already logged for the prompt is
    # that review: brought back once before and then restored from a progress file, say,
    # which keeps the moments but not the Anki ids.
    moments = {(r.prompt_id, _millis(r.reviewed_at)) for rows in logged.values() for r in rows}
    duplicates = 0
    fresh = []
    for prompt_id, row in answers:
        if row.id in existing_ids or (prompt_id, row.id) in moments:
            duplicates += 1
        else:
            fresh.append((prompt_id, row))
    # The package's log is read in time order (`Package.reviews`): the oldest come first, so
    # the answers left for the next upload are all later than those replayed now.
    later = over_limit = replayed = 0
    new_by_prompt: dict[int, list[Review]] = defaultdict(list)
    for index, (prompt_id, row) in enumerate(fresh):
        history = len(logged.get(prompt_id, ()))
        if history >= MAX_REPLAYED_REVIEWS:
            over_limit += 1
            continue
        cost = 1 if prompt_id in new_by_prompt else 1 + history
        if replayed + cost > MAX_REPLAYED_REVIEWS:
            later = sum(
                len(logged.get(other, ())) < MAX_REPLAYED_REVIEWS for other, _ in fresh[index:]
            )
            over_limit += len(fresh) - index - later
            break
        replayed += cost
        new_by_prompt[prompt_id].append(_anki_review(user, prompt_id, row))

    touched = plan.touched = sorted(new_by_prompt)
    _replay_into(plan, study_settings, touched, logged, new_by_prompt)
    added = plan.new_reviews
    days = sorted({local_date(r.reviewed_at, study_settings.time_zone) for r in added})
    plan.count = ReviewsCount(
        added=len(added),
        duplicates=duplicates,
        unmatched=unmatched,
        not_answers=not_answers,
        out_of_range=out_of_range,
        later=later,
        over_limit=over_limit,
        prompts=len(touched),
        days=tuple(days),
    )
    return plan


def _replay_into(plan: ReviewsPlan, study_settings: StudySettings, touched, logged, new_by_prompt):
    """Replay each touched prompt's merged log; fill the plan's reviews and states."""
    user = plan.user
    scheduler = scheduler_for(study_settings, fuzz=False)  # the scheduler states_rebuild uses
    capped = _CappedSchedulers(study_settings)
    changes = defaultdict(list)
    for chunk in _chunks(touched):
        for change in ManualChange.objects.filter(user=user, prompt_id__in=chunk):
            changes[change.prompt_id].append(change)
    states = {}
    for chunk in _chunks(touched):
        for state in PromptState.objects.filter(user=user, prompt_id__in=chunk):
            states[state.prompt_id] = state

    def due_of(entry: Review, before: Memory | None, after: Memory) -> dt.datetime:
        if entry.anki_id is None:
            return Memory.from_json(entry.after).due  # the portal's: the date it gave
        # An Anki answer: the due date FSRS gives, unfuzzed, short of the exam day as a
        # grade in the portal on that day would have been.
        return capped.due(before, entry, after)

    for prompt_id in touched:
        reviews = logged.get(prompt_id, []) + new_by_prompt[prompt_id]
        replayed = replay_prompt(
            reviews, changes.get(prompt_id, []), scheduler, prompt_id, due_of=due_of
        )
        for entry, before, after in replayed.steps:
            filled = _fill(entry, before, after)
            if entry.pk is None:
                plan.new_reviews.append(entry)
            elif filled:
                plan.changed_reviews.append(entry)
        current_version = _current_version(plan.seen_versions.get(prompt_id, (None, None)))
        state = states.get(prompt_id)
        if replayed.memory is None:
            continue  # forgotten in My cards after these reviews: new, no state (as rebuilt)
        if state is None:
            state = PromptState(user=user, prompt_id=prompt_id)
        store_memory(state, replayed.memory)
        # Higher than any version a page was shown at, so a grade shown before this upload
        # is a repeat (grade_submit), and at least the log's count, as states_rebuild keeps it.
        state.version = max(replayed.version, current_version + 1)
        plan.states.append(state)
    plan.new_reviews.sort(key=lambda r: (r.reviewed_at, r.prompt_id))


class _CappedSchedulers:
    """FSRS as a grade on a given day would have scheduled: the learner's maximum interval,
    shortened before their exam day (`scheduler_for(now=...)`), one scheduler per cap."""

    def __init__(self, study_settings: StudySettings):
        self.study_settings = study_settings
        self._by_moment: dict[dt.date, object] = {}

    def due(self, before: Memory | None, entry: Review, after: Memory) -> dt.datetime:
        if self.study_settings.exam_date is None:
            return after.due  # nothing shortens it: the replay's own scheduler gave it
        day = local_date(entry.reviewed_at, self.study_settings.time_zone)
        scheduler = self._by_moment.get(day)
        if scheduler is None:
            scheduler = scheduler_for(self.study_settings, now=entry.reviewed_at, fuzz=False)
            self._by_moment[day] = scheduler
        return review(before, entry.rating, entry.reviewed_at, scheduler, entry.prompt_id).due


def _fill(entry: Review, before: Memory | None, after: Memory) -> bool:
    """Give a review the memory before and after it that the replay found, as `review_entry`
    fills a grade's; True when that changed a logged row."""
    filled = review_entry(
        user=entry.user,
        prompt_id=entry.prompt_id,
        rating=entry.rating,
        reviewed_at=entry.reviewed_at,
        before=before,
        after=after,
        duration_ms=entry.duration_ms,
    )
    names = ("state_before", "state_after", "before", "after")
    # An Anki answer in review keeps the interval Anki's log gave it (`_anki_review`).
    if entry.anki_id is None or (entry.pk is None and entry._anki_interval is None):
        names += ("interval_days",)
    changed = False
    for name in names:
        value = getattr(filled, name)
        if getattr(entry, name) != value:
            setattr(entry, name, value)
            changed = True
    return changed


def _anki_review(user, prompt_id: int, row) -> Review:
    """An unsaved Review for one of Anki's answers; its memories are filled by the replay."""
    entry = Review(
        user=user,
        prompt_id=prompt_id,
        rating=row.ease,
        reviewed_at=dt.datetime.fromtimestamp(row.id / 1000, tz=dt.UTC),
        duration_ms=min(max(row.time_ms, 0), MAX_COUNTED_DURATION_MS),
        anki_id=row.id,
    )
    # For an answer in review, Anki's own record of the interval the card had been given (in
    # days when positive): the interval the learner actually waited, which "mature" counts.
    interval = row.last_interval if row.kind == ANKI_REVIEW_KIND and row.last_interval > 0 else None
    entry._anki_interval = interval
    entry.interval_days = min(interval, INTEGER_MAX) if interval is not None else None
    return entry


def _millis(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


def _chunks(values: list) -> list[list]:
    return [values[start : start + _CHUNK] for start in range(0, len(values), _CHUNK)]


def _existing_anki_ids(user, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    found = Review.objects.filter(
        user=user, anki_id__gte=min(ids), anki_id__lte=max(ids)
    ).values_list("anki_id", flat=True)
    return set(found)


def _reviews_of(user, prompt_ids: list[int]) -> dict[int, list[Review]]:
    logged: dict[int, list[Review]] = defaultdict(list)
    for chunk in _chunks(prompt_ids):
        for entry in Review.objects.filter(user=user, prompt_id__in=chunk).order_by(
            "reviewed_at", "id"
        ):
            logged[entry.prompt_id].append(entry)
    return logged


def _versions(user, prompt_ids: list[int]) -> dict[int, tuple[int | None, int | None]]:
    """{prompt id: (its state's version or None, its NewAgain version or None)}."""
    found: dict[int, list] = {prompt_id: [None, None] for prompt_id in prompt_ids}
    for chunk in _chunks(prompt_ids):
        states = PromptState.objects.filter(user=user, prompt_id__in=chunk)
        for prompt_id, version in states.values_list("prompt_id", "version"):
            found[prompt_id][0] = version
        again = NewAgain.objects.filter(user=user, prompt_id__in=chunk)
        for prompt_id, version in again.values_list("prompt_id", "version"):
            found[prompt_id][1] = version
    return {prompt_id: tuple(pair) for prompt_id, pair in found.items()}


def _current_version(seen: tuple[int | None, int | None]) -> int:
    """As `flashcards.selectors.version_of` reads it: the state's, else NewAgain's, else 0."""
    state_version, new_again_version = seen
    if state_version is not None:
        return state_version
    return new_again_version or 0


def _last_change(user) -> int:
    found = ManualChange.objects.filter(user=user).order_by("-id").values_list("id", flat=True)
    return found.first() or 0


def apply_anki_reviews(plan: ReviewsPlan) -> None:
    """Write the plan in one short transaction, or raise StudiedMeanwhile and write nothing.

    The learner's row is locked first (FOR NO KEY UPDATE, as `grade_submit` takes it for a new
    prompt's grade and `grade_undo` for every undo), so no new state, undo or other upload of
    theirs lands while this checks and writes; the touched states are locked (FOR UPDATE),
    queueing grades of those prompts behind it. SQLite's IMMEDIATE transaction serialises all
    of this already. If any version, or the learner's manual changes, differ from what the plan
    read, the replay is stale: refused. The unique (user, anki_id) constraint is the last word:
    two uploads of one file never both add a review.

    The statements are prepared before the transaction: Django's bulk_create and bulk_update
    spend most of their time building SQL (bulk_update writes a CASE per field and row), which
    made the write of 20,000 reviews and 2,000 states take 10 s; prepared, it takes a fraction
    of a second (docs/NOTES.md). The touched states are replaced (deleted and inserted), as
    `states_rebuild` replaces them; nothing refers to a state's row id.
    """
    if not plan.new_reviews:
        return
    user = plan.user
    touched = plan.touched
    checked = sorted(plan.seen_versions)
    inserts = _insert(Review, plan.new_reviews) + _insert(PromptState, plan.states)
    refill_sql, refills = _update(Review, plan.changed_reviews, _REFILLED)
    started = time.monotonic()
    try:
        with transaction.atomic():
            users = get_user_model().objects.select_for_update(no_key=True)
            users.filter(pk=user.pk).values("pk").first()
            for chunk in _chunks(checked):
                locked = PromptState.objects.select_for_update().filter(
                    user=user, prompt_id__in=chunk
                )
                list(locked.values_list("pk"))
            if _versions(user, checked) != plan.seen_versions:
                raise StudiedMeanwhile
            if _last_change(user) != plan.seen_last_change:
                raise StudiedMeanwhile
            for chunk in _chunks(touched):
                PromptState.objects.filter(user=user, prompt_id__in=chunk).delete()
            with connection.cursor() as cursor:
                for sql, params in inserts:
                    cursor.execute(sql, params)
                if refills:
                    cursor.executemany(refill_sql, refills)
    except IntegrityError:
        # Another upload of these reviews, or a first grade of one of these prompts, won the
        # race the checks above could not see (a PostgreSQL transaction that began before).
        raise StudiedMeanwhile from None
    logger.info(
        "anki reviews: write phase took %.3f s (%d reviews, %d states)",
        time.monotonic() - started,
        len(plan.new_reviews),
        len(plan.states),
    )


_REFILLED = ("state_before", "state_after", "before", "after", "interval_days")


def _insert(model, objects: list) -> list[tuple[str, list]]:
    """INSERTs of `objects` (unsaved rows of `model`), many rows a statement, with their
    parameters prepared as Django prepares them for this database (`get_db_prep_save`)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    head = "INSERT INTO {} ({}) VALUES ".format(
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    )
    one = "({})".format(", ".join(["%s"] * len(fields)))
    size = max(1, min(_BATCH, connection.ops.bulk_batch_size(fields, objects)))
    statements = []
    for start in range(0, len(objects), size):
        batch = objects[start : start + size]
        params = [
            f.get_db_prep_save(f.pre_save(obj, add=True), connection)
            for obj in batch
            for f in fields
        ]
        statements.append((head + ", ".join([one] * len(batch)), params))
    return statements


_BATCH = 500


def _update(model, objects: list, names: tuple[str, ...]) -> tuple[str, list[tuple]]:
    """An UPDATE of the fields `names` of saved rows of `model`, by primary key, prepared."""
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(model._meta.db_table),
        ", ".join(f"{quote(f.column)} = %s" for f in fields),
        quote(model._meta.pk.column),
    )
    rows = [
        (*(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields), obj.pk)
        for obj in objects
    ]
    return sql, rows
