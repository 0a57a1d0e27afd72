"""One row read by one column, with its SQL built once rather than on every request.

Every signed-in request reads its session and its user. Through the ORM each read builds its
query afresh (a QuerySet, a WHERE tree, a compiler, SQL text), which was most of the cost of a
signed-in page's fixed part (bench/history.md, issue 20); the database's own work is a
primary-key lookup. `RowReader` compiles the same query once per database alias, then runs the
SQL and hands the row to `Model.from_db`, as the ORM itself does, with the ORM's own value
converters (SQLite returns datetimes as text, for one): a user not read with its session, a
learner's study settings. `CompiledQuery` does the same for any query read on every view of a
page: rows of values (the dashboard's retention figures), or model instances with their
`select_related` objects (the study queue's next card, the session with its user).
`CompiledUpdate` compiles an UPDATE made on every step of a page (a tree walk's progress).
`CompiledByShape` keeps one compiled query per shape of a query whose SQL varies (the number
of lessons it reads, a scope's kind). `read_together` runs several compiled reads of one row
each (a count, a grouped row) in one round trip.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import connections, transaction
from django.db.models import Model
from django.db.models.query import get_related_populators
from django.db.models.sql import UpdateQuery

# An id no row has, for compiling a query on an id column. Within a 32-bit column's range
# (auth's User.id is one): out of range, the ORM compiles a lookup on PostgreSQL as matching
# nothing, with no parameter for the value.
ID_PLACEHOLDER = -1_987_654_321


class _CompiledPerDatabase:
    """Compiles once per database alias (`_build`), under a lock, and keeps the result."""

    def __init__(self) -> None:
        self._compiled: dict[str, tuple] = {}
        self._lock = threading.Lock()

    def _compile(self, using: str) -> tuple:
        compiled = self._compiled.get(using)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(using) or self._build(using)
                self._compiled[using] = compiled
        return compiled

    def _build(self, using: str) -> tuple:
        raise NotImplementedError


def _converted(row, converters: dict, connection) -> list:
    """A row's values through the ORM's converters for its columns."""
    values = list(row)
    for index, (functions, expression) in converters.items():
        for function in functions:
            values[index] = function(values[index], expression, connection)
    return values


class RowReader(_CompiledPerDatabase):
    """`RowReader(Session, "session_key").get(key)` is `Session.objects.filter(session_key=key)
    .first()` without rebuilding the query each time (no ordering: the column is unique)."""

    def __init__(self, model: type[Model], column: str) -> None:
        self.model = model
        self.column = column
        super().__init__()

    def get(self, value: Any, *, using: str = "default") -> Model | None:
        sql, position, names, converters = self._compile(using)
        connection = connections[using]
        params = [None]
        params[position] = self.model._meta.get_field(self.column).get_db_prep_value(
            value, connection, prepared=False
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        return self.model.from_db(using, names, _converted(row, converters, connection))

    def _build(self, using: str) -> tuple[str, int, list[str], dict]:
        # A value of the column's type that stands in for the looked-up one while compiling.
        field = self.model._meta.get_field(self.column)
        kind = (field.target_field if field.is_relation else field).get_internal_type()
        numeric = "Integer" in kind or "AutoField" in kind
        placeholder = ID_PLACEHOLDER if numeric else "row-reader-placeholder"
        query = self.model._base_manager.using(using).filter(**{self.column: placeholder})
        compiler = query.query.get_compiler(using)
        sql, params = compiler.as_sql(with_limits=False)
        # The ORM passes the value through as the query's one parameter; anything else would mean
        # the manager adds conditions of its own, which this reader would then skip.
        if list(params) != [placeholder]:
            raise ValueError(f"{self.model.__name__}.{self.column}: not a plain one-column read")
        columns = [column for column, _, _ in compiler.select]
        names = [column.target.attname for column in columns]
        if names != [field.attname for field in self.model._meta.concrete_fields]:
            raise ValueError(f"{self.model.__name__}: deferred or extra columns are not read")
        converters = compiler.get_converters(columns)
        return sql, 0, names, converters


class _CompiledWithPlaceholders(_CompiledPerDatabase):
    """SQL compiled once per database alias from a `build(**placeholders)`, each parameter that
    is a placeholder filled in from a call's values (`CompiledQuery` says how)."""

    def __init__(self, build, *, optional: bool = False, **placeholders: Any) -> None:
        self.build = build
        # `optional`: the query may leave some placeholders out (a shape of a query that does
        # without them); their values are then not used.
        self.optional = optional
        self.placeholders = placeholders
        # A tuple of placeholders takes a sequence of as many values.
        self._lengths = {
            name: len(value) for name, value in placeholders.items() if isinstance(value, tuple)
        }
        super().__init__()

    def _filled(self, using: str, values: dict) -> tuple[tuple, str, list, Any]:
        """The compiled query, its SQL and its parameters with the call's values in place."""
        compiled = self._compile(using)
        sql, params, slots = compiled[:3]
        connection = connections[using]
        params = list(params)
        for name, length in self._lengths.items():
            if len(values[name]) != length:
                raise ValueError(f"{name}: {len(values[name])} values for {length}")
        for position, key, convert in slots:
            value = values[key] if isinstance(key, str) else values[key[0]][key[1]]
            # A null is passed as it is, whatever the column's type.
            params[position] = convert(value) if convert and value is not None else value
        return compiled, sql, params, connection

    def _slots(self, params, connection) -> list[tuple[int, Any, Any]]:
        """Where each placeholder is among the compiled parameters: (position, its name, or for
        an element of a tuple of placeholders its name and index, and what turns a call's value
        into the parameter, or None when it goes in as it is)."""
        # What each placeholder looks like among the parameters: as given, or for a datetime
        # or a date as the database adapter takes it (text on SQLite).
        forms = []
        for name, placeholder in self.placeholders.items():
            elements = (
                enumerate(placeholder) if isinstance(placeholder, tuple) else [(None, placeholder)]
            )
            for index, element in elements:
                key = name if index is None else (name, index)
                forms.append((element, key, None))
                adapt = _adapter(element, connection)
                if adapt is not None:
                    forms.append((adapt(element), key, adapt))
        slots = []
        for position, param in enumerate(params):
            for form, key, convert in forms:
                if type(param) is type(form) and param == form:
                    slots.append((position, key, convert))
                elif _typed_integer(param, form):
                    # PostgreSQL's backend hands some integer fields' values over typed
                    # (psycopg's Int4 for an update's value), and so a call's value goes.
                    slots.append((position, key, type(param)))
        missing = {key for _form, key, _convert in forms} - {key for _, key, _ in slots}
        if missing and not self.optional:
            named = sorted(
                key if isinstance(key, str) else f"{key[0]}[{key[1]}]" for key in missing
            )
            raise ValueError(f"placeholders not among the query's parameters: {named}")
        _refuse_changed_placeholders(params, {position for position, _, _ in slots}, forms)
        return slots


class CompiledQuery(_CompiledWithPlaceholders):
    """A query whose SQL is compiled once per database alias, only its values changing.

    `build(**values)` returns the QuerySet (of values, or of a model) for those values; it is
    called once per alias with `placeholders`, values of the same types no real call passes
    (a negative id, a datetime in 1901), so the rule stays written in the ORM in one place.
    Each parameter of the compiled SQL that is a placeholder, as given or as the database
    takes a datetime, is then filled in from the call's values; the others (the query's
    constants) are kept. `rows(**values)` runs it and hands back tuples in the query's
    column order with the ORM's value converters applied, as `list(build(**values))` would;
    `objects(**values)` the model instances a QuerySet of a model would; `count(**values)`
    counts the rows in the database.

    `build` must use each value as it is given: a value it derives from one (a maximum, a sum)
    would be compiled in as a constant. Derive such values before the call and pass them in.

    A placeholder may be a tuple (the ids of an `__in` lookup): a call then passes a sequence
    of as many values. A query whose SQL varies with such a length, or with anything else, is
    compiled once per shape by `CompiledByShape`.
    """

    def rows(
        self, *, limit: int | None = None, offset: int = 0, using: str = "default", **values: Any
    ) -> list[tuple]:
        compiled, rows, connection = self._run(using, values, limit, offset)
        converters = compiled[3]
        if not converters:
            return [tuple(row) for row in rows]
        return [tuple(_converted(row, converters, connection)) for row in rows]

    def objects(
        self, *, limit: int | None = None, offset: int = 0, using: str = "default", **values: Any
    ) -> list[Model]:
        """The model instances `list(build(**values))` gives, its `select_related` objects and
        annotations on them, for a `build` that returns a QuerySet of a model."""
        compiled, rows, connection = self._run(using, values, limit, offset)
        _sql, _params, _slots, converters, instances, _sliced, _width = compiled
        model, names, start, end, related, annotations = instances
        found = []
        for row in rows:
            row = _converted(row, converters, connection) if converters else list(row)
            instance = model(using, names, row[start:end])
            for populator in related:
                populator.populate(row, instance)
            for name, position in annotations:
                setattr(instance, name, row[position])
            found.append(instance)
        return found

    def count(self, *, at_most: int | None = None, using: str = "default", **values: Any) -> int:
        """How many rows `build(**values)` gives, counting at most `at_most`, in the database:
        `build(**values)[:at_most].count()`, with the limit a parameter, not part of the SQL."""
        part = self.counted(at_most=at_most, using=using, **values)
        with connections[using].cursor() as cursor:
            cursor.execute(part.sql, part.params)
            return cursor.fetchone()[0]

    def counted(self, *, at_most: int | None = None, using: str = "default", **values: Any):
        """`count(...)` as a read for `read_together`: one row, the count."""
        _compiled, sql, params, _connection = self._filled(using, values)
        if at_most is not None:
            sql, params = f"{sql} LIMIT %s", [*params, at_most]
        return _Read(f"SELECT COUNT(*) FROM ({sql}) counted", params, 1, {})

    def first_row(self, *, using: str = "default", **values: Any):
        """`rows(...)` as a read for `read_together`, of a query that gives at most one row (a
        grouped count of one learner's rows): its columns, all null when it gives none."""
        compiled, sql, params, _connection = self._filled(using, values)
        return _Read(sql, params, compiled[6], compiled[3])

    def _run(
        self, using: str, values: dict, limit: int | None = None, offset: int = 0
    ) -> tuple[tuple, list, Any]:
        """The query run with the call's values; `limit` and `offset` as `build(**values)
        [offset:offset + limit]` would slice it, as parameters rather than part of the SQL."""
        compiled, sql, params, connection = self._filled(using, values)
        if limit is not None or offset:
            if compiled[5]:
                raise ValueError("the query is sliced already")
            # -1: no limit, as SQLite takes it; PostgreSQL reads a null LIMIT as none.
            no_limit = -1 if connection.vendor == "sqlite" else None
            sql = f"{sql} LIMIT %s OFFSET %s"
            params = [*params, no_limit if limit is None else limit, offset]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return compiled, cursor.fetchall(), connection

    def _build(self, using: str) -> tuple:
        queryset = self.build(**self.placeholders)
        compiler = queryset.query.get_compiler(using)
        sql, params = compiler.as_sql()
        slots = self._slots(params, connections[using])
        columns = [column for column, _, _ in compiler.select]
        converters = compiler.get_converters(columns)
        instances = _instances(queryset, compiler, using)
        sliced = queryset.query.is_sliced
        return sql, list(params), slots, converters, instances, sliced, len(columns)


class CompiledUpdate(_CompiledWithPlaceholders):
    """An UPDATE compiled once per database alias, as `CompiledQuery` compiles a read.

    `build(**values)` returns the rows to change and their new values, `(queryset, {field:
    value})`; `run(**values)` is `queryset.update(**new_values)` for those values, returning
    the number of rows changed. Only an update of one table's own columns, filtered on that
    table, is compiled: anything the ORM would first read rows for (a filter across a join, a
    parent model's fields) is refused.
    """

    def run(self, *, using: str = "default", **values: Any) -> int:
        _compiled, sql, params, connection = self._filled(using, values)
        # As `QuerySet.update`: a failed update inside an atomic block marks it for rollback.
        with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount

    def _build(self, using: str) -> tuple:
        queryset, changes = self.build(**self.placeholders)
        query = queryset.query.chain(UpdateQuery)
        query.add_update_values(changes)
        query.clear_ordering(force=True)
        query.get_initial_alias()
        if query.related_updates or query.count_active_tables() > 1:
            raise ValueError(f"{queryset.model.__name__}: not an update of one table")
        sql, params = query.get_compiler(using).as_sql()
        return sql, list(params), self._slots(params, connections[using])


class CompiledByShape:
    """One `CompiledQuery` per shape of a query whose SQL depends on a few things besides its
    values: how many ids it looks for, whether the learner is signed in, a scope's kind.

    `build(shape, **values)` returns the QuerySet; `stand_ins(shape)` the placeholders its
    query is compiled with. Called with a shape, it gives that shape's CompiledQuery. Shapes
    are expected to be few; `KEPT` bounds them all the same, dropping the compiled ones past it.
    """

    KEPT = 512

    def __init__(self, build, stand_ins, *, optional: bool = False) -> None:
        self.build = build
        self.stand_ins = stand_ins
        self.optional = optional
        self._queries: dict[Any, CompiledQuery] = {}

    def __call__(self, shape) -> CompiledQuery:
        query = self._queries.get(shape)
        if query is None:
            if len(self._queries) >= self.KEPT:
                self._queries.clear()
            query = CompiledQuery(
                partial(self.build, shape), optional=self.optional, **self.stand_ins(shape)
            )
            self._queries[shape] = query
        return query


@dataclass(frozen=True)
class _Read:
    """One read of `read_together`: its SQL and parameters, how many columns it gives, and the
    ORM's converters for them by position."""

    sql: str
    params: list
    width: int
    converters: dict


def read_together(*reads: _Read, using: str = "default") -> list[tuple]:
    """Several reads of at most one row each (`CompiledQuery.first_row`, `.counted`) in one
    round trip: each a derived table joined to one row, so a read that finds nothing gives
    nulls rather than dropping the others. Their rows, in order, each through its converters.

    A page that needs several small figures before anything else (the study queue's counts)
    otherwise waits on the database once for each (bench/history.md, issue 20)."""
    joined = " ".join(
        f"LEFT JOIN ({read.sql}) together_{index} ON 1 = 1"
        for index, read in enumerate(reads, start=1)
    )
    params = [param for read in reads for param in read.params]
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM (SELECT 1 AS together) together_0 {joined}", params)
        row = cursor.fetchone()
    found = []
    start = 1  # past the joined-to row's own column
    for read in reads:
        values = row[start : start + read.width]
        if read.converters:
            values = _converted(values, read.converters, connection)
        found.append(tuple(values))
        start += read.width
    return found


def moment_stand_in(day: int) -> dt.datetime:
    """A stand-in for a moment: the `day`th day of 1901 (UTC), before the site existed, so no
    real call passes it; each day a distinct stand-in."""
    return dt.datetime(1901, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=day - 1)


def id_stand_ins(count: int) -> tuple[int, ...]:
    """Stand-ins for `count` ids (a tuple placeholder), distinct from each other and from
    `ID_PLACEHOLDER` and the few ids after it that queries use for their other stand-ins."""
    return tuple(ID_PLACEHOLDER + 1_000 + index for index in range(count))


def _adapter(value, connection):
    """How the database adapter takes a datetime or a date (SQLite's: as text); None for other
    values, which go in as they are."""
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value
    if isinstance(value, dt.date):
        return connection.ops.adapt_datefield_value
    return None


def _typed_integer(param, form) -> bool:
    """`param` is the integer placeholder `form` as a subclass of int (not a bool)."""
    return (
        type(form) is int
        and isinstance(param, int)
        and type(param) not in (int, bool)
        and int(param) == form
    )


def _refuse_changed_placeholders(params, slotted: set[int], forms: list) -> None:
    """A parameter that is not a placeholder but contains one (a LIKE pattern made of it) or
    is a moment or a day of the placeholders' year: `build` changed a value, which would be
    compiled in as a constant. Refused, so that the query is not silently wrong."""
    texts = [form for form, _, _ in forms if isinstance(form, str)]
    years = {form.year for form, _, _ in forms if isinstance(form, dt.date)}
    # A moment as text (SQLite's) starts with its year.
    texts_of_years = tuple(f"{year:04d}-" for year in years)
    for position, param in enumerate(params):
        if position in slotted:
            continue
        if isinstance(param, str):
            changed = any(text in param for text in texts) or param.startswith(texts_of_years)
        else:
            changed = isinstance(param, dt.date) and param.year in years
        if changed:
            raise ValueError(f"a parameter made from a placeholder, not the placeholder: {param!r}")


def _instances(queryset, compiler, using: str) -> tuple | None:
    """How the ORM makes model instances of a compiled query's rows (as its ModelIterable
    does): the model, its columns' names and place in the row, the populators of its
    `select_related` objects, and where each annotation is. None for a values query."""
    info = compiler.klass_info
    if info is None:
        return None
    if queryset._fetch_mode.track_peers or queryset._known_related_objects:
        raise ValueError("a fetch mode that tracks peers, or a related manager's query")
    fetch_mode = queryset._fetch_mode
    start, end = info["select_fields"][0], info["select_fields"][-1] + 1
    names = [column[0].target.attname for column in compiler.select[start:end]]
    related = get_related_populators(info, compiler.select, using, fetch_mode)
    model = partial(info["model"].from_db, fetch_mode=fetch_mode)
    return model, names, start, end, related, list(compiler.annotation_col_map.items())
