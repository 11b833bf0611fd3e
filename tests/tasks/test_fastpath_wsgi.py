"""Under WSGI, GET /api/v1/tasks is answered in front of the middleware stack
(config/fastpath.py). Its answers must be the full stack's, status, headers and body, and every
request it should not take must reach the full stack untouched."""

import io
import json
import logging
import sys
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished
from django.db import OperationalError
from django.test import override_settings
from rest_framework_simplejwt.tokens import AccessToken

from config.fastpath import FastPaths
from config.wsgi import application
from tasks.models import Task, TaskEvent
from tasks.selectors import session_page
from tests.conftest import access_token_for

pytestmark = pytest.mark.django_db(transaction=True)

django_app = application.application


class FullStack:
    """The WSGI application behind the fast path, recording what reached it."""

    def __init__(self, app=django_app):
        self.app = app
        self.calls = []

    def __call__(self, environ, start_response):
        self.calls.append(environ["PATH_INFO"])
        return self.app(environ, start_response)


def _environ(path="/api/v1/tasks", query="", token=None, **extra):
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        # The same id for both answers (else each makes its own, config/observability).
        "HTTP_X_REQUEST_ID": "req-fast-1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    if token:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    environ.update(extra)
    return environ


def _call(app, environ):
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, headers

    result = app(dict(environ), start_response)
    try:
        body = b"".join(result)
    finally:
        getattr(result, "close", lambda: None)()
    return seen["status"], sorted(seen["headers"]), body


@pytest.fixture
def full_stack():
    return FullStack()


@pytest.fixture
def fast(full_stack):
    return FastPaths(full_stack, application.route_names)


@pytest.mark.parametrize(
    ("path", "query", "extra"),
    [
        ("/api/v1/tasks", "", {}),
        ("/api/v1/tasks/", "", {}),
        ("/api/v1/tasks", "page=2&page_size=3", {}),
        ("/api/v1/tasks", "page_size=500", {}),
        ("/api/v1/tasks", "", {"HTTP_ACCEPT_LANGUAGE": "en"}),
        ("/api/v1/tasks", "", {"HTTP_ORIGIN": "https://app.example.org"}),
        ("/api/v1/tasks", "", {"HTTP_ORIGIN": "https://evil.example.net"}),
    ],
)
@override_settings(CORS_ALLOWED_ORIGINS=["https://app.example.org"])
def test_the_fast_answer_is_the_full_stacks_answer(fast, full_stack, token, path, query, extra):
    environ = _environ(path, query, token, **extra)

    answered_fast = _call(fast, environ)
    assert full_stack.calls == []  # answered in front of the stack
    answered_by_stack = _call(django_app, environ)

    assert answered_fast[0] == "200 OK"
    assert answered_fast == answered_by_stack


def test_a_fast_answer_has_the_stacks_request_id_and_access_line(fast, token, caplog):
    environ = _environ(token=token)
    caplog.set_level("INFO", logger="access")

    fast_headers = dict(_call(fast, environ)[1])
    stack_headers = dict(_call(django_app, environ)[1])

    assert fast_headers["X-Request-Id"] == stack_headers["X-Request-Id"] == "req-fast-1"
    fast_line, stack_line = (r for r in caplog.records if r.name == "access")
    assert (fast_line.route, fast_line.method, fast_line.status) == ("task-list", "GET", 200)
    assert (stack_line.route, stack_line.method, stack_line.status) == ("task-list", "GET", 200)


def test_the_users_language_and_the_security_headers_are_there(fast, user, token):
    user.language = "en"
    user.save(update_fields=["language"])

    status, headers, _ = _call(fast, _environ(token=token, HTTP_ACCEPT_LANGUAGE="es"))

    headers = dict(headers)
    assert status == "200 OK"
    assert headers["Content-Language"] == "en"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "Accept-Language" in headers["Vary"]


@override_settings(
    SECURE_SSL_REDIRECT=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    SECURE_HSTS_SECONDS=3600,
)
def test_https_rules_apply_as_in_the_stack(token):
    # Middleware read their settings when built: both stacks are built under these settings.
    stack = WSGIHandler()
    full_stack = FullStack(stack)
    fast = FastPaths(full_stack, application.route_names)
    # Plain HTTP: the stack redirects, so the fast path does not take it.
    assert _call(fast, _environ(token=token))[0].startswith("301")
    assert full_stack.calls == ["/api/v1/tasks"]

    secure = _environ(token=token, HTTP_X_FORWARDED_PROTO="https")
    answered = _call(fast, secure)
    assert full_stack.calls == ["/api/v1/tasks"]  # taken this time
    assert dict(answered[1])["Strict-Transport-Security"] == "max-age=3600"
    assert answered == _call(stack, secure)


def _expired(user):
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-timedelta(seconds=1))
    return str(token)


@pytest.mark.parametrize(
    "case",
    [
        "no token",
        "bad token",
        "expired token",
        "inactive user",
        "revoked sessions",
        "filter",
        "page past the end",
        "encoded query",
        "body",
        "bad host",
        "other accept",
        "other method",
    ],
)
def test_every_other_request_reaches_the_full_stack_untouched(fast, full_stack, token, user, case):
    environ = _environ(token=token)
    if case == "no token":
        del environ["HTTP_AUTHORIZATION"]
    elif case == "bad token":
        environ["HTTP_AUTHORIZATION"] = "Bearer not-a-token"
    elif case == "expired token":
        environ["HTTP_AUTHORIZATION"] = f"Bearer {_expired(user)}"
    elif case == "inactive user":
        user.is_active = False
        user.save()
    elif case == "revoked sessions":
        user.token_generation += 1
        user.save(update_fields=["token_generation"])
    elif case == "filter":
        environ["QUERY_STRING"] = "status=pending"
    elif case == "page past the end":
        environ["QUERY_STRING"] = "page=9"
    elif case == "encoded query":
        environ["QUERY_STRING"] = "page=%00"
    elif case == "body":
        environ["CONTENT_LENGTH"] = "2"
        environ["wsgi.input"] = io.BytesIO(b"{}")
    elif case == "bad host":
        environ["HTTP_HOST"] = "evil.example.net"
    elif case == "other accept":
        environ["HTTP_ACCEPT"] = "text/html"
    elif case == "other method":
        environ["REQUEST_METHOD"] = "HEAD"

    answered = _call(fast, environ)

    assert full_stack.calls == ["/api/v1/tasks"]
    if case in ("filter", "other method", "body"):
        assert answered[0] == "200 OK"
    else:
        assert not answered[0].startswith(("200", "500"))


def test_a_token_refused_once_is_refused_again_after_it_was_accepted(fast, full_stack, user, token):
    assert _call(fast, _environ(token=token))[0] == "200 OK"
    user.token_generation += 1  # "log out everywhere" after the token was validated and cached
    user.save(update_fields=["token_generation"])

    status, _, body = _call(fast, _environ(token=token))

    assert status.startswith("401")
    assert b"token_not_valid" in body


def test_a_database_error_is_left_to_the_stack(fast, full_stack, token, monkeypatch):
    calls = []

    original = session_page.task_page_with_session

    def failing_page(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:  # the fast path's attempt; the stack's attempt succeeds
            raise OperationalError("connection lost")
        return original(**kwargs)

    monkeypatch.setattr(session_page, "task_page_with_session", failing_page)

    assert _call(fast, _environ(token=token))[0] == "200 OK"
    assert full_stack.calls == ["/api/v1/tasks"]
    assert len(calls) == 2


def test_a_bug_in_the_fast_path_is_logged_and_the_stack_answers(
    fast, full_stack, token, monkeypatch, caplog
):
    original = session_page.task_page_with_session
    calls = []

    def broken_once(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise KeyError("bug")
        return original(**kwargs)

    monkeypatch.setattr(session_page, "task_page_with_session", broken_once)

    with caplog.at_level(logging.ERROR, logger="config.fastpath"):
        assert _call(fast, _environ(token=token))[0] == "200 OK"

    assert full_stack.calls == ["/api/v1/tasks"]
    assert "fast path failed" in caplog.text


def test_the_request_ends_as_djangos_does(fast, full_stack, token):
    finished = []

    def receiver(**kwargs):
        finished.append(kwargs["sender"])

    request_finished.connect(receiver)
    try:
        _call(fast, _environ(token=token))
    finally:
        request_finished.disconnect(receiver)

    assert finished == [FastPaths]  # once, when the server closes the response


# -- the timer actions (tasks/views/fast.py) ----------------------------------------------------


def _post(path, token=None, **extra):
    return _environ(path, token=token, REQUEST_METHOD="POST", **extra)


@pytest.fixture
def frozen_now(monkeypatch):
    from django.utils import timezone

    from tests.tasks.conftest import T0

    monkeypatch.setattr(timezone, "now", lambda: T0)
    return T0


def test_each_fast_timer_switch_is_logged_with_its_own_route(
    fast, full_stack, user, make_task, caplog
):
    task = make_task(user, title="Uno")
    token = access_token_for(user)
    caplog.set_level("INFO", logger="access")

    for action in ("start", "pause", "start"):
        assert _call(fast, _post(f"/api/v1/tasks/{task.pk}/{action}", token))[0] == "200 OK"

    assert full_stack.calls == []
    routes = [r.route for r in caplog.records if r.name == "access"]
    assert routes == ["task-start", "task-pause", "task-start"]


def _running(user):
    return list(Task.objects.filter(user=user, running_since__isnull=False).values_list("title"))


def test_a_timer_switch_is_answered_in_front_of_the_stack_as_the_stack_would(
    fast, full_stack, user, other_user, make_task, frozen_now
):
    first, second = make_task(user, title="Uno"), make_task(user, title="Dos")
    twin_first, twin_second = make_task(other_user, title="Uno"), make_task(other_user, title="Dos")
    token, twin_token = access_token_for(user), access_token_for(other_user)

    for task, twin in ((first, twin_first), (second, twin_second)):
        fast_answer = _call(fast, _post(f"/api/v1/tasks/{task.pk}/start", token))
        stack_answer = _call(django_app, _post(f"/api/v1/tasks/{twin.pk}/start/", twin_token))
        assert fast_answer[0] == stack_answer[0] == "200 OK"
        assert fast_answer[1] == stack_answer[1]  # headers (the bodies are the same length)
        fast_body, stack_body = json.loads(fast_answer[2]), json.loads(stack_answer[2])
        assert fast_body["id"] == str(task.pk) and stack_body["id"] == str(twin.pk)
        mine = ("id", "created_at", "updated_at")  # the twin's own
        assert {k: v for k, v in fast_body.items() if k not in mine} == {
            k: v for k, v in stack_body.items() if k not in mine
        }
    assert full_stack.calls == []
    assert _running(user) == [("Dos",)]  # the switch paused the first
    assert Task.objects.get(pk=first.pk).status == "paused"
    assert TaskEvent.objects.filter(task__user=user, type="paused").count() == 1


@pytest.mark.parametrize("action", ["pause", "complete", "reopen"])
def test_every_timer_action_is_answered_in_front_of_the_stack(
    fast, full_stack, user, make_task, frozen_now, action
):
    from tasks import services

    task = make_task(user, title="Uno")
    services.task_start(user=user, task=task, source="api", now=frozen_now)
    if action == "reopen":
        services.task_complete(user=user, task=task, source="api", now=frozen_now)
    expected = {"pause": "paused", "complete": "completed", "reopen": "paused"}[action]

    answer = _call(fast, _post(f"/api/v1/tasks/{task.pk}/{action}", access_token_for(user)))

    assert answer[0] == "200 OK"
    assert json.loads(answer[2])["status"] == expected
    assert Task.objects.get(pk=task.pk).status == expected
    assert full_stack.calls == []


@pytest.mark.parametrize(
    "case",
    [
        "another user's task",
        "malformed id",
        "completed task",
        "pause when not running",
        "bad token",
        "inactive user",
        "throttled",
        "a body",
    ],
)
def test_every_refused_timer_action_is_answered_by_the_stack_and_changes_nothing(
    fast, full_stack, user, other_user, make_task, settings, case
):
    from tasks import services

    task = make_task(user, title="Uno")
    token = access_token_for(user)
    action, extra = "start", {}
    if case == "another user's task":
        task = make_task(other_user, title="Ajena")
    elif case == "malformed id":
        task = SimpleNamespace(pk="not-a-uuid")
    elif case == "completed task":
        services.task_complete(user=user, task=task, source="api")
    elif case == "pause when not running":
        action = "pause"
    elif case == "bad token":
        token = "not-a-token"
    elif case == "inactive user":
        user.is_active = False
        user.save()
    elif case == "throttled":
        settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "user": "1/min"}
        assert _call(django_app, _environ(token=token))[0] == "200 OK"  # the one unit
    elif case == "a body":
        extra = {"CONTENT_LENGTH": "2", "wsgi.input": io.BytesIO(b"{}")}
    path = f"/api/v1/tasks/{task.pk}/{action}"
    before = list(Task.objects.order_by("pk").values_list("pk", "status", "running_since"))

    status, _, body = _call(fast, _post(path, token, **extra))

    assert full_stack.calls == [path]
    expected = {
        "another user's task": "404",
        "malformed id": "404",
        "completed task": "409",
        "pause when not running": "409",
        "bad token": "401",
        "inactive user": "401",
        "throttled": "429",
        "a body": "200",
    }[case]
    assert status.startswith(expected), (status, body)
    if case != "a body":
        assert b'"error"' in body
        after = list(Task.objects.order_by("pk").values_list("pk", "status", "running_since"))
        assert after == before


def test_a_database_error_in_a_timer_action_is_a_503_never_a_second_attempt(
    fast, full_stack, user, make_task, monkeypatch
):
    from tasks.views import fast as fast_views

    calls = []

    def failing(**kwargs):
        calls.append(kwargs)
        raise OperationalError("the answer to COMMIT was lost")

    monkeypatch.setitem(fast_views._TIMER_ACTIONS, "start", failing)
    task = make_task(user)

    status, headers, body = _call(
        fast, _post(f"/api/v1/tasks/{task.pk}/start", access_token_for(user))
    )

    assert status.startswith("503")
    assert dict(headers)["Retry-After"]
    assert json.loads(body)["error"]["code"] == "service_unavailable"
    assert full_stack.calls == [] and len(calls) == 1
