"""Reviews done in Anki, brought back (decks/reviews.py): the issue's round trip."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
import zipfile

import pytest
from django.utils import timezone

from decks.guids import card_guid
from decks.package import build_package
from decks.reading import PackageError, open_package
from decks.reviews import (
    ANKI_EPOCH,
    StudiedMeanwhile,
    anki_reviews_import,
    apply_anki_reviews,
    plan_anki_reviews,
)
from decks.selectors import deck_export_for
from flashcards.grading import MAX_COUNTED_DURATION_MS, states_rebuild
from flashcards.models import (
    Card,
    ManualChange,
    Prompt,
    PromptMark,
    PromptState,
    Review,
    StudySettings,
)
from flashcards.scheduling import Memory
from flashcards.selectors import Scope
from tests.conftest import grade_now, make_card, make_lesson, make_topic, make_user
from tests.decks.anki_study import add_revlog, study_every_card, study_in_anki
from tests.decks.conftest import APKG, COLPKG, LEGACY_APKG, add_note, export, notes_by_guid

pytestmark = pytest.mark.django_db

BASE = "https://portal.example/"
DAY = dt.timedelta(days=1)


@pytest.fixture
def lesson():
    """A lesson with a basic, a reversed and a cloze card (two deletions)."""
    lesson = make_lesson(
        title="Backups", slug="backups", topic=make_topic(title="RDS & Aurora", slug="rds")
    )
    make_card(lesson=lesson, front="Kept how long?", back="1 to 35 days.", key="retention")
    make_card(lesson=lesson, kind=Card.Kind.REVERSED, front="Aurora cloning", back="Copy-on-write")
    make_card(
        lesson=lesson,
        kind=Card.Kind.CLOZE,
        front="Aurora MySQL from S3 needs {{c1::Percona XtraBackup::a tool}} and {{c2::S3}}.",
    )
    return lesson


def exported(user, scope="lesson:backups", *, schedule=True) -> bytes:
    result = deck_export_for(
        user=user, scope=Scope.parse(scope), base_url=BASE, with_schedule=schedule
    )
    return build_package(result.notes, now=timezone.now())


def states_of(user) -> dict[int, dict]:
    """Every field of the learner's states but the row id, by prompt."""
    rows = PromptState.objects.filter(user=user).order_by("prompt_id").values()
    return {row["prompt_id"]: {k: v for k, v in row.items() if k != "id"} for row in rows}


def assert_states_equal_a_rebuild(user):
    before = states_of(user)
    states_rebuild(user=user)
    assert states_of(user) == before


def bring_back(user, data: bytes, now=None):
    with open_package(data) as package:
        return anki_reviews_import(user=user, package=package, now=now)


def test_the_round_trip_export_study_in_anki_and_bring_back(
    lesson, learner, open_in_anki, tmp_path
):
    """The issue's quality bar: a lesson with all three card types, studied a little in the
    portal, exported with the learner's schedule, studied in Anki, exported from Anki as a
    whole collection and as a deck with scheduling; each brought back gives the same counts
    and states equal to a rebuild from the merged log."""
    start = timezone.now() - 4 * DAY
    basic = Prompt.objects.get(card__kind=Card.Kind.BASIC)
    grade_now(learner, basic, 3, start)  # the portal's own review, before the export
    collection = open_in_anki(exported(learner), with_scheduling=True)
    notes = notes_by_guid(collection)
    assert set(notes) == {card_guid(card, "backups") for card in Card.objects.all()}
    answered = study_every_card(collection, at=start + DAY)
    answered += study_in_anki(collection, at=start + 2 * DAY, answers=6, ratings=(1, 3))
    assert len(answered) >= 5  # every Anki card (basic, reversed twice, cloze twice) answered
    assert collection.db.scalar("SELECT count(DISTINCT cid) FROM revlog") == 5
    as_colpkg = export(collection, tmp_path, COLPKG)
    as_apkg = export(collection, tmp_path, APKG)

    counted = bring_back(learner, as_colpkg)

    assert counted.added == len(answered)
    assert counted.duplicates == counted.unmatched == counted.not_answers == 0
    assert counted.prompts == Prompt.objects.count() == 5
    moments = [dt.datetime.fromtimestamp(i / 1000, tz=dt.UTC) for i in answered]
    assert counted.days == tuple(sorted({moment.date() for moment in moments}))
    assert len(counted.days) >= 2
    imported = Review.objects.filter(user=learner, anki_id__isnull=False).order_by("reviewed_at")
    assert sorted(imported.values_list("anki_id", flat=True)) == sorted(answered)
    first = imported[0]
    assert first.reviewed_at == dt.datetime.fromtimestamp(first.anki_id / 1000, tz=dt.UTC)
    assert first.duration_ms == 8000
    assert PromptState.objects.filter(user=learner).count() == 5
    assert_states_equal_a_rebuild(learner)

    # The same reviews again, from the deck export with scheduling: all duplicates.
    again = bring_back(learner, as_apkg)
    assert (again.added, again.duplicates) == (0, len(answered))
    assert_states_equal_a_rebuild(learner)


@pytest.mark.parametrize("kind", [APKG, LEGACY_APKG, COLPKG])
def test_every_format_anki_writes_brings_its_reviews_back(
    kind, lesson, learner, open_in_anki, tmp_path
):
    collection = open_in_anki(exported(learner))
    answered = study_every_card(collection, at=timezone.now() - 2 * DAY)
    counted = bring_back(learner, export(collection, tmp_path, kind))
    assert counted.added == len(answered) > 0
    assert_states_equal_a_rebuild(learner)


def test_each_review_is_logged_as_a_portal_grade_would_be(lesson, learner, open_in_anki):
    """Memory before and after, and the due date FSRS gives unfuzzed: the same as grading
    the same ratings at the same moments in the portal."""
    collection = open_in_anki(exported(learner))
    at = timezone.now() - 3 * DAY
    study_in_anki(collection, at=at, answers=4, ratings=(3, 1))
    with open_package(_export_bytes(collection)) as package:
        anki_reviews_import(user=learner, package=package)
    twin = make_user()
    for entry in Review.objects.filter(user=learner).order_by("reviewed_at"):
        grade_now(twin, entry.prompt, entry.rating, entry.reviewed_at)
    mine = list(Review.objects.filter(user=learner).order_by("reviewed_at"))
    theirs = list(Review.objects.filter(user=twin).order_by("reviewed_at"))
    fields = ("prompt_id", "rating", "state_before", "state_after", "before", "after")
    assert [[getattr(r, f) for f in fields] for r in mine] == [
        [getattr(r, f) for f in fields] for r in theirs
    ]

    def without_user(states):
        return [{k: v for k, v in s.items() if k != "user_id"} for s in states.values()]

    assert without_user(states_of(learner)) == without_user(states_of(twin))


def _export_bytes(collection) -> bytes:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        return export(collection, Path(folder), APKG)


def test_uploading_twice_adds_nothing(lesson, learner, open_in_anki, tmp_path):
    collection = open_in_anki(exported(learner))
    study_every_card(collection, at=timezone.now() - DAY)
    data = export(collection, tmp_path, COLPKG)
    first = bring_back(learner, data)
    states = states_of(learner)
    log = list(Review.objects.filter(user=learner).values())
    second = bring_back(learner, data)
    assert second.added == 0 and second.duplicates == first.added
    assert states_of(learner) == states
    assert list(Review.objects.filter(user=learner).values()) == log


def test_a_long_history_comes_back_over_uploads_as_if_at_once(
    lesson, learner, open_in_anki, tmp_path, monkeypatch
):
    """One upload replays at most MAX_REPLAYED_REVIEWS reviews (its new answers and the earlier
    reviews of their prompts), the oldest answers first; the same file uploaded again adds the
    rest, and the learner's states end as one upload leaves them."""
    collection = open_in_anki(exported(learner))
    for day in (4, 3, 2):
        study_every_card(collection, at=timezone.now() - day * DAY)
    data = export(collection, tmp_path, COLPKG)
    total = collection.db.scalar("SELECT count() FROM revlog")
    most = collection.db.scalar("SELECT max(n) FROM (SELECT count() AS n FROM revlog GROUP BY cid)")
    other = make_user(username="all-at-once")
    whole = bring_back(other, data)
    assert whole.added == total and whole.later == 0

    limit = most + 1
    monkeypatch.setattr("decks.reviews.MAX_REPLAYED_REVIEWS", limit)
    uploads = []
    while not uploads or uploads[-1].later:
        uploads.append(bring_back(learner, data))
    assert len(uploads) > 2 and all(1 <= upload.added <= limit for upload in uploads)
    assert sum(upload.added for upload in uploads) == total
    assert uploads[0].later == total - uploads[0].added
    assert not any(upload.over_limit for upload in uploads)
    first = list(Review.objects.filter(user=learner).order_by("anki_id"))[: uploads[0].added]
    assert {r.anki_id for r in first} == set(
        Review.objects.filter(user=learner)
        .order_by("anki_id")
        .values_list("anki_id", flat=True)[: uploads[0].added]
    )
    drop = ("id", "user_id", "version")
    mine = [{k: v for k, v in row.items() if k not in drop} for row in states_of(learner).values()]
    theirs = [{k: v for k, v in row.items() if k not in drop} for row in states_of(other).values()]
    assert mine == theirs
    assert_states_equal_a_rebuild(learner)


def test_a_prompt_reviewed_past_the_limit_takes_no_more(lesson, learner, open_in_anki, monkeypatch):
    collection = open_in_anki(exported(learner))
    study_every_card(collection, at=timezone.now() - 2 * DAY)
    data = _export_bytes(collection)
    first = bring_back(learner, data)
    most = max(
        Review.objects.filter(user=learner, prompt=prompt).count()
        for prompt in Prompt.objects.all()
    )
    study_every_card(collection, at=timezone.now() - DAY)
    monkeypatch.setattr("decks.reviews.MAX_REPLAYED_REVIEWS", most)
    second = bring_back(learner, _export_bytes(collection))
    assert second.over_limit >= 1 and second.later == 0
    assert second.added + second.over_limit + second.duplicates == (
        collection.db.scalar("SELECT count() FROM revlog")
    )
    assert second.duplicates == first.added
    assert_states_equal_a_rebuild(learner)


def test_a_review_at_the_moment_of_one_logged_is_a_duplicate(lesson, learner, open_in_anki):
    """A log restored from a progress file keeps its reviews' moments but not their Anki ids:
    the same review uploaded again is still recognised."""
    collection = open_in_anki(exported(learner))
    study_in_anki(collection, at=timezone.now() - DAY, answers=2)
    data = _export_bytes(collection)
    bring_back(learner, data)
    Review.objects.filter(user=learner).update(anki_id=None)
    assert bring_back(learner, data).duplicates == 2


def test_cards_not_from_the_portal_are_unmatched(lesson, learner, anki_collection, tmp_path):
    add_note(anki_collection, "Basic", "Mine", "Own question", "Own answer")
    study_in_anki(anki_collection, at=timezone.now() - DAY, answers=1)
    counted = bring_back(learner, export(anki_collection, tmp_path, COLPKG))
    assert (counted.added, counted.unmatched) == (0, 1)
    assert not Review.objects.exists()


def test_another_learners_private_card_is_never_matched(learner, open_in_anki):
    owner = make_user()
    private = make_lesson(slug="theirs", topic=make_topic(owner=owner))
    make_card(lesson=private, front="Their secret", back="Theirs")
    collection = open_in_anki(exported(owner, "lesson:theirs"))
    answered = study_in_anki(collection, at=timezone.now() - DAY, answers=2)
    data = _export_bytes(collection)
    counted = bring_back(learner, data)
    assert (counted.added, counted.unmatched) == (0, len(answered)) == (0, 2)
    assert not Review.objects.filter(user=learner).exists()
    # Its owner brings the same reviews back.
    assert bring_back(owner, data).added == 2


def test_drafts_and_retired_cards_are_unmatched(lesson, learner, open_in_anki):
    collection = open_in_anki(exported(learner))
    study_every_card(collection, at=timezone.now() - DAY)
    Card.objects.filter(kind=Card.Kind.CLOZE).update(is_active=False)
    counted = bring_back(learner, _export_bytes(collection))
    assert counted.unmatched >= 2 and counted.added >= 3
    assert not Review.objects.filter(prompt__card__kind=Card.Kind.CLOZE).exists()


def test_changes_by_hand_and_impossible_dates_are_skipped(lesson, learner, open_in_anki):
    collection = open_in_anki(exported(learner))
    card_id = collection.db.scalar("SELECT min(id) FROM cards")
    now = timezone.now()
    add_revlog(collection, card_id, at=now - 3 * DAY, ease=3, kind=0)  # an answer
    add_revlog(collection, card_id, at=now - 2 * DAY, ease=0, kind=4)  # "Set due date"
    add_revlog(collection, card_id, at=now - 2 * DAY + dt.timedelta(seconds=1), ease=0, kind=5)
    add_revlog(collection, card_id, at=now + DAY, ease=3, kind=1)  # in the future
    add_revlog(collection, card_id, at=ANKI_EPOCH - DAY, ease=3, kind=1)  # before Anki
    add_revlog(collection, card_id, at=now - DAY, ease=3, kind=3)  # in a filtered deck
    # Cramming in a filtered deck that does not reschedule (Anki logs its ease factor as 0).
    add_revlog(collection, card_id, at=now - DAY / 2, ease=1, kind=3, factor=0)
    counted = bring_back(learner, _export_bytes(collection), now=now)
    assert (counted.added, counted.not_answers, counted.out_of_range) == (2, 3, 2)
    assert_states_equal_a_rebuild(learner)


def test_a_damaged_review_log_is_a_clear_error_and_saves_nothing(
    lesson, learner, open_in_anki, tmp_path
):
    """Text where Anki writes a number (Anki's own exporter would never write it: the file is
    edited after export)."""
    collection = open_in_anki(exported(learner))
    card_id = collection.db.scalar("SELECT min(id) FROM cards")
    add_revlog(collection, card_id, at=timezone.now() - DAY, ease=3, kind=1)
    with zipfile.ZipFile(io.BytesIO(export(collection, tmp_path, LEGACY_APKG))) as package:
        members = {name: package.read(name) for name in package.namelist()}
    path = tmp_path / "collection.anki21"
    path.write_bytes(members["collection.anki21"])
    connection = sqlite3.connect(path)
    connection.execute("UPDATE revlog SET time = 'soon'")
    connection.commit()
    connection.close()
    members["collection.anki21"] = path.read_bytes()
    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as package:
        for name, data in members.items():
            package.writestr(name, data)
    with pytest.raises(PackageError) as error:
        bring_back(learner, damaged.getvalue())
    assert "its review log is damaged" in str(error.value)
    assert not Review.objects.filter(user=learner).exists()


def test_durations_are_capped_as_the_portals_are(lesson, learner, open_in_anki):
    collection = open_in_anki(exported(learner))
    card_id = collection.db.scalar("SELECT min(id) FROM cards")
    revlog_id = add_revlog(collection, card_id, at=timezone.now() - DAY, ease=3, kind=0)
    collection.db.execute("UPDATE revlog SET time = ? WHERE id = ?", 3_600_000, revlog_id)
    bring_back(learner, _export_bytes(collection))
    assert Review.objects.get().duration_ms == MAX_COUNTED_DURATION_MS


def test_reviews_between_the_portals_are_replayed_in_time_order(lesson, learner, open_in_anki):
    """Anki's reviews that fall between the portal's: the portal's keep their due dates, the
    merged log replays in order, and an undo of the latest portal grade restores the state
    the merged log gives before it."""
    basic = Prompt.objects.get(card__kind=Card.Kind.BASIC)
    now = timezone.now()
    grade_now(learner, basic, 4, now - 10 * DAY)  # Easy: straight into review
    collection = open_in_anki(exported(learner, schedule=False))
    card_id = collection.db.scalar(
        "SELECT cards.id FROM cards JOIN notes ON notes.id = cards.nid WHERE notes.guid = ?",
        card_guid(basic.card, "backups"),
    )
    add_revlog(collection, card_id, at=now - 6 * DAY, ease=1, kind=1, ivl=-600, last=4)
    latest = grade_now(learner, basic, 4, now - 2 * DAY).review
    given_due = Memory.from_json(latest.after).due
    counted = bring_back(learner, _export_bytes(collection), now=now)
    assert counted.added == 1
    latest.refresh_from_db()
    assert Memory.from_json(latest.after).due == given_due  # the date the learner was given
    anki = Review.objects.get(anki_id__isnull=False)
    assert anki.interval_days == 4  # Anki's own record of the interval it had
    assert latest.before == anki.after  # refilled from the merged log
    assert PromptState.objects.get(user=learner, prompt=basic).lapses == 1
    assert_states_equal_a_rebuild(learner)


def test_manual_changes_keep_their_place_and_marks_stay(lesson, learner, open_in_anki):
    basic = Prompt.objects.get(card__kind=Card.Kind.BASIC)
    now = timezone.now()
    grade_now(learner, basic, 3, now - 10 * DAY)
    ManualChange.objects.create(
        user=learner,
        prompt=basic,
        kind=ManualChange.Kind.RESCHEDULE,
        at=now - 9 * DAY,
        due=now + 30 * DAY,
    )
    PromptState.objects.filter(user=learner, prompt=basic).update(due=now + 30 * DAY)
    PromptMark.objects.create(user=learner, prompt=basic, flag=2, suspended=True)
    collection = open_in_anki(exported(learner, schedule=False))
    card_id = collection.db.scalar("SELECT min(id) FROM cards")
    add_revlog(collection, card_id, at=now - 8 * DAY, ease=3, kind=1, ivl=10, last=3)
    assert bring_back(learner, _export_bytes(collection), now=now).added == 1
    assert_states_equal_a_rebuild(learner)
    mark = PromptMark.objects.get()
    assert (mark.flag, mark.suspended) == (2, True)


def test_due_dates_stop_short_of_the_exam_as_a_grade_would(lesson, learner, open_in_anki):
    now = timezone.now()
    StudySettings.objects.create(user=learner, exam_date=(now + 5 * DAY).date())
    collection = open_in_anki(exported(learner))
    card_id = collection.db.scalar("SELECT min(id) FROM cards")
    add_revlog(collection, card_id, at=now - DAY, ease=4, kind=0)
    bring_back(learner, _export_bytes(collection), now=now)
    state = PromptState.objects.get(user=learner)
    assert state.due.date() < (now + 5 * DAY).date()
    assert_states_equal_a_rebuild(learner)


def test_a_grade_meanwhile_refuses_the_write_and_nothing_is_saved(lesson, learner, open_in_anki):
    basic = Prompt.objects.get(card__kind=Card.Kind.BASIC)
    collection = open_in_anki(exported(learner))
    study_every_card(collection, at=timezone.now() - 2 * DAY)
    with open_package(_export_bytes(collection)) as package:
        plan = plan_anki_reviews(user=learner, package=package)
    grade_now(learner, basic, 3, timezone.now())  # studied in another tab meanwhile
    states = states_of(learner)
    with pytest.raises(StudiedMeanwhile, match="Upload the file again"):
        apply_anki_reviews(plan)
    assert not Review.objects.filter(anki_id__isnull=False).exists()
    assert states_of(learner) == states
    # Uploaded again, it is replayed with the grade in place.
    counted = bring_back(learner, _export_bytes(collection))
    assert counted.added == len(plan.new_reviews)
    assert_states_equal_a_rebuild(learner)


def test_two_uploads_at_once_add_each_review_once(lesson, learner, open_in_anki):
    collection = open_in_anki(exported(learner))
    study_every_card(collection, at=timezone.now() - DAY)
    data = _export_bytes(collection)
    with open_package(data) as one, open_package(data) as two:
        first = plan_anki_reviews(user=learner, package=one)
        second = plan_anki_reviews(user=learner, package=two)
    apply_anki_reviews(first)
    with pytest.raises(StudiedMeanwhile):
        apply_anki_reviews(second)
    assert Review.objects.filter(user=learner).count() == len(first.new_reviews)


def test_a_change_in_my_cards_meanwhile_refuses_the_write(lesson, learner, open_in_anki):
    cloze = Prompt.objects.filter(card__kind=Card.Kind.CLOZE).first()
    collection = open_in_anki(exported(learner))
    study_every_card(collection, at=timezone.now() - DAY)
    with open_package(_export_bytes(collection)) as package:
        plan = plan_anki_reviews(user=learner, package=package)
    ManualChange.objects.create(
        user=learner, prompt=cloze, kind=ManualChange.Kind.FORGET, at=timezone.now()
    )
    with pytest.raises(StudiedMeanwhile):
        apply_anki_reviews(plan)


def test_a_grade_while_the_log_is_read_is_never_lost(lesson, learner, open_in_anki, monkeypatch):
    """A grade landing just after the plan read the log: the versions were noted before the
    log, so the write sees the version moved and refuses, rather than replace the state that
    grade wrote with one replayed without it."""
    from decks import reviews

    basic = Prompt.objects.get(card__kind=Card.Kind.BASIC)
    collection = open_in_anki(exported(learner))
    study_every_card(collection, at=timezone.now() - 2 * DAY)
    read_log = reviews._reviews_of

    def read_then_grade(user, prompt_ids):
        log = read_log(user, prompt_ids)
        grade_now(learner, basic, 3, timezone.now())  # just after: the log read lacks it
        return log

    monkeypatch.setattr(reviews, "_reviews_of", read_then_grade)
    with open_package(_export_bytes(collection)) as package:
        plan = plan_anki_reviews(user=learner, package=package)
    with pytest.raises(StudiedMeanwhile):
        apply_anki_reviews(plan)
    assert Review.objects.filter(user=learner).count() == 1  # the grade, kept
