"""A learner's progress as a file: export, import, and the round trips that must be exact."""

from __future__ import annotations

import copy
import datetime as dt
import random
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from backups.progress import ProgressInvalid, progress_export, progress_import, progress_read
from flashcards.card_actions import DayRange, cards_forget, cards_reschedule
from flashcards.marks import marks_change
from flashcards.models import (
    Card,
    ManualChange,
    Prompt,
    PromptMark,
    PromptState,
    Review,
    StudySettings,
)
from flashcards.selectors import study_settings_for
from notes.services import NoteFile, notes_import
from practice.answers import answer_check, answer_log
from practice.models import Answer, Attempt
from practice.selectors import PracticeScope
from practice.services import answer_save, attempt_start, attempt_submit
from tests.backups.conftest import PERSONAL_PARAMETERS, START, progress_of, study
from tests.conftest import grade_now, make_card, make_user, study_for_days
from tests.notes.conftest import note_text
from tests.practice.conftest import three_option_questions

pytestmark = pytest.mark.django_db

CONTENT = Path(__file__).resolve().parents[2] / "content"


def wipe(user) -> None:
    for model in (Review, PromptState, StudySettings, PromptMark, ManualChange):
        model.objects.filter(user=user).delete()


def test_export_then_import_reproduces_every_field_of_every_state_and_review(studied):
    before = progress_of(studied)
    assert len(before["states"]) == 6 and len(before["reviews"]) > 10
    data = progress_export(user=studied)
    wipe(studied)

    imported = progress_import(user=studied, data=data)

    assert (imported.reviews, imported.states) == (len(before["reviews"]), 6)
    assert progress_of(studied) == before
    assert progress_export(user=studied, now=START) == {**data, "exported_at": START.isoformat()}


def test_new_card_settings_per_scope_round_trip_and_an_older_file_without_them_imports(studied):
    given = {"lesson:a": {"limit": 5}, "tag:b": {"limit": 2, "extra": 4, "extra_day": "2026-03-02"}}
    StudySettings.objects.filter(user=studied).update(scope_new_cards=given)
    data = progress_export(user=studied)
    other = make_user()
    progress_import(user=other, data=data)
    assert study_settings_for(other).scope_new_cards == given
    del data["settings"]["scope_new_cards"]
    progress_import(user=other, data=data)
    assert study_settings_for(other).scope_new_cards == {}


def test_marks_and_changes_by_hand_round_trip_and_an_older_file_without_them_imports(studied):
    prompts = sorted(PromptState.objects.filter(user=studied).values_list("prompt_id", flat=True))
    marks_change(user=studied, prompt_ids=prompts[:2], flag=PromptMark.Flag.GREEN)
    marks_change(user=studied, prompt_ids=prompts[1:3], suspended=True)
    marks_change(user=studied, prompt_ids=prompts[3:4], buried_until=START + dt.timedelta(days=1))
    cards_forget(user=studied, prompt_ids=prompts[4:5], now=START)
    cards_reschedule(user=studied, prompt_ids=prompts[5:6], days=DayRange(3, 3), now=START)
    before = progress_of(studied)
    assert len(before["marks"]) == 4 and len(before["manual_changes"]) == 2
    data = progress_export(user=studied)
    wipe(studied)

    progress_import(user=studied, data=data)

    assert progress_of(studied) == before
    for section in ("marks", "manual_changes"):  # a file exported before they existed
        del data[section]
    progress_import(user=studied, data=data)
    assert not PromptMark.objects.filter(user=studied).exists()
    assert not ManualChange.objects.filter(user=studied).exists()


def test_import_into_a_site_that_imported_the_same_notes_afresh(learner):
    """New card and prompt ids, as on a fresh database with content/ imported."""
    call_command("import_notes", str(CONTENT), stdout=StringIO())
    prompts = list(Prompt.objects.filter(card__lesson__slug="restore-paths").order_by("pk")[:8])
    assert {prompt.ordinal for prompt in prompts} == {1, 2}  # a reversed or cloze card among them
    study(learner, prompts)
    before = progress_of(learner)
    data = progress_export(user=learner)

    old_ids = set(Prompt.objects.values_list("pk", flat=True))
    Card.objects.all().delete()  # cascades to prompts, states and reviews
    call_command("import_notes", str(CONTENT), stdout=StringIO())
    assert not old_ids & set(Prompt.objects.values_list("pk", flat=True))
    progress_import(user=learner, data=data)

    assert progress_of(learner) == before


def test_an_exam_anchor_is_no_part_of_a_cards_identity(studied):
    # A site whose notes gave the cards exam lines since (or took them away) still knows them.
    before = progress_of(studied)
    data = progress_export(user=studied)
    assert not any("exam" in state["prompt"] for state in data["states"])
    Card.objects.update(exam="An exam anchor added after the export.")
    wipe(studied)
    progress_import(user=studied, data=data)
    assert progress_of(studied) == before


def test_import_into_another_account_leaves_the_exporter_alone(studied):
    other = make_user()
    before = progress_of(studied)
    progress_import(user=other, data=progress_export(user=studied))
    assert progress_of(other) == before == progress_of(studied)


def test_import_replaces_the_learners_progress_rather_than_merging(studied):
    data = progress_export(user=studied)
    elsewhere = make_card().prompts.get()
    study_for_days(studied, [elsewhere], start=START + dt.timedelta(days=30), days=1)
    progress_import(user=studied, data=data)
    assert not Review.objects.filter(user=studied, prompt=elsewhere).exists()
    assert not PromptState.objects.filter(user=studied, prompt=elsewhere).exists()


def test_unknown_prompts_are_refused_by_name_and_nothing_changes(studied):
    before = progress_of(studied)
    data = progress_export(user=studied)
    data["states"][0]["prompt"]["lesson"] = "no-such-lesson"
    data["reviews"][-1]["prompt"]["ordinal"] = 9
    with pytest.raises(ProgressInvalid) as refused:
        progress_import(user=studied, data=data)
    problems = refused.value.problems
    assert any(p.where == "states[0]" and "'no-such-lesson'" in p.message for p in problems)
    assert any(p.where == f"reviews[{len(data['reviews']) - 1}]" for p in problems)
    assert progress_of(studied) == before


def test_another_format_or_version_is_refused(studied):
    data = progress_export(user=studied)
    with pytest.raises(ProgressInvalid, match="format version 2; this site reads version 1"):
        progress_import(user=studied, data={**data, "version": 2})
    with pytest.raises(ProgressInvalid, match="not a progress file"):
        progress_import(user=studied, data={"reviews": []})


def test_bad_values_are_each_reported_with_where_they_are(studied):
    before = progress_of(studied)
    data = copy.deepcopy(progress_export(user=studied))
    data["reviews"][0]["rating"] = 7
    data["states"][1]["due"] = "2026-03-02T08:30:00"  # no UTC offset
    data["states"][2]["reps"] = -1
    data["settings"]["time_zone"] = "Mars/Olympus"
    del data["reviews"][3]["after"]
    with pytest.raises(ProgressInvalid) as refused:
        progress_import(user=studied, data=data)
    wheres = [problem.where for problem in refused.value.problems]
    assert wheres == [
        "settings.time_zone",
        "reviews[0].rating",
        "reviews[3].after",
        "states[1].due",
        "states[2].reps",
    ]
    assert progress_of(studied) == before


def test_a_learner_without_settings_or_reviews_round_trips(learner):
    data = progress_export(user=learner)
    assert (data["settings"], data["reviews"], data["states"]) == (None, [], [])
    StudySettings.objects.create(user=learner, new_per_day=3)
    progress_import(user=learner, data=data)
    assert not StudySettings.objects.filter(user=learner).exists()


def test_export_names_prompts_by_lesson_card_and_ordinal(studied):
    data = progress_export(user=studied, now=timezone.now())
    identities = [state["prompt"] for state in data["states"]]
    assert {identity["ordinal"] for identity in identities} == {1, 2}
    assert "named" in {identity["card_key"] for identity in identities}
    assert all(len(identity["card_text"]) == 32 for identity in identities)


def test_imported_settings_are_the_ones_read_next(studied):
    data = progress_export(user=studied)
    other = make_user()
    assert study_settings_for(other).new_per_day == 20  # defaults, read before the import
    progress_import(user=other, data=data)
    assert study_settings_for(other).new_per_day == 7


def test_the_learn_ahead_limit_round_trips_and_an_older_file_without_it_imports(studied):
    StudySettings.objects.filter(user=studied).update(learn_ahead_minutes=45)
    data = progress_export(user=studied)
    assert data["settings"]["learn_ahead_minutes"] == 45
    other = make_user()
    progress_import(user=other, data=data)
    assert study_settings_for(other).learn_ahead_minutes == 45
    del data["settings"]["learn_ahead_minutes"]  # a file exported before the setting existed
    progress_import(user=other, data=data)
    assert study_settings_for(other).learn_ahead_minutes == 20


def test_the_bury_settings_round_trip_and_an_older_file_without_them_imports(studied):
    StudySettings.objects.filter(user=studied).update(bury_review_siblings=False)
    data = progress_export(user=studied)
    assert (data["settings"]["bury_new_siblings"], data["settings"]["bury_review_siblings"]) == (
        True,
        False,
    )
    other = make_user()
    progress_import(user=other, data=data)
    assert not study_settings_for(other).bury_review_siblings
    del data["settings"]["bury_new_siblings"], data["settings"]["bury_review_siblings"]
    progress_import(user=other, data=data)
    assert study_settings_for(other).bury_review_siblings  # the default


@pytest.mark.parametrize(
    ("place", "value"),
    [
        ("settings.desired_retention", 0),
        ("settings.desired_retention", -0.5),
        ("settings.desired_retention", 1.5),
        ("settings.desired_retention", float("nan")),
        ("settings.maximum_interval", 0),
        ("settings.new_per_day", 10_000),
        ("settings.learn_ahead_minutes", 1441),
        ("settings.learn_ahead_minutes", -1),
        ("settings.bury_new_siblings", "no"),
        ("settings.scope_new_cards", {"lesson:x/ahead:3": {"limit": 5}}),
        ("settings.scope_new_cards", {"lesson:x": {"limit": -1}}),
        ("settings.scope_new_cards", {"lesson:x": {"extra": 3, "extra_day": "soon"}}),
        ("marks[0].flag", 5),
        ("marks[0].buried_until", "tomorrow"),
        ("manual_changes[0].kind", "delete"),
        ("manual_changes[0].due", None),
        ("settings.time_zone", "Etc/../UTC"),
        ("states[0].stability", 0),
        ("states[0].stability", -1.0),
        ("states[0].stability", float("inf")),
        ("states[0].stability", float("nan")),
        ("states[0].difficulty", 11.0),
        ("states[0].version", 2**63 - 1),
        ("states[0].reps", 10**30),
        ("states[0].lapses", 1e400),
        ("states[0].step", 40_000),
        ("reviews[0].duration_ms", 2**31),
        ("reviews[0].after.stability", 0),
        ("reviews[1].before.difficulty", float("-inf")),
        ("reviews[1].before.due", "9999-12-31T23:59:59-14:00"),
        ("settings.fsrs_parameters", [0.2] * 20),
        ("settings.fsrs_parameters", [float("nan")] * 21),
        ("settings.fsrs_parameters", "defaults"),
    ],
)
def test_values_outside_the_models_and_fsrs_bounds_are_refused_where_they_are(
    studied, place, value
):
    prompt_id = PromptState.objects.filter(user=studied).values_list("prompt_id").first()[0]
    marks_change(user=studied, prompt_ids=[prompt_id], flag=PromptMark.Flag.RED)
    cards_reschedule(user=studied, prompt_ids=[prompt_id], days=DayRange(2, 2), now=START)
    before = progress_of(studied)
    data = copy.deepcopy(progress_export(user=studied))
    *path, name = place.replace("[", ".").replace("]", "").split(".")
    row = data
    for step in path:
        row = row[int(step)] if step.isdigit() else row[step]
    row[name] = value
    with pytest.raises(ProgressInvalid) as refused:
        progress_import(user=studied, data=data)
    assert [problem.where for problem in refused.value.problems] == [place]
    assert progress_of(studied) == before


@pytest.mark.parametrize("section", ["states", "reviews"])
@pytest.mark.parametrize("missing", ["stability", "difficulty"])
def test_a_review_or_relearning_state_without_a_memory_is_refused(studied, section, missing):
    before = progress_of(studied)
    data = copy.deepcopy(progress_export(user=studied))
    row = data["states"][0] if section == "states" else data["reviews"][0]["after"]
    row["state"] = 2  # Review
    row[missing] = None
    place = "states[0].stability" if section == "states" else "reviews[0].after.stability"
    with pytest.raises(ProgressInvalid) as refused:
        progress_import(user=studied, data=data)
    assert [str(problem) for problem in refused.value.problems] == [
        f"{place}: a Review or Relearning state needs a stability and a difficulty."
    ]
    assert progress_of(studied) == before


def test_a_memory_in_the_log_must_have_a_memorys_fields(studied):
    data = copy.deepcopy(progress_export(user=studied))
    data["reviews"][0]["after"] = {"state": 2}
    with pytest.raises(ProgressInvalid, match=r"reviews\[0\]\.after: expected an object with"):
        progress_import(user=studied, data=data)


def test_a_deeply_nested_value_is_refused_and_quoted_short(studied):
    data = copy.deepcopy(progress_export(user=studied))
    nested: list = []
    for _ in range(900):
        nested = [nested]
    data["states"][0]["version"] = nested
    data["reviews"][0]["prompt"].update(card_key=nested, card_text=nested)
    with pytest.raises(ProgressInvalid) as refused:
        progress_import(user=studied, data=data)
    assert [p.where for p in refused.value.problems] == ["reviews[0]", "states[0].version"]
    assert all(len(str(problem)) < 200 for problem in refused.value.problems)


def test_progress_read_keeps_odd_numbers_for_the_import_to_place(studied):
    text = f'{{"a": NaN, "b": -Infinity, "c": 1e400, "d": {10**30}, "e": {"9" * 5000}}}'
    read = progress_read(text)
    assert read["a"] != read["a"] and read["b"] == read["c"] * -1 == float("-inf")
    assert read["d"] == 10**30 and read["e"] == float("inf")


def test_progress_read_refuses_json_nested_too_deep_to_read_naming_its_line():
    text = '{\n"states":\n' + "[" * 10_000 + "]" * 10_000 + "}"
    with pytest.raises(ProgressInvalid, match=r"^line 3: the JSON nests deeper than 100 levels"):
        progress_read(text)


def test_personal_fsrs_parameters_travel_with_the_progress(studied):
    data = progress_export(user=studied)
    assert data["settings"]["fsrs_parameters"] == PERSONAL_PARAMETERS
    other = make_user()
    progress_import(user=other, data=data)
    assert study_settings_for(other).fsrs_parameters == PERSONAL_PARAMETERS


def test_a_file_from_before_personal_fsrs_imports_with_the_defaults(studied):
    data = copy.deepcopy(progress_export(user=studied))
    del data["settings"]["fsrs_parameters"]
    progress_import(user=studied, data=data)
    assert study_settings_for(studied).fsrs_parameters is None


def test_the_export_carries_practice_tests_and_answers_and_the_import_leaves_them(learner):
    prompts = three_option_questions(2)
    lesson = prompts[0].card.lesson
    answer_log(
        user=learner,
        prompt=prompts[0],
        checked=answer_check(prompts[0], "A"),
        source=Answer.Source.STUDY,
        now=START,
    )
    attempt = attempt_start(
        user=learner,
        scope=PracticeScope("lesson", lesson.slug, lesson.title),
        count=2,
        timed=True,
        now=START,
        seconds_per_question=120,
        rng=random.Random(0),
    )
    answer_save(attempt=attempt, position=1, picks="B", flagged=True, now=START)
    attempt_submit(attempt=attempt, now=START + dt.timedelta(minutes=1))
    first = attempt.questions.get(position=1).prompt

    data = progress_export(user=learner)

    (test,) = data["practice_tests"]
    assert {k: test[k] for k in ("scope", "title", "question_count", "right_count")} == {
        "scope": f"lesson:{lesson.slug}",
        "title": lesson.title,
        "question_count": 2,
        "right_count": 1,
    }
    assert (test["started_at"], test["deadline"]) == (
        START.isoformat(),
        (START + dt.timedelta(minutes=4)).isoformat(),
    )
    assert [
        (q["position"], q["chosen"], q["flagged"], q["is_right"]) for q in test["questions"]
    ] == [(1, "B", True, True), (2, "", False, False)]
    assert test["questions"][0]["prompt"]["card_key"] == first.card.key
    assert [(a["source"], a["chosen"], a["test"]) for a in data["question_answers"]] == [
        ("study", "A", None),
        ("test", "B", 0),
    ]
    # The import replaces the schedule's history and leaves the practice record as it is.
    progress_import(user=learner, data=data)
    assert Attempt.objects.filter(user=learner).count() == 1
    assert Answer.objects.filter(user=learner).count() == 2


def test_another_learners_private_prompts_are_prompts_this_site_does_not_have():
    """A progress file naming another learner's private note attaches nothing to it and does
    not tell whether it exists: it reads as any prompt the site lacks, and nothing is written.
    The owner's own file imports into their own note."""
    owner, other = make_user(), make_user()
    notes_import(
        files=[NoteFile("own.md", note_text(title="Own", body=PRIVATE_BODY).encode())],
        owner=owner,
        accept_suggestions=True,
    )
    prompt = Prompt.objects.get(card__lesson__topic__owner=owner)
    grade_now(owner, prompt, 3, timezone.now())
    data = progress_export(user=owner)
    with pytest.raises(ProgressInvalid, match="this site has no prompt"):
        progress_import(user=other, data=data)
    assert not PromptState.objects.filter(user=other).exists()
    assert not Review.objects.filter(user=other).exists()
    assert progress_import(user=owner, data=data).states == 1


PRIVATE_BODY = "## Backups\n\n- Retention is **1 to 35 days** for automated backups.\n"
