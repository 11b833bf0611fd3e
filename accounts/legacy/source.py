"""The Fastify service's PostgreSQL, read and never written.

Every transaction on the connection is READ ONLY twice over: the session starts with
`default_transaction_read_only = on` and psycopg begins each transaction READ ONLY, so the
server itself refuses any INSERT, UPDATE, DELETE or DDL, whatever the code above asks. All
tables are read in one REPEATABLE READ transaction: one snapshot, even if something still
writes to the old database while the import reads it.
"""

import psycopg
from psycopg import sql
from psycopg.rows import dict_row


def legacy_connect(database_url: str, *, password: str | None = None) -> psycopg.Connection:
    options = {"options": "-c default_transaction_read_only=on", "connect_timeout": 10}
    if password:
        options["password"] = password
    connection = psycopg.connect(database_url, row_factory=dict_row, **options)
    connection.read_only = True
    connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    return connection


def legacy_columns(connection: psycopg.Connection) -> dict[str, set[str]]:
    """The old database's tables (in its current schema) and their columns."""
    found: dict[str, set[str]] = {}
    rows = connection.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema()"
    )
    for row in rows:
        found.setdefault(row["table_name"], set()).add(row["column_name"])
    return found


def legacy_rows(connection: psycopg.Connection, table: str, columns: list[str]) -> list[dict]:
    """Every row of `table`, only `columns`, in id order."""
    query = sql.SQL("SELECT {} FROM {} ORDER BY id").format(
        sql.SQL(", ").join(sql.Identifier(column) for column in columns), sql.Identifier(table)
    )
    return connection.execute(query).fetchall()
