"""Errors reach Sentry (here a local fake of its ingestion endpoint, tests/fakes/sentry_server.py)
when a DSN is set, tagged with the request id and the role, without personal data: no request
body, no email, no token, of the user only the id."""

import io
import json
import logging
import os
import subprocess
import sys
from wsgiref.util import setup_testing_defaults

import pytest
import sentry_sdk
from django.core.handlers.wsgi import WSGIHandler

from config.observability import context
from config.observability.errors import init_sentry
from tests.conftest import access_token_for
from tests.fakes.sentry_server import FakeSentry
from tests.observability.test_log_format import ROOT

BODY_TEXT = "nota confidencial 4d2c"


@pytest.fixture
def sentry():
    """Sentry on, as settings turn it on with SENTRY_DSN, sending to a local fake; off again
    after the test."""
    server = FakeSentry().start()
    assert init_sentry(dsn=server.dsn, role="http", environment="test")
    yield server
    sentry_sdk.get_client().close(timeout=2)
    sentry_sdk.get_global_scope().set_client(None)
    server.stop()


def sent_events(server: FakeSentry) -> list[dict]:
    sentry_sdk.flush(timeout=5)
    return server.events


def wsgi_post(path: str, payload: dict, **headers) -> tuple[str, dict]:
    """POST through Django's WSGI handler itself, the entry point granian calls (the test client
    skips it, and with it the part of Sentry's integration that reads the request)."""
    body = json.dumps(payload).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "HTTP_HOST": "testserver",
        **{f"HTTP_{name.upper()}": value for name, value in headers.items()},
    }
    setup_testing_defaults(environ)
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer.update(status=status, headers=dict(response_headers))

    b"".join(WSGIHandler()(environ, start_response))
    return answer["status"], answer["headers"]


# transaction=True: the WSGI handler closes the database connection after the request.
@pytest.mark.django_db(transaction=True)
@pytest.mark.urls("tests.observability.urls")
def test_an_exception_in_a_view_reaches_sentry_with_the_request_id_and_no_personal_data(
    sentry, user
):
    token = access_token_for(user)

    status, headers = wsgi_post(
        "/api/v1/failing",
        {"note": BODY_TEXT},
        authorization=f"Bearer {token}",
        x_request_id="req-sentry-1",
        x_forwarded_for="203.0.113.9",
    )

    assert status.startswith("500")
    assert headers["X-Request-Id"] == "req-sentry-1"
    [event] = sent_events(sentry)
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["exception"]["values"][-1]["value"] == "could not file the note of [email]"
    assert event["tags"]["request_id"] == "req-sentry-1"
    assert event["tags"]["role"] == "http"
    assert event["user"] == {"id": str(user.pk)}
    assert event["request"]["method"] == "POST"
    assert event["request"]["url"].endswith("/api/v1/failing")
    assert "data" not in event["request"]
    sent = b"".join(sentry.raw).decode()
    for value in (user.email, BODY_TEXT, token, "203.0.113.9"):
        assert value not in sent


def test_an_error_line_reaches_sentry_tagged_with_its_unit_of_work(sentry):
    # What a failed job in the worker or a crashed websocket turn leaves: an ERROR line.
    bound = context.start(request_id="req-job-2", job_id="job-2", user_id="user-2")
    try:
        try:
            raise ValueError("the mail to someone@example.org bounced")
        except ValueError:
            logging.getLogger("summaries.tasks").exception("summary job failed")
    finally:
        context.reset(bound)

    [event] = sent_events(sentry)
    assert event["logger"] == "summaries.tasks"
    assert (event["tags"]["request_id"], event["tags"]["job_id"]) == ("req-job-2", "job-2")
    assert event["user"] == {"id": "user-2"}
    assert "someone@example.org" not in b"".join(sentry.raw).decode()


def test_sentry_is_off_without_a_dsn():
    assert init_sentry(dsn="", role="http", environment="test") is False
    assert init_sentry(dsn=None, role="http", environment="test") is False


SHOW_SENTRY = """
import json, django
django.setup()
import sentry_sdk
client = sentry_sdk.get_client()
options = client.options if client.is_active() else {}
print(json.dumps({
    "active": client.is_active(),
    "pii": options.get("send_default_pii"),
    "bodies": options.get("max_request_body_size"),
    "locals": options.get("include_local_variables"),
    "integrations": sorted(client.integrations) if client.is_active() else [],
}))
"""


@pytest.mark.parametrize("dsn", ["", "http://key@127.0.0.1:9/1"])
def test_the_settings_turn_sentry_on_exactly_when_sentry_dsn_is_set(dsn):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SENTRY_", "DATABASE_"))}
    result = subprocess.run(
        [sys.executable, "-c", SHOW_SENTRY],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings", "SENTRY_DSN": dsn},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.splitlines()[-1])
    assert shown["active"] is bool(dsn)
    if dsn:
        assert (shown["pii"], shown["bodies"], shown["locals"]) == (False, "never", False)
        assert {"django", "logging"} <= set(shown["integrations"])
        assert "openai" not in shown["integrations"]
