"""How database connections are kept depends on the server running the process, which its entry
point declares (APP_SERVER): persistent connections in WSGI workers, Django's psycopg pool under
Daphne, a statement timeout in both. Checked in a fresh interpreter that imports the real entry
point."""

import json

import pytest

from tests.config.test_settings_env import run
from tests.ws.daphne import _test_database_url

POSTGRES = "postgres://agente@db.invalid:5432/agente"

PRINT_DATABASE = """
import json, sys
import importlib
importlib.import_module(sys.argv[1])
from django.conf import settings
from django.db import connection
db = settings.DATABASES["default"]
pool = connection.pool  # built (not opened) by Django from OPTIONS["pool"]
print(json.dumps({
    "app_server": settings.APP_SERVER,
    "conn_max_age": db["CONN_MAX_AGE"],
    "health_checks": db.get("CONN_HEALTH_CHECKS", False),
    "pool_options": db["OPTIONS"].get("pool"),
    "pool_max_size": pool.max_size if pool else None,
    "pool_checks": bool(pool and pool._check),
    "options": db["OPTIONS"].get("options"),
    "server_side_binding": db["OPTIONS"].get("server_side_binding"),
    "prepare_threshold": db["OPTIONS"].get("prepare_threshold"),
}))
"""


def database_settings(entry_point: str, **env) -> dict:
    env = {"DATABASE_URL": POSTGRES, "APP_SERVER": None, **env}
    result = run(["-c", PRINT_DATABASE, entry_point], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_wsgi_workers_keep_one_persistent_health_checked_connection():
    values = database_settings("config.wsgi")

    assert values["app_server"] == "wsgi"
    assert values["conn_max_age"] == 600
    assert values["health_checks"] is True
    assert values["pool_options"] is None


def test_daphne_shares_a_bounded_pool_of_connections():
    values = database_settings("config.asgi")

    assert values["app_server"] == "asgi"
    assert values["pool_options"] == {
        "min_size": 1,
        "max_size": 4,
        "timeout": 10,
        "reconnect_timeout": 5,
    }
    assert values["pool_max_size"] == 4
    # Django gives the pool a check: a connection that broke in the pool is never handed out.
    assert values["health_checks"] is True
    assert values["pool_checks"] is True
    assert values["conn_max_age"] == 0  # Django refuses a pool with persistent connections


def test_pool_size_and_connection_age_come_from_the_environment():
    assert database_settings("config.asgi", DATABASE_POOL_MAX_SIZE="9")["pool_max_size"] == 9
    assert database_settings("config.wsgi", DATABASE_CONN_MAX_AGE="60")["conn_max_age"] == 60


def test_other_processes_close_connections_after_each_request_as_before():
    values = database_settings("config.settings")

    assert values["app_server"] == ""
    assert values["conn_max_age"] == 0
    assert values["pool_options"] is None


def test_servers_cancel_a_statement_after_30_seconds_and_other_processes_never_do():
    # lock waits count: a request stuck behind a row lock is canceled too (config/settings.py)
    for entry_point in ("config.wsgi", "config.asgi"):
        assert database_settings(entry_point)["options"] == "-c statement_timeout=30000"
    assert database_settings("config.settings")["options"] is None


def test_statement_timeout_comes_from_the_environment_and_keeps_the_url_options():
    url = f"{POSTGRES}?options=-c%20search_path%3Dagente"
    values = database_settings(
        "config.wsgi", DATABASE_URL=url, DATABASE_STATEMENT_TIMEOUT_SECONDS="2.5"
    )
    assert values["options"] == "-c search_path=agente -c statement_timeout=2500"
    assert (
        database_settings("config.wsgi", DATABASE_STATEMENT_TIMEOUT_SECONDS="0")["options"] is None
    )


SLEEP_PAST_THE_TIMEOUT = """
import importlib, sys, time
importlib.import_module("config.wsgi")
from django.db import OperationalError, connection
started = time.monotonic()
try:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(5)")
    print("not canceled")
except OperationalError as exc:
    print(type(exc.__cause__).__name__, round(time.monotonic() - started, 1))
"""


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_cancels_a_server_statement_that_runs_past_the_timeout(tmp_path):
    """On a real PostgreSQL: the statement is canceled, as the OperationalError that the app
    answers 503 for (config/outage.py), instead of holding the worker."""
    result = run(
        ["-c", SLEEP_PAST_THE_TIMEOUT],
        DATABASE_URL=_test_database_url(tmp_path),
        APP_SERVER=None,
        DATABASE_STATEMENT_TIMEOUT_SECONDS="0.5",
    )
    assert result.returncode == 0, result.stderr
    name, seconds = result.stdout.split()
    assert name == "QueryCanceled"
    assert float(seconds) < 3


def test_postgresql_statements_are_bound_server_side_and_prepared_unless_turned_off():
    # Django's default is prepare_threshold None: nothing prepared, every request planned anew.
    for entry_point in ("config.wsgi", "config.asgi", "config.settings"):
        values = database_settings(entry_point)
        assert values["server_side_binding"] is True
        assert values["prepare_threshold"] == 5
    # A pooler in transaction mode: neither.
    values = database_settings("config.wsgi", DATABASE_SERVER_SIDE_BINDING="false")
    assert values["server_side_binding"] is False
    assert values["prepare_threshold"] is None


RUN_A_QUERY_SIX_TIMES = """
import importlib, json
importlib.import_module("config.wsgi")
from django.db import connection
with connection.cursor() as cursor:
    for _ in range(6):
        cursor.execute("SELECT %s::int + 1", [41])
    cursor.execute(
        "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'SELECT $1::int + 1'"
    )
    print(json.dumps(cursor.fetchone()[0]))
"""


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize(("binding", "prepared"), [(None, 1), ("false", 0)])
def test_postgresql_prepares_a_statement_a_connection_runs_often(tmp_path, binding, prepared):
    result = run(
        ["-c", RUN_A_QUERY_SIX_TIMES],
        DATABASE_URL=_test_database_url(tmp_path),
        APP_SERVER=None,
        DATABASE_SERVER_SIDE_BINDING=binding,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == prepared
