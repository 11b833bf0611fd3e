"""Outages on real servers: the production pair (bin/http-server: granian; bin/ws-server:
Daphne) as subprocesses, on a Redis of this module's own that the test kills and starts again,
and on PostgreSQL behind a TCP proxy that the test cuts and restores. The same requests go to
both servers, which must behave alike.

- Redis restart: login and task writes keep working (throttles fail open, live updates are
  dropped with a log line), readiness names the failing parts, the open socket stays open and
  gets live updates again once Redis is back; throttles count again.
- Database cut: every request that needs it answers 503 `service_unavailable` with
  Retry-After, the socket answers a chat message with an error frame and a new socket is
  closed with 4503; once PostgreSQL is back everything works again without a restart, and a
  timer switched continuously across the cut is consistent (nothing half-written).
- A request stuck behind a row lock: PostgreSQL cancels it after the statement timeout, the
  client gets the same 503, and the worker serves the next request (granian has no per-request
  time limit of its own).
"""

import http.client
import json
import threading
import time

import pytest
from django.db import transaction
from django.db.models import Sum
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect as ws_connect

from accounts.locks import lock_user
from tasks import services
from tasks.models import Task, TaskEvent
from tests.config.tcp_proxy import TcpProxy
from tests.conftest import PASSWORD, access_token_for
from tests.resilience.servers import RedisServer, Server, database_url

pytestmark = [
    pytest.mark.postgres,
    # Committed rows: the servers are other processes with connections of their own.
    pytest.mark.django_db(transaction=True),
]

# Deadlines for what must happen eventually (a server reconnecting, a socket joining its group
# again); never measurements.
RECOVERY_SECONDS = 60
FRAME_SECONDS = 15


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker, tmp_path_factory):
    """granian and Daphne on the module's own Redis and on PostgreSQL through a proxy."""
    tmp = tmp_path_factory.mktemp("outage")
    redis_server = RedisServer(tmp).start()
    with django_db_blocker.unblock():
        from django.db import connection

        db = connection.settings_dict
        proxy = TcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)).start()
        env = {
            "DATABASE_URL": database_url(port=proxy.port),
            "REDIS_URL": redis_server.url,
            "CHANNELS_PREFIX": "outage",
            "THROTTLE_LOGIN_EMAIL": "3/min",
            "THROTTLE_LOGIN_IP": "10000/min",
            "OPENAI_API_KEY": "",  # no model: a chat message ends in assistant_unavailable
            # Daphne's pool gives up on a connection after this long (10 s in production):
            # the same answer, sooner.
            "DATABASE_POOL_TIMEOUT": "3",
            # 30 s in production (config/settings.py): the same cancellation, sooner.
            "DATABASE_STATEMENT_TIMEOUT_SECONDS": "2",
        }
    servers = {
        "granian": Server("granian", "http-server", tmp / "granian.log", env),
        "daphne": Server("daphne", "ws-server", tmp / "daphne.log", env),
    }
    try:
        for server in servers.values():
            server.wait_until_healthy()
        yield {"redis": redis_server, "db": proxy, **servers}
    finally:
        for server in servers.values():
            server.stop()
        proxy.stop()
        redis_server.stop()


@pytest.fixture
def server_user(make_user, settings):
    """A user whose password the servers can check (the tests' own hasher is MD5, which the
    servers do not have)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    return make_user


# -- clients ------------------------------------------------------------------------------------
class Reply:
    def __init__(self, status: int, headers: dict, body: bytes):
        self.status, self.headers = status, headers
        self.json = json.loads(body) if body else None

    def __repr__(self):
        return f"<{self.status} {self.json}>"


def call(server: Server, method: str, path: str, body=None, token=None) -> Reply:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = connection.getresponse()
        # Header names are case-insensitive here (granian sends them in lower case).
        return Reply(response.status, response.headers, response.read())
    finally:
        connection.close()


def login(server: Server, email: str, password: str = PASSWORD) -> Reply:
    return call(server, "POST", "/api/v1/auth/login", {"email": email, "password": password})


class Socket:
    """A websocket on Daphne, read by the test; frames it is not looking for are kept aside."""

    def __init__(self, server: Server, token: str):
        self.client = ws_connect(
            f"{server.ws_url}/ws/chat/",
            additional_headers={"Authorization": f"Bearer {token}"},
            open_timeout=FRAME_SECONDS,
        )
        self.connection = self.client.__enter__()

    def next_frame(self, timeout: float = FRAME_SECONDS) -> dict:
        return json.loads(self.connection.recv(timeout=timeout))

    def wait_for(self, predicate, timeout: float = FRAME_SECONDS) -> dict | None:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                frame = self.next_frame(timeout=left)
            except TimeoutError:
                return None
            if predicate(frame):
                return frame
        return None

    def send(self, frame: dict) -> None:
        self.connection.send(json.dumps(frame))

    def ping(self) -> dict | None:
        self.send({"type": "ping"})
        return self.wait_for(lambda frame: frame["type"] == "pong")

    def chat(self, content: str = "hola") -> dict | None:
        """The error frame that ends a message without a model (or that refuses it)."""
        self.send({"type": "message", "content": content, "conversation_id": None})
        return self.wait_for(lambda frame: frame["type"] == "error")

    def close(self) -> None:
        self.client.__exit__(None, None, None)


def task_update_for(task_id: str):
    return lambda frame: frame["type"] == "task.updated" and frame["task"]["id"] == task_id


def logged(server: Server, text: str) -> bool:
    return text in server.output()


# -- Redis ----------------------------------------------------------------------------------------
def test_login_a_task_write_and_a_socket_across_a_redis_restart(stack, server_user):
    user = server_user(email="redis@example.com")
    token = access_token_for(user)
    granian, daphne, redis_server = stack["granian"], stack["daphne"], stack["redis"]
    socket = Socket(daphne, token)
    assert socket.next_frame() == {"type": "ready"}
    before = call(granian, "POST", "/api/v1/tasks", {"title": "antes"}, token)
    assert before.status == 201
    assert socket.wait_for(task_update_for(before.json["id"]))

    redis_server.stop()
    during = {}
    for name, server in (("granian", granian), ("daphne", daphne)):
        during[name] = {
            "login": login(server, user.email).status,
            # Three a minute per email: a fourth and fifth would be 429 if throttles counted.
            "wrong": [login(server, f"x-{name}@example.com", "mala").status for _ in range(5)],
            "write": call(server, "POST", "/api/v1/tasks", {"title": f"sin redis {name}"}, token),
            "ready": call(server, "GET", "/health/ready"),
        }
    pong = socket.ping()
    chat = socket.chat()
    redis_server.start()  # empty: group memberships and throttle counters are gone

    for name, seen in during.items():
        assert seen["login"] == 200, name
        assert seen["wrong"] == [401] * 5, name
        assert seen["write"].status == 201, (name, seen["write"])
        ready = seen["ready"]
        assert ready.status == 503, name
        assert ready.json["checks"]["database"] == "ok"
        assert ready.json["checks"]["channel_layer"].startswith("error")
        assert ready.json["checks"]["cache"].startswith("error")
    assert pong == {"type": "pong"}
    # Through the chat throttle (failing open) to the assistant: the socket works without Redis.
    assert chat["code"] == "assistant_unavailable", chat

    # Back: the same socket gets live updates again, from either server.
    deadline = time.monotonic() + RECOVERY_SECONDS
    received = None
    while received is None and time.monotonic() < deadline:
        write = call(granian, "POST", "/api/v1/tasks", {"title": "después"}, token)
        assert write.status == 201
        received = socket.wait_for(task_update_for(write.json["id"]), timeout=1)
    assert received is not None, daphne.output()[-3000:]
    from_daphne = call(daphne, "POST", "/api/v1/tasks", {"title": "después, por daphne"}, token)
    assert socket.wait_for(task_update_for(from_daphne.json["id"]))
    assert socket.ping() == {"type": "pong"}  # never closed
    socket.close()

    # Throttles count again (each granian worker asks Redis again a moment after a failure).
    statuses = []
    while 429 not in statuses and time.monotonic() < deadline:
        statuses.append(login(granian, "y@example.com", "mala").status)
    assert 429 in statuses
    for server in (granian, daphne):
        assert call(server, "GET", "/health/ready").status == 200

    # What the operator saw: a few lines, not a traceback per request.
    assert logged(granian, "throttle cache (Redis) unavailable")
    assert logged(granian, "live updates are dropped")
    assert logged(daphne, "sockets stay open without live updates")
    assert logged(daphne, "joined their groups again")
    assert not logged(granian, "Traceback"), granian.output()[-3000:]


# -- PostgreSQL -----------------------------------------------------------------------------------
class Switcher:
    """A client thread starting one task then the other of the same user on granian until
    stopped, across the cut; records every status."""

    def __init__(self, server: Server, token: str, task_ids: list[str]):
        self.server, self.token, self.task_ids = server, token, task_ids
        self.statuses: list[int] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.thread.join(timeout=60)

    def _run(self):
        n = 0
        while not self.stopped.is_set():
            task_id = self.task_ids[n % 2]
            n += 1
            try:
                path = f"/api/v1/tasks/{task_id}/start"
                self.statuses.append(call(self.server, "POST", path, None, self.token).status)
            except (OSError, http.client.HTTPException):
                self.statuses.append(0)


def assert_timers_consistent(user) -> None:
    tasks = list(Task.objects.filter(user=user))
    assert len([task for task in tasks if task.running_since is not None]) <= 1
    for task in tasks:
        closed = TaskEvent.objects.filter(task=task).aggregate(total=Sum("duration_seconds"))
        assert task.tracked_seconds == (closed["total"] or 0), task.title


def assert_unavailable(reply: Reply) -> None:
    assert reply.status == 503, reply
    assert reply.json["error"]["code"] == "service_unavailable", reply
    assert reply.headers["Retry-After"] == "5", reply.headers


def test_a_database_cut_is_503_with_retry_after_everywhere_and_recovers_fully(stack, server_user):
    user = server_user(email="db@example.com")
    token = access_token_for(user)
    first = services.task_create(user=user, source="api", title="primera")
    second = services.task_create(user=user, source="api", title="segunda")
    granian, daphne, proxy = stack["granian"], stack["daphne"], stack["db"]
    socket = Socket(daphne, token)
    assert socket.next_frame() == {"type": "ready"}

    with Switcher(granian, token, [str(first.pk), str(second.pk)]) as switcher:
        while len(switcher.statuses) < 10:
            time.sleep(0.05)
        proxy.stop()
        during = {}
        for name, server in (("granian", granian), ("daphne", daphne)):
            during[name] = {
                "login": login(server, user.email),
                "list": call(server, "GET", "/api/v1/tasks", None, token),  # outside DRF
                "create": call(server, "POST", "/api/v1/tasks", {"title": f"corte {name}"}, token),
                "ready": call(server, "GET", "/health/ready"),
                "health": call(server, "GET", "/health"),
            }
        chat = socket.chat()
        pong = socket.ping()
        late = Socket(daphne, token)
        late_frame = late.next_frame()
        with pytest.raises(ConnectionClosed) as late_closed:
            late.next_frame()
    proxy.start()

    for name, seen in during.items():
        for what in ("login", "list", "create"):
            assert_unavailable(seen[what])
        assert seen["ready"].status == 503, name
        assert seen["ready"].json["checks"]["database"].startswith("error"), name
        assert seen["ready"].json["checks"]["channel_layer"] == "ok", name
        assert seen["health"].status == 200, name
    assert chat["code"] == "service_unavailable", chat
    assert pong == {"type": "pong"}
    assert late_frame["code"] == "service_unavailable"
    assert late_closed.value.rcvd.code == 4503
    assert set(switcher.statuses) <= {200, 503}, sorted(set(switcher.statuses))
    assert 503 in switcher.statuses

    # Back. granian's workers replace their broken connections before using them (Django's
    # CONN_HEALTH_CHECKS on each worker's persistent connection): the first request already
    # succeeds, and so does every one after it.
    assert login(granian, user.email).status == 200
    assert [call(granian, "GET", "/api/v1/tasks", None, token).status for _ in range(6)] == [
        200
    ] * 6
    # Daphne's pool reconnects in the background (within seconds); then every request succeeds.
    deadline = time.monotonic() + RECOVERY_SECONDS
    while call(daphne, "GET", "/api/v1/auth/me", None, token).status != 200:
        assert time.monotonic() < deadline, daphne.output()[-3000:]
        time.sleep(0.5)
    # (Another user: the cut's attempts count against this one's three logins a minute.)
    assert login(daphne, server_user(email="db2@example.com").email).status == 200
    assert [call(daphne, "GET", "/api/v1/tasks", None, token).status for _ in range(3)] == [200] * 3
    chat = socket.chat()
    while chat["code"] == "service_unavailable" and time.monotonic() < deadline:
        time.sleep(0.5)
        chat = socket.chat()
    assert chat["code"] == "assistant_unavailable", chat  # the message was stored
    socket.close()

    assert_timers_consistent(user)
    assert not Task.objects.filter(title__startswith="corte").exists()
    assert logged(granian, "database unavailable")
    assert logged(daphne, "database unavailable")


def test_a_request_stuck_behind_a_row_lock_is_canceled_and_the_worker_serves_on(stack, server_user):
    user = server_user(email="lock@example.com")
    token = access_token_for(user)
    task = services.task_create(user=user, source="api", title="bloqueada")
    granian = stack["granian"]
    start = f"/api/v1/tasks/{task.pk}/start"

    with transaction.atomic():
        # Every timer write takes this lock first (tasks/services): the server's start waits on
        # it for as long as this transaction lasts, unless PostgreSQL cancels the wait.
        lock_user(user.pk)
        sent = time.monotonic()
        stuck = call(granian, "POST", start, None, token)
        waited = time.monotonic() - sent

    assert_unavailable(stuck)
    assert waited < FRAME_SECONDS, waited  # the stack's statement timeout is 2 s
    # Nothing was half-written, and with the lock gone the same start succeeds.
    assert not Task.objects.get(pk=task.pk).is_running
    assert call(granian, "POST", start, None, token).status == 200
    assert Task.objects.get(pk=task.pk).is_running
    assert_timers_consistent(user)
