"""RowReader, CompiledQuery and CompiledUpdate (portal/rows.py): the ORM's rows and updates,
without building the query each time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Max
from django.db.models.functions import Upper
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Session
from portal.rows import (
    ID_PLACEHOLDER,
    CompiledByShape,
    CompiledQuery,
    CompiledUpdate,
    RowReader,
    id_stand_ins,
    read_together,
)
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}


def test_a_row_read_is_the_orms_row_value_for_value_and_type():
    user = make_user(username="reader", email="reader@example.com", last_login=timezone.now())
    reader = RowReader(get_user_model(), "id")
    read = reader.get(user.pk)
    expected = get_user_model().objects.get(pk=user.pk)
    assert fields(read) == fields(expected)
    assert {name: type(value) for name, value in fields(read).items()} == {
        name: type(value) for name, value in fields(expected).items()
    }
    assert read._state.adding is False and read._state.db == "default"
    assert reader.get(str(user.pk)).pk == user.pk  # a session holds the id as text


def test_a_missing_row_is_none_and_a_text_key_is_a_parameter_not_sql():
    Session.objects.create(session_key="k" * 32, session_data="x", expire_date=timezone.now())
    reader = RowReader(Session, "session_key")
    assert reader.get("k" * 32).expire_date == Session.objects.get().expire_date
    assert reader.get("missing") is None
    assert reader.get("' OR '1'='1") is None


def sessions_since(key: str, since: dt.datetime):
    """Sessions expiring from `since` whose key sorts from `key`, per upper-cased first key."""
    return (
        Session.objects.filter(session_key__gte=key, expire_date__gte=since)
        .values_list(Upper("session_key"), "expire_date")
        .annotate(sessions=Count("pk"))
        .order_by("expire_date")
    )


def test_a_compiled_query_gives_the_orms_rows_for_each_call_s_values():
    noon = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)
    for index, key in enumerate(("a" * 32, "b" * 32, "c" * 32)):
        Session.objects.create(
            session_key=key, session_data="x", expire_date=noon + dt.timedelta(days=index)
        )
    query = CompiledQuery(
        sessions_since, key="placeholder", since=dt.datetime(1901, 1, 1, tzinfo=dt.UTC)
    )
    for key, since in [("a", noon), ("b", noon), ("a", noon + dt.timedelta(hours=1)), ("d", noon)]:
        rows = query.rows(key=key, since=since)
        assert rows == list(sessions_since(key, since))
        # The ORM's converters: an aware datetime, not SQLite's text.
        assert all(isinstance(row[1], dt.datetime) and row[1].tzinfo for row in rows)
    assert len(query.rows(key="a", since=noon)) == 3
    assert query.rows(key="z' OR '1'='1", since=noon) == []  # a value, not SQL


def test_a_placeholder_the_query_does_not_take_is_refused():
    query = CompiledQuery(
        lambda key, since: Session.objects.filter(session_key=key).values_list("pk"),
        key="placeholder",
        since=dt.datetime(1901, 1, 1, tzinfo=dt.UTC),
    )
    with pytest.raises(ValueError, match="since"):
        query.rows(key="k", since=timezone.now())


def test_compiled_objects_are_the_orms_with_their_related_objects_deferred_fields_and_annotations():
    from flashcards.models import Card
    from tests.conftest import make_card, make_lesson

    lessons = [make_lesson(title=f"Lesson {n}") for n in range(2)]
    for lesson in lessons:
        make_card(lesson=lesson)
        make_card(lesson=lesson)

    def cards_of(lesson_id: int):
        return (
            Card.objects.filter(lesson_id=lesson_id)
            .select_related("lesson")
            .only("id", "front", "lesson__title")
            .annotate(prompt_count=Count("prompts"))
            .order_by("-pk")
        )

    query = CompiledQuery(cards_of, lesson_id=ID_PLACEHOLDER)
    for lesson in lessons:
        found, expected = query.objects(lesson_id=lesson.pk), list(cards_of(lesson.pk))
        assert [(card.pk, card.front, card.prompt_count) for card in found] == [
            (card.pk, card.front, card.prompt_count) for card in expected
        ]
        assert {card.lesson.title for card in found} == {lesson.title}
        assert found[0].get_deferred_fields() == expected[0].get_deferred_fields()
        assert found[0]._state.adding is False
    assert query.objects(lesson_id=0) == []


def test_a_compiled_count_counts_in_the_database_up_to_a_limit_given_as_a_value():
    for index in range(5):
        Session.objects.create(
            session_key=f"{index}" * 32, session_data="x", expire_date=timezone.now()
        )
    query = CompiledQuery(
        lambda since: Session.objects.filter(expire_date__gte=since).values_list("pk"),
        since=dt.datetime(1901, 1, 1, tzinfo=dt.UTC),
    )
    long_ago = timezone.now() - dt.timedelta(days=1)
    assert [query.count(since=long_ago, at_most=limit) for limit in (1, 3, 9, None)] == [1, 3, 5, 5]
    assert query.count(since=timezone.now() + dt.timedelta(days=1)) == 0


def test_reads_together_are_one_round_trip_each_read_its_own_row_converted_or_nulls():
    noon = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)
    for index, key in enumerate(("a" * 32, "b" * 32, "c" * 32)):
        Session.objects.create(
            session_key=key, session_data="x", expire_date=noon + dt.timedelta(days=index)
        )

    def latest_since(since):
        # One grouped row: how many expire from `since`, and the last of them.
        return (
            Session.objects.filter(expire_date__gte=since)
            .values("session_data")
            .annotate(sessions=Count("pk"), last=Max("expire_date"))
            .values_list("sessions", "last")
        )

    stand_in = dt.datetime(1901, 1, 1, tzinfo=dt.UTC)
    latest = CompiledQuery(latest_since, since=stand_in)
    keys = CompiledQuery(
        lambda since: Session.objects.filter(expire_date__gte=since).values_list("pk"),
        since=stand_in,
    )
    later = noon + dt.timedelta(days=5)
    with CaptureQueriesContext(connection) as captured:
        found = read_together(
            latest.first_row(since=noon + dt.timedelta(hours=1)),
            keys.counted(since=noon, at_most=2),
            latest.first_row(since=later),  # none: its columns null, the others kept
            keys.counted(since=noon),
        )
    assert len(captured) == 1
    assert found == [(2, noon + dt.timedelta(days=2)), (2,), (None, None), (3,)]
    assert found[0][1].tzinfo is not None  # the ORM's converter: not SQLite's text


def test_a_value_the_build_changes_is_refused_rather_than_compiled_in():
    pattern = CompiledQuery(
        lambda key: Session.objects.filter(session_key__startswith=key).values_list("pk"),
        key="placeholder",
        optional=True,
    )
    with pytest.raises(ValueError, match="made from a placeholder"):
        pattern.rows(key="a")
    shifted = CompiledQuery(
        lambda since: Session.objects.filter(
            expire_date__gte=since + dt.timedelta(days=1)
        ).values_list("pk"),
        since=dt.datetime(1901, 1, 1, tzinfo=dt.UTC),
        optional=True,
    )
    with pytest.raises(ValueError, match="made from a placeholder"):
        shifted.rows(since=timezone.now())


def expiring(key: str, expire_date: dt.datetime, data: str, user_id: int):
    return Session.objects.filter(session_key=key), {
        "expire_date": expire_date,
        "session_data": data,
        "user_id": user_id,
    }


def test_a_compiled_update_changes_the_rows_the_orms_update_would_and_no_others():
    noon = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)
    for key in ("a" * 32, "b" * 32):
        Session.objects.create(session_key=key, session_data="x", expire_date=noon)
    update = CompiledUpdate(
        expiring,
        key="placeholder",
        expire_date=dt.datetime(1901, 1, 1, tzinfo=dt.UTC),
        data="data-placeholder",
        user_id=ID_PLACEHOLDER,
    )
    user = make_user(username="holder")
    later = noon + dt.timedelta(days=2, microseconds=5)
    assert update.run(key="a" * 32, expire_date=later, data="changed", user_id=user.pk) == 1
    assert update.run(key="' OR '1'='1", expire_date=later, data="all", user_id=user.pk) == 0
    assert sorted(Session.objects.values_list("session_key", "session_data", "user_id")) == [
        ("a" * 32, "changed", user.pk),
        ("b" * 32, "x", None),
    ]
    # The moment as the ORM stores it: read back the same, to the microsecond.
    assert Session.objects.get(session_key="a" * 32).expire_date == later


def test_an_update_across_a_join_or_with_a_changed_placeholder_is_refused():
    across = CompiledUpdate(
        lambda name: (Session.objects.filter(user__username=name), {"session_data": "x"}),
        name="placeholder",
    )
    with pytest.raises(ValueError, match="one table"):
        across.run(name="someone")
    derived = CompiledUpdate(
        lambda key: (Session.objects.filter(session_key=key), {"session_data": f"{key}!"}),
        key="placeholder",
    )
    with pytest.raises(ValueError, match="made from a placeholder"):
        derived.run(key="a")


def test_a_compiled_integer_value_is_handed_over_as_the_orm_types_it():
    # PostgreSQL's backend hands an integer field's value to psycopg typed (Int4 here); the
    # compiled update finds the placeholder all the same and types each call's value alike.
    from tests.conftest import make_tree
    from trees.models import TreeWalk

    walks = [
        TreeWalk.objects.create(tree=make_tree(), walker=f"w{n}", last_node_key="k") for n in (1, 2)
    ]
    update = CompiledUpdate(
        lambda walk_id, steps: (TreeWalk.objects.filter(pk=walk_id), {"steps": steps}),
        walk_id=ID_PLACEHOLDER,
        steps=ID_PLACEHOLDER + 1,
    )
    assert update.run(walk_id=walks[0].pk, steps=7) == 1
    assert list(TreeWalk.objects.order_by("pk").values_list("steps", flat=True)) == [7, 0]


def test_a_null_for_a_typed_integer_column_is_handed_over_as_a_null():
    # PostgreSQL: a smallint column's placeholder is typed (Int2); a null is not.
    from flashcards.models import PromptState
    from tests.conftest import make_card

    state = PromptState.objects.create(
        user=make_user(username="nulls"),
        prompt=make_card().prompts.get(),
        state=1,
        step=0,
        due=timezone.now(),
    )
    update = CompiledUpdate(
        lambda state_id, step: (PromptState.objects.filter(pk=state_id), {"step": step}),
        state_id=ID_PLACEHOLDER,
        step=ID_PLACEHOLDER + 1,
    )
    assert update.run(state_id=state.pk, step=None) == 1
    state.refresh_from_db()
    assert state.step is None
    update.run(state_id=state.pk, step=2)
    state.refresh_from_db()
    assert state.step == 2


def sessions_among(shape, *, keys):
    return Session.objects.filter(session_key__in=keys).order_by("session_key").values_list("pk")


def test_a_tuple_placeholder_takes_as_many_values_and_each_shape_is_compiled_once():
    for key in ("a", "b", "c"):
        Session.objects.create(session_key=key * 32, session_data="x", expire_date=timezone.now())
    by_count = CompiledByShape(
        sessions_among, stand_ins=lambda count: {"keys": tuple(f"key-{n}" for n in range(count))}
    )
    assert by_count(2).rows(keys=["a" * 32, "c" * 32]) == [("a" * 32,), ("c" * 32,)]
    assert by_count(2).rows(keys=["b" * 32, "z"]) == [("b" * 32,)]
    assert by_count(1).rows(keys=["c" * 32]) == [("c" * 32,)]
    assert by_count(2) is by_count(2) and by_count(1) is not by_count(2)
    with pytest.raises(ValueError, match="keys: 3 values for 2"):
        by_count(2).rows(keys=["a" * 32, "b" * 32, "c" * 32])


def test_id_stand_ins_are_distinct_from_each_other_and_from_the_single_id_stand_in():
    ids = id_stand_ins(50)
    assert len(set(ids)) == 50 and ID_PLACEHOLDER not in ids and ID_PLACEHOLDER + 1 not in ids
    assert all(-(2**31) <= value < 0 for value in ids)  # no row's id, within a 32-bit column


def test_a_tuple_element_the_query_leaves_out_is_refused():
    # The ORM drops a repeated value from an IN list: a query of fewer parameters than ids.
    repeated = CompiledQuery(
        lambda keys: Session.objects.filter(session_key__in=[*keys, keys[0]]).values_list("pk"),
        keys=("key-0", "key-1"),
    )
    assert repeated.rows(keys=["a", "b"]) == []
    dropped = CompiledQuery(
        lambda keys: Session.objects.filter(session_key__in=keys[:1]).values_list("pk"),
        keys=("key-0", "key-1"),
    )
    with pytest.raises(ValueError, match=r"keys\[1\]"):
        dropped.rows(keys=["a", "b"])


def test_the_shapes_kept_are_bounded(monkeypatch):
    by_count = CompiledByShape(
        sessions_among, stand_ins=lambda count: {"keys": tuple(f"key-{n}" for n in range(count))}
    )
    monkeypatch.setattr(by_count, "KEPT", 2)
    first = by_count(1)
    by_count(2)
    assert by_count(1) is first
    by_count(3)  # past the bound: the compiled ones are dropped
    assert by_count(1) is not first
