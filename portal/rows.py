"""One row read by one column, with its SQL built once rather than on every request.

Every signed-in request reads two rows: its session and its user. Through the ORM each read
builds its query afresh (a QuerySet, a WHERE tree, a compiler, SQL text), which was most of the
cost of a signed-in page's fixed part (bench/history.md, issue 20); the database's own work is a
primary-key lookup. `RowReader` compiles the same query once per database alias, then runs the
SQL and hands the row to `Model.from_db`, as the ORM itself does, with the ORM's own value
converters (SQLite returns datetimes as text, for one).
"""

from __future__ import annotations

import threading
from typing import Any

from django.db import connections
from django.db.models import Model


class RowReader:
    """`RowReader(Session, "session_key").get(key)` is `Session.objects.filter(session_key=key)
    .first()` without rebuilding the query each time (no ordering: the column is unique)."""

    def __init__(self, model: type[Model], column: str) -> None:
        self.model = model
        self.column = column
        self._compiled: dict[str, tuple[str, int, list[str], dict]] = {}
        self._lock = threading.Lock()

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
        values = list(row)
        for index, (functions, expression) in converters.items():
            for function in functions:
                values[index] = function(values[index], expression, connection)
        return self.model.from_db(using, names, values)

    def _compile(self, using: str) -> tuple[str, int, list[str], dict]:
        compiled = self._compiled.get(using)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(using) or self._build(using)
                self._compiled[using] = compiled
        return compiled

    def _build(self, using: str) -> tuple[str, int, list[str], dict]:
        # A value of the column's type that stands in for the looked-up one while compiling.
        field = self.model._meta.get_field(self.column)
        numeric = "Integer" in field.get_internal_type() or "AutoField" in field.get_internal_type()
        placeholder = -7_654_321_987 if numeric else "row-reader-placeholder"
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
