"""Persistent connections skip Django's `SELECT 1` health check while in steady use, and are
still checked (and replaced when broken) after an idle spell or an error."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from config.db_postgresql import base as backend

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


connection = connections["default"]  # the wrapper itself, not the proxy: attributes are patched


def _health_checks_sent(monkeypatch) -> list:
    connection.ensure_connection()
    assert connection.health_check_enabled  # CONN_HEALTH_CHECKS, as in production
    sent = []
    real = connection.is_usable

    def counting_is_usable():
        sent.append(1)
        return real()

    monkeypatch.setattr(connection, "is_usable", counting_is_usable)
    return sent


def _next_request_first_query():
    connection.health_check_done = False  # what request_finished leaves
    with CaptureQueriesContext(connection):
        connection.close_if_health_check_failed()
        connection.cursor().execute("SELECT 1")


def test_a_connection_used_a_moment_ago_is_not_checked_again(monkeypatch):
    sent = _health_checks_sent(monkeypatch)
    connection.cursor().execute("SELECT 1")
    _next_request_first_query()
    assert sent == []


def test_an_idle_connection_is_checked(monkeypatch):
    sent = _health_checks_sent(monkeypatch)
    connection.cursor().execute("SELECT 1")
    monkeypatch.setattr(
        connection, "_used_at", connection._used_at - 2 * backend.RECENTLY_USED_SECONDS
    )
    _next_request_first_query()
    assert sent == [1]


def test_a_connection_that_saw_an_error_is_checked(monkeypatch):
    sent = _health_checks_sent(monkeypatch)
    connection.cursor().execute("SELECT 1")
    monkeypatch.setattr(connection, "errors_occurred", True)
    _next_request_first_query()
    assert sent == [1]
