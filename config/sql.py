"""The statements every request runs, written once in SQL from the models' own metadata.

Django compiles a queryset to SQL on every call, and on a small VPS that costs more than
PostgreSQL takes to run it (bench/RESULTS.md has the figures). The statements every request
makes (the user row, the user's lock, a task under its lock, the first page of tasks) have a
fixed shape, so `Statement` writes each one once per database vendor and afterwards only
executes it; psycopg prepares it on the server after a few runs (`prepare_threshold` in
config/settings.py). Rows become instances through `Model.from_db`, with the converters the
fields and the backend declare, so they are the instances the ORM would build.

Only public interfaces: the model `_meta` API, `Field.get_col()`/`get_db_converters()`,
`Field.get_db_prep_value()`/`get_db_prep_save()`/`pre_save()`, `connection.ops`
(`quote_name`, `for_update_sql`, `get_db_converters`), `Model.from_db` and `Model._state`.
"""

from collections.abc import Callable, Sequence

from django.db import DatabaseError, connections
from django.db.models import Model

from config.pipeline import in_pipeline


class Columns:
    """Some concrete fields of a model (all by default) as they are selected from `alias`,
    and how a row's slice becomes an instance."""

    def __init__(self, model: type[Model], alias: str, names: Sequence[str] | None = None):
        meta = model._meta
        self.model = model
        self.alias = alias
        fields = meta.concrete_fields
        if names is not None:
            fields = [meta.get_field(name) for name in names]
        self.fields = list(fields)
        self.attnames = [field.attname for field in self.fields]

    def __len__(self) -> int:
        return len(self.fields)

    def sql(self, connection) -> str:
        qn = connection.ops.quote_name
        return ", ".join(f"{qn(self.alias)}.{qn(field.column)}" for field in self.fields)

    def converters(self, connection, offset: int) -> list[tuple[int, list]]:
        found = []
        for index, field in enumerate(self.fields):
            column = field.get_col(self.alias)
            converters = connection.ops.get_db_converters(column)
            converters += column.get_db_converters(connection)
            if converters:
                found.append((offset + index, column, converters))
        return found

    def instance(self, values: Sequence, using: str):
        return self.model.from_db(using, self.attnames, values)


class _Prepared:
    def __init__(self, sql: str, columns: Sequence[Columns], connection):
        self.sql = sql
        self.columns = list(columns)
        self.converters = []
        offset = 0
        self.slices = []
        for group in self.columns:
            self.converters += group.converters(connection, offset)
            self.slices.append(slice(offset, offset + len(group)))
            offset += len(group)


class Statement:
    """`build(connection)` -> (sql, [Columns, ...]): the SQL, with `%s` placeholders, and the
    column groups it selects first, in order (any further columns are returned as they come).
    Built once per database alias and vendor."""

    def __init__(self, build: Callable, using: str = "default"):
        self.build = build
        self.using = using
        self._built: dict[str, _Prepared] = {}

    def _prepared(self, connection) -> _Prepared:
        prepared = self._built.get(connection.vendor)
        if prepared is None:
            sql, columns = self.build(connection)
            prepared = self._built[connection.vendor] = _Prepared(sql, columns, connection)
        return prepared

    def rows(self, params: Sequence) -> list[list]:
        """Every row, its values converted as the ORM converts them."""
        connection = connections[self.using]
        prepared = self._prepared(connection)
        with connection.cursor() as cursor:
            cursor.execute(prepared.sql, params)
            rows = cursor.fetchall()
        if not prepared.converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for index, column, converters in prepared.converters:
                value = row[index]
                for converter in converters:
                    value = converter(value, column, connection)
                row[index] = value
            converted.append(row)
        return converted

    def instances(self, params: Sequence) -> list[tuple]:
        """Per row, one instance per column group (None for a group whose primary key is
        NULL: an outer join that found nothing), then the remaining values."""
        connection = connections[self.using]
        prepared = self._prepared(connection)
        out = []
        for row in self.rows(params):
            objects = []
            for group, part in zip(prepared.columns, prepared.slices, strict=True):
                values = row[part]
                objects.append(None if values[0] is None else group.instance(values, self.using))
            out.append((*objects, *row[prepared.slices[-1].stop if prepared.slices else 0 :]))
        return out


def select_with_related(
    connection,
    primary: Columns,
    related: Columns,
    foreign_key: str,
    *,
    where: str,
    extra: str = "",
    order_by: str = "",
    lock: bool = False,
) -> str:
    """SELECT `primary`'s columns, then `related`'s (LEFT JOIN on primary.<foreign_key>, so
    NULL when it points nowhere), then `extra` SQL; filtered by `where`, in `order_by`, and
    FOR UPDATE of the primary rows only when `lock`. The shape of every hot read of a row
    with its category (tasks, goals)."""
    qn = connection.ops.quote_name
    column = primary.model._meta.get_field(foreign_key).column
    target = related.model._meta.pk.column
    order = f" ORDER BY {order_by}" if order_by else ""
    locked = for_update(connection, of=[primary.alias]) if lock else ""
    return (
        f"SELECT {primary.sql(connection)}, {related.sql(connection)}{extra}"  # noqa: S608
        f" FROM {qn(primary.alias)} LEFT JOIN {qn(related.alias)}"
        f" ON {qn(related.alias)}.{qn(target)} = {qn(primary.alias)}.{qn(column)}"
        f" WHERE {where}{order}{locked}"
    )


def pk_param(model: type[Model], value, using: str = "default"):
    """A primary key as the backend stores it (a UUID for PostgreSQL, its hex for SQLite)."""
    return model._meta.pk.get_db_prep_value(value, connections[using])


def for_update(connection, *, no_key: bool = False, of: Sequence[str] = ()) -> str:
    """` FOR [NO KEY] UPDATE [OF ...]` where the backend has row locks, else nothing."""
    if not connection.features.has_select_for_update:
        return ""
    of = of if connection.features.has_select_for_update_of else ()
    no_key = no_key and connection.features.has_select_for_no_key_update
    qn = connection.ops.quote_name
    sql = connection.ops.for_update_sql(of=[qn(name) for name in of], no_key=no_key)
    return " " + sql


# -- writes -----------------------------------------------------------------------------------
# Model.save(update_fields=...) and bulk_create() compile their statements on every call. The
# writes every request makes go through these instead: the same values (each field's
# pre_save() and get_db_prep_save(), as Model.save does), SQL written once per model, columns
# and backend. No signals are sent: this project uses none on these models.

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
