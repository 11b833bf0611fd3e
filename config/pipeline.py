"""Statements sent without waiting for each other's answers: psycopg's pipeline mode.

A timer switch holds its user's lock from its first statement to COMMIT, and every statement
used to wait for its own answer: BEGIN, the lock, the two tasks, two UPDATEs, one INSERT and
COMMIT were six round trips under the lock. Inside `pipeline()`, psycopg queues each statement
and sends the queue when a result is needed: a fetch (BEGIN rides with the lock's SELECT) or
the COMMIT (the writes ride with it). The same switch is three round trips, so one user's
switches wait half as long for each other (bench/RESULTS.md).

What changes for the code inside: a statement's errors surface at the next sync (a fetch or the
COMMIT), still inside the atomic block that rolls back, and `cursor.rowcount` of a write is not
known yet. `config.sql.update_fields` therefore does not check its count inside a
pipeline: callers must hold the lock of every row they update (the timer services do). Other
backends (SQLite) run the block unchanged.
"""

from contextlib import contextmanager

from django.db import connections


@contextmanager
def pipeline(using: str = "default"):
    """Run the block's statements in psycopg's pipeline mode (PostgreSQL); nested calls and
    other backends change nothing. Put `transaction.atomic()` inside it, so that its COMMIT
    carries the queued writes."""
    connection = connections[using]
    if connection.vendor != "postgresql" or in_pipeline(using):
        yield
        return
    connection.ensure_connection()
    connection.in_pipeline = True
    try:
        with connection.connection.pipeline():
            yield
    finally:
        connection.in_pipeline = False


def in_pipeline(using: str = "default") -> bool:
    return getattr(connections[using], "in_pipeline", False)
