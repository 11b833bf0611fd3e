"""Querysets compiled once and run many times: the ORM's SQL without the ORM's cost per request.

Turning a queryset into SQL costs more than running it on this kind of machine (about 0.5 ms
for "the user with this id", 1 ms for a page of tasks, against 0.1-0.4 ms in PostgreSQL). The
hottest reads have a fixed shape where only ids change, so `PreparedQuery` builds the queryset
once per thread and database with placeholder ids, keeps the SQL and the positions of those ids
among its parameters, and afterwards only executes. The SQL, the column converters (SQLite's
text dates and hex UUIDs) and the model instances are exactly the ORM's own.

Only UUID parameters can be substituted (every id in this project is a UUID); a placeholder that
cannot be found in the compiled parameters is a programming error, raised at the first call.
"""

import threading
import uuid
import weakref
from collections.abc import Callable

from django.db import DatabaseError, connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators

from config.pipeline import in_pipeline


class _Compiled:
    def __init__(self, queryset: QuerySet, placeholders: dict[str, uuid.UUID], alias: str):
        compiler = queryset.query.get_compiler(using=alias)
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        self.slots: list[tuple[int, str, Callable]] = []
        for name, marker in placeholders.items():
            # The backend prepares a UUID as it stores it: the UUID itself (PostgreSQL) or its
            # 32-character hex (SQLite). Remember which, to prepare real values the same way.
            forms = ((marker, lambda v: v), (marker.hex, lambda v: v.hex), (str(marker), str))
            found = [
                (index, name, prepare)
                for index, param in enumerate(self.params)
                for form, prepare in forms
                if param == form
            ]
            if not found:
                raise ValueError(f"placeholder {name!r} is not a parameter of the query")
            self.slots.extend(found)
        self.compiler = compiler
        self.model = queryset.model
        self.flat_values = queryset._fields is not None
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        self.converters = compiler.get_converters(fields)
        if not self.flat_values:
            # As Django's ModelIterable builds instances, select_related() ones included.
            klass_info = compiler.klass_info
            select_fields = klass_info["select_fields"]
            self.model_slice = slice(select_fields[0], select_fields[-1] + 1)
            self.init_list = [
                column[0].target.attname for column in compiler.select[self.model_slice]
            ]
            self.fetch_mode = queryset._fetch_mode
            self.related_populators = get_related_populators(
                klass_info, compiler.select, alias, self.fetch_mode
            )

    def instances(self, rows: list, alias: str) -> list:
        objects, peers = [], []
        for row in rows:
            obj = self.model.from_db(
                alias, self.init_list, row[self.model_slice], fetch_mode=self.fetch_mode
            )
            if self.fetch_mode.track_peers:
                peers.append(weakref.ref(obj))
                obj._state.peers = peers
            for populator in self.related_populators:
                populator.populate(row, obj)
            objects.append(obj)
        return objects

    def rows(self, values: dict[str, uuid.UUID], suffix: str, extra: list) -> list[tuple]:
        params = list(self.params)
        for index, name, prepare in self.slots:
            params[index] = prepare(values[name])
        with self.compiler.connection.cursor() as cursor:
            cursor.execute(self.sql + suffix, [*params, *extra])
            rows = cursor.fetchall()
        if self.converters:
            rows = list(self.compiler.apply_converters(rows, self.converters))
        return rows


class PreparedQuery:
    """`build(**placeholders)` returns the queryset; `rows(...)`/`first(...)` run it.

    Example: `PreparedQuery(lambda user_id: User.objects.filter(pk=user_id))`, then
    `query.first(user_id=some_uuid)` -> a User or None.
    """

    def __init__(self, build: Callable[..., QuerySet], alias: str = "default"):
        self.build = build
        self.alias = alias
        self._local = threading.local()

    def _compiled(self) -> _Compiled:
        # Per thread: a compiler keeps the connection wrapper it was made with, and each
        # thread has its own. Recompiled if that wrapper changes.
        connection = connections[self.alias]
        compiled = getattr(self._local, "compiled", None)
        if compiled is None or compiled.compiler.connection is not connection:
            names = self.build.__code__.co_varnames[: self.build.__code__.co_argcount]
            placeholders = {name: uuid.uuid4() for name in names}
            compiled = _Compiled(self.build(**placeholders), placeholders, self.alias)
            self._local.compiled = compiled
        return compiled

    def rows(self, *, suffix: str = "", extra: list | None = None, **values) -> list[tuple]:
        """The raw rows (after the ORM's converters). `suffix` is SQL appended to the query
        (LIMIT/OFFSET), with its own parameters in `extra`."""
        return self._compiled().rows(values, suffix, extra or [])

    def all(self, **values) -> list:
        """Every row, as model instances (select_related() ones included), or as tuples for a
        values_list() queryset."""
        compiled = self._compiled()
        rows = compiled.rows(values, "", [])
        return rows if compiled.flat_values else compiled.instances(rows, self.alias)

    def first(self, **values):
        """The first row, as `all()` gives it, or None."""
        compiled = self._compiled()
        rows = compiled.rows(values, " LIMIT 1", [])
        if not rows:
            return None
        return rows[0] if compiled.flat_values else compiled.instances(rows, self.alias)[0]


# -- writes -----------------------------------------------------------------------------------
# Django's save(update_fields=...) and bulk_create() compile their statements on every call
# (0.6 ms for a two-column UPDATE, 1 ms for a two-row INSERT here). The timer switch runs two
# UPDATEs and one INSERT while it holds the user's lock, so it writes through these instead:
# the same values (each field's pre_save() and get_db_prep_save(), as Model.save does), SQL
# written once per model, columns and backend. No signals are sent: this project uses none.

_write_sql: dict[tuple, str] = {}


def update_fields(instance, field_names, *, using: str = "default") -> None:
    """`instance.save(update_fields=field_names)`, auto_now fields (updated_at) included."""
    connection = connections[using]
    meta = instance._meta
    fields = [meta.get_field(name) for name in field_names]
    fields += [f for f in meta.concrete_fields if getattr(f, "auto_now", False) and f not in fields]
    key = ("update", meta.label, tuple(f.column for f in fields), connection.vendor)
    sql = _write_sql.get(key)
    if sql is None:
        qn = connection.ops.quote_name
        columns = ", ".join(f"{qn(f.column)} = %s" for f in fields)
        sql = f"UPDATE {qn(meta.db_table)} SET {columns} WHERE {qn(meta.pk.column)} = %s"  # noqa: S608
        _write_sql[key] = sql
    params = [f.get_db_prep_save(f.pre_save(instance, False), connection) for f in fields]
    params.append(meta.pk.get_db_prep_value(instance.pk, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        # Inside a pipeline the count is not known before the COMMIT; its callers hold the row's
        # lock, so the row is there (config/pipeline.py).
        if not in_pipeline(using) and cursor.rowcount != 1:
            raise DatabaseError("Save with update_fields did not affect any rows.")


def insert_all(instances: list, *, using: str = "default") -> None:
    """`Model.objects.bulk_create(instances)` for new rows of one model whose primary keys
    are set in Python (UUIDs), in one INSERT."""
    if not instances:
        return
    connection = connections[using]
    meta = instances[0]._meta
    fields = meta.local_concrete_fields
    key = ("insert", meta.label, len(instances), connection.vendor)
    sql = _write_sql.get(key)
    if sql is None:
        qn = connection.ops.quote_name
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        sql = (
            f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "  # noqa: S608
            f"VALUES {', '.join([row] * len(instances))}"
        )
        _write_sql[key] = sql
    params = [
        f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in instances for f in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    for obj in instances:
        obj._state.adding = False
        obj._state.db = using
