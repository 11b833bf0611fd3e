"""The format of a line: one JSON object in production (or with LOG_FORMAT=json), readable text
in development, each naming the process's role. Settings are read in a fresh interpreter per
case, as the roles read them."""

import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from config.observability import context
from config.observability.logs import TextFormatter

ROOT = Path(__file__).resolve().parents[2]

LOG_A_LINE = """
import django, logging
django.setup()
logging.getLogger("summaries.tasks").warning("a line for %s", "the operator")
"""


def run(code: str, **env_changes) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "JWT_", "LOG_", "APP_", "SENTRY_"))
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.update(DJANGO_SETTINGS_MODULE="config.settings", **env_changes)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def production(**env) -> dict:
    return {
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "JWT_SIGNING_KEY": secrets.token_urlsafe(48),
        "DJANGO_ALLOWED_HOSTS": "api.example.org",
        "EMAIL_URL": "smtp+tls://agente@smtp.example.org:587",
        **env,
    }


def test_production_writes_one_json_object_per_line_naming_the_role():
    result = run(LOG_A_LINE, **production(APP_ROLE="worker"))

    assert result.returncode == 0, result.stderr
    [line] = [json.loads(text) for text in result.stderr.splitlines()]
    assert list(line) == ["time", "level", "role", "logger", "message"]
    assert line["time"].endswith("+00:00")
    assert (line["level"], line["role"], line["logger"], line["message"]) == (
        "WARNING",
        "worker",
        "summaries.tasks",
        "a line for the operator",
    )


def test_development_writes_readable_text():
    result = run(LOG_A_LINE, APP_ROLE="scheduler")

    assert result.returncode == 0, result.stderr
    [line] = result.stderr.splitlines()
    assert line.endswith(" WARNING scheduler summaries.tasks a line for the operator")


def test_log_format_json_turns_json_on_outside_production():
    result = run(LOG_A_LINE, LOG_FORMAT="json")

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stderr)["role"] == "manage"  # no APP_ROLE, no server


def test_an_unknown_log_format_is_refused():
    result = run(LOG_A_LINE, LOG_FORMAT="xml")

    assert result.returncode != 0
    assert "LOG_FORMAT must be json or text." in result.stderr


@pytest.mark.parametrize(("server", "role"), [("wsgi", "http"), ("asgi", "ws")])
def test_a_server_started_without_a_role_is_named_by_its_server(server, role):
    result = run(LOG_A_LINE, LOG_FORMAT="json", APP_SERVER=server)

    assert json.loads(result.stderr)["role"] == role


def test_the_text_format_adds_the_ids_of_the_unit_of_work_after_the_first_line():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "it broke", None, None)
    record.role = "http"
    record.request_id = "req-1"
    record.user_id = "u-1"
    try:
        raise ValueError("boom")
    except ValueError:
        record.exc_info = sys.exc_info()

    first, *rest = TextFormatter().format(record).splitlines()

    assert first.endswith(" ERROR http x it broke request_id=req-1 user_id=u-1")
    assert rest[0] == "Traceback (most recent call last):"


def test_the_context_fields_are_added_without_overriding_the_calls_own(json_logs):
    token = context.start(request_id="req-1", user_id="u-1")
    try:
        logging.getLogger("x").info("one", extra={"user_id": "given"})
    finally:
        context.reset(token)

    [line] = json_logs.where(logger="x")
    assert (line["request_id"], line["user_id"]) == ("req-1", "given")


def test_a_value_that_is_not_plain_is_written_as_its_type_never_its_repr(json_logs):
    class Secretive:
        def __repr__(self):
            return "password=hunter2"

        __str__ = __repr__

    logging.getLogger("x").info("one", extra={"thing": Secretive()})

    [line] = json_logs.where(logger="x")
    assert line["thing"] == "<Secretive>"
    assert "hunter2" not in json_logs.text
