"""The import itself: read every old table, check it all, then write it in one transaction.

Order of work, and why:

1. The old database's columns are checked against `mapping.TABLES` before any row is read:
   every missing column is named at once, and nothing is written.
2. Every table is read in one read-only snapshot (`source`), then each row is built into its
   new model and checked with the model's field validators (choices, lengths, time zones,
   colours) and the mapping's own rules (a row never points at another person's row). Every
   refusal is collected and reported together; one refusal means nothing is written.
3. In one `transaction.atomic()`: rows whose id is already in the new table are counted and
   left as they are (a second run imports nothing and overwrites nothing), the others are
   inserted with their old ids, then the deferred foreign keys are checked at once
   (`check_constraints`). A dry run does all of it and rolls the transaction back, so it proves
   that the database accepts every row while leaving nothing behind.

Rows are inserted with their old timestamps as they are (`created_at`, `updated_at` included):
a plain INSERT of the model's columns, since `bulk_create` would stamp `auto_now` fields.
"""

from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.legacy.mapping import TABLES, Context, RowError, TableMap
from accounts.legacy.source import legacy_columns, legacy_connect, legacy_rows

BATCH = 500
MAX_REPORTED = 50


class LegacyImportError(Exception):
    """The import refused to run or to finish; nothing was written."""


@dataclass
class TableCount:
    table: str
    present: bool
    read: int = 0
    imported: int = 0
    already: int = 0


def legacy_import(
    *, database_url: str, dry_run: bool = False, password: str | None = None
) -> list[TableCount]:
    with legacy_connect(database_url, password=password) as old:
        columns = legacy_columns(old)
        _check_schema(columns)
        rows = {
            spec.table: legacy_rows(old, spec.table, _columns_to_read(spec, columns[spec.table]))
            for spec in TABLES
            if spec.table in columns
        }
        old.rollback()  # ends the read-only snapshot

    counts = {spec.table: TableCount(spec.table, spec.table in rows) for spec in TABLES}
    built = _build_all(rows, counts)
    _check_emails(built["users"])
    try:
        with transaction.atomic():
            for spec in TABLES:
                _write(spec, built[spec.table], counts[spec.table])
            # Django's foreign keys are deferred to COMMIT; checked now, a dry run checks them too.
            connection.check_constraints()
            if dry_run:
                transaction.set_rollback(True)
    except IntegrityError as exc:
        raise LegacyImportError(f"the new database refused the import: {exc}") from exc
    return [counts[spec.table] for spec in TABLES]


def _check_schema(columns: dict[str, set[str]]) -> None:
    """The users table must exist; any other table may be missing (then it holds nothing to
    import), but a table that exists must have every column its mapping requires."""
    missing = []
    if "users" not in columns:
        missing.append("table users is missing")
    for spec in TABLES:
        present = columns.get(spec.table)
        if present is None:
            continue
        missing += [
            f"table {spec.table} has no column {column}"
            for column in spec.required
            if column not in present
        ]
    if missing:
        raise LegacyImportError(
            "the old database lacks what the import needs, nothing was written:\n  "
            + "\n  ".join(missing)
        )


def _columns_to_read(spec: TableMap, present: set[str]) -> list[str]:
    return spec.required + [column for column in spec.optional if column in present]


def _build_all(rows: dict[str, list[dict]], counts: dict[str, TableCount]) -> dict[str, list]:
    """Every old row as an unsaved model instance, or a LegacyImportError listing every row
    that cannot come over and why."""
    ctx = Context(now=timezone.now())
    built: dict[str, list] = {}
    errors: list[str] = []
    for spec in TABLES:
        model = apps.get_model(spec.model)
        foreign_keys = [f.name for f in model._meta.concrete_fields if f.is_relation]
        owners = ctx.owners.setdefault(spec.table, {})
        built[spec.table] = []
        for row in rows.get(spec.table, []):
            counts[spec.table].read += 1
            try:
                values = spec.build(row, ctx)
                instance = model(**values)
                # Foreign keys are left to the database (one query per row otherwise).
                instance.clean_fields(exclude=foreign_keys)
            except (RowError, ValidationError) as exc:
                if isinstance(exc, RowError):
                    errors.append(f"{spec.table} {row['id']}: {exc.column} {exc.message}")
                else:
                    errors += [
                        f"{spec.table} {row['id']}: {name}: {' '.join(messages)}"
                        for name, messages in exc.message_dict.items()
                    ]
                # Still known as its owner's, so rows pointing at it are judged on their own.
                owners[row["id"]] = row.get("user_id", row["id"])
                continue
            owners[instance.pk] = values.get("user_id", instance.pk)
            built[spec.table].append(instance)
    if errors:
        shown = errors[:MAX_REPORTED]
        more = len(errors) - len(shown)
        raise LegacyImportError(
            f"{len(errors)} old row(s) cannot be imported as they are, nothing was written:\n  "
            + "\n  ".join(shown)
            + (f"\n  ... and {more} more" if more else "")
        )
    return built


def _check_emails(users: list) -> None:
    """An email is one account: two old accounts whose emails differ only in case, or an old
    account whose email someone else registered here (a rehearsal's leftover), is refused."""
    errors, seen = [], {}
    for user in users:
        if user.email in seen:
            errors.append(f"users {user.pk}: email {user.email} is also users {seen[user.email]}")
        seen[user.email] = user.pk
    model = apps.get_model("accounts.User")
    taken = model._default_manager.filter(email__in=list(seen)).exclude(pk__in=seen.values())
    errors += [
        f"users {seen[email]}: email {email} belongs to another account here ({pk})"
        for pk, email in taken.values_list("pk", "email")
    ]
    if errors:
        raise LegacyImportError(
            "accounts cannot be told apart, nothing was written:\n  " + "\n  ".join(errors)
        )


def _write(spec: TableMap, instances: list, count: TableCount) -> None:
    model = apps.get_model(spec.model)
    fields = model._meta.concrete_fields
    # Names from the model's own metadata, quoted; every value is a parameter.
    insert = "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608
        connection.ops.quote_name(model._meta.db_table),
        ", ".join(connection.ops.quote_name(f.column) for f in fields),
    )
    one_row = "({})".format(", ".join(["%s"] * len(fields)))
    for start in range(0, len(instances), BATCH):
        batch = instances[start : start + BATCH]
        there = set(
            model._default_manager.filter(pk__in=[i.pk for i in batch]).values_list("pk", flat=True)
        )
        new = [i for i in batch if i.pk not in there]
        count.already += len(there)
        count.imported += len(new)
        if not new:
            continue
        params = [
            f.get_db_prep_save(getattr(instance, f.attname), connection)
            for instance in new
            for f in fields
        ]
        with connection.cursor() as cursor:
            try:
                cursor.execute(insert + ", ".join([one_row] * len(new)), params)
            except IntegrityError as exc:
                raise LegacyImportError(
                    f"the new database refused a row of {spec.table}, nothing was written: {exc}"
                ) from exc
