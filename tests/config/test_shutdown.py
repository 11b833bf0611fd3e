"""SIGTERM under load: the servers exit in time and leave the timers consistent.

A deploy stops containers with SIGTERM and kills them 10 s later. The real commands
(bin/http-server: granian's WSGI workers; bin/ws-server: Daphne; and `make run`'s
single Daphne) run as subprocesses against the test database while client threads switch one
user's timer between two tasks as fast as they can, and get SIGTERM in the middle of it.
Each must be gone within 10 s (a Daphne serving HTTP used to hang forever: a request
publishing its live update waited in async_to_sync for an event loop that had stopped), and
the database must still hold the timer rules: at most one running task per user, and every
task's tracked_seconds equal to the sum of its closed segments.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Sum
from websockets.sync.client import connect as ws_connect

from tasks import services
from tasks.models import Task, TaskEvent
from tests.conftest import access_token_for
from tests.ws.daphne import _test_database_url, _wait_for_port

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    # Committed rows: the servers are other processes with connections of their own.
    pytest.mark.django_db(transaction=True),
]

BIN = Path(settings.BASE_DIR) / "bin"
LOAD_SECONDS = 2.0
CLIENT_THREADS = 6
EXIT_SECONDS = 10
START_SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(tmp_path: Path, **extra) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": _test_database_url(tmp_path),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOST": "127.0.0.1",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }
    env.pop("DATABASE_PASSWORD", None)  # already in the URL when there is one
    # Each entry point declares its own server; this process may have imported config.asgi.
    env.pop("APP_SERVER", None)
    return env


def start(command: list[str], env: dict, log_path: Path) -> subprocess.Popen:
    with log_path.open("wb") as log:
        return subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )


def wait_until_healthy(process: subprocess.Popen, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"server did not become healthy:\n{log_path.read_text(errors='replace')}")


class Switcher:
    """Client threads, each on its own keep-alive connection, starting one task then the other
    of the same user until stopped. Records (time, status) of every answer."""

    def __init__(self, port: int, token: str, task_ids: list[str]):
        self.port, self.token, self.task_ids = port, token, task_ids
        self.stop = threading.Event()
        self.answers: list[tuple[float, int]] = []
        self.threads = [
            threading.Thread(target=self._run, args=(n,)) for n in range(CLIENT_THREADS)
        ]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def warm_up(self, answers: int = 20) -> None:
        """Wait for the first answers: each worker imports most of the app on its first
        request, which on a busy machine takes seconds."""
        deadline = time.monotonic() + START_SECONDS
        while len(self.answers) < answers:
            assert time.monotonic() < deadline, f"{len(self.answers)} answers in {START_SECONDS} s"
            time.sleep(0.05)

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=EXIT_SECONDS)

    def _run(self, n: int) -> None:
        headers = {"Authorization": f"Bearer {self.token}", "Content-Length": "0"}
        connection = None
        i = n
        while not self.stop.is_set():
            task_id = self.task_ids[i % len(self.task_ids)]
            i += 1
            try:
                if connection is None:
                    connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
                connection.request("POST", f"/api/v1/tasks/{task_id}/start", headers=headers)
                reply = connection.getresponse()
                reply.read()
                self.answers.append((time.monotonic(), reply.status))
                if reply.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException):
                # Refused or cut while the server shuts down; the next round reconnects.
                if connection is not None:
                    connection.close()
                connection = None
                time.sleep(0.01)
        if connection is not None:
            connection.close()


class LiveUpdates:
    """A websocket of the user on Daphne, counting the task updates it receives."""

    def __init__(self, port: int, token: str):
        self.connection = ws_connect(
            f"ws://127.0.0.1:{port}/ws/chat/",
            additional_headers={"Authorization": f"Bearer {token}"},
            open_timeout=10,
        )
        self.socket = self.connection.__enter__()
        assert json.loads(self.socket.recv(timeout=10)) == {"type": "ready"}
        self.task_updates = 0
        self.thread = threading.Thread(target=self._run)
        self.thread.start()

    def _run(self) -> None:
        try:
            for frame in self.socket:
                if json.loads(frame).get("type") == "task.updated":
                    self.task_updates += 1
        except Exception:  # closed by the server's shutdown: what we expect
            pass

    def close(self) -> None:
        self.connection.__exit__(None, None, None)
        self.thread.join(timeout=EXIT_SECONDS)


def terminate_all(processes: dict[str, subprocess.Popen]) -> dict[str, float | None]:
    """SIGTERM to every process at once; seconds each took to exit (None: still running)."""
    sent = time.monotonic()
    for process in processes.values():
        process.send_signal(signal.SIGTERM)
    took = {}
    for name, process in processes.items():
        try:
            process.wait(timeout=max(0.1, EXIT_SECONDS - (time.monotonic() - sent)))
            took[name] = time.monotonic() - sent
        except subprocess.TimeoutExpired:
            took[name] = None
    return took


def kill_leftovers(processes: dict[str, subprocess.Popen]) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def switching_user(make_user):
    """A user with two tasks, one running, and a token for them."""
    user = make_user(email="switcher@example.com")
    first = services.task_create(user=user, source="api", title="first")
    second = services.task_create(user=user, source="api", title="second")
    services.task_start(user=user, task=first, source="api")
    return user, [str(first.pk), str(second.pk)], access_token_for(user)


def assert_timers_consistent(user) -> None:
    tasks = list(Task.objects.filter(user=user))
    running = [task for task in tasks if task.running_since is not None]
    assert len(running) <= 1, [(t.title, t.status) for t in running]
    for task in tasks:
        closed = TaskEvent.objects.filter(task=task).aggregate(total=Sum("duration_seconds"))
        assert task.tracked_seconds == (closed["total"] or 0), task.title


def assert_served_under_load(switcher: Switcher, until: float, output) -> None:
    before_sigterm = [status for at, status in switcher.answers if at < until]
    assert len(before_sigterm) >= 20, f"{len(before_sigterm)} answers before SIGTERM:\n{output}"
    assert all(status == 200 for status in before_sigterm), (sorted(set(before_sigterm)), output)


def test_granian_and_daphne_exit_in_time_on_sigterm_under_load(switching_user, tmp_path):
    user, task_ids, token = switching_user
    http_port, ws_port = free_port(), free_port()
    logs = {"granian": tmp_path / "granian.log", "daphne": tmp_path / "daphne.log"}
    processes = {
        "granian": start(
            [str(BIN / "http-server")],
            server_env(tmp_path, PORT=str(http_port), WEB_CONCURRENCY="3"),
            logs["granian"],
        ),
        "daphne": start(
            [str(BIN / "ws-server")], server_env(tmp_path, PORT=str(ws_port)), logs["daphne"]
        ),
    }
    try:
        wait_until_healthy(processes["granian"], http_port, logs["granian"])
        wait_until_healthy(processes["daphne"], ws_port, logs["daphne"])

        with Switcher(http_port, token, task_ids) as switcher:
            switcher.warm_up()
            # Opened once updates flow: redis-py >= 8 times socket reads out after 5 s, as long
            # as channels_redis blocks waiting for a message, so a consumer idle that long can
            # crash (a Redis settings issue, not this test's subject).
            live = LiveUpdates(ws_port, token)
            time.sleep(LOAD_SECONDS)
            sigterm_at = time.monotonic()
            took = terminate_all(processes)
        live.close()
    finally:
        kill_leftovers(processes)

    output = {name: path.read_text(errors="replace")[-3000:] for name, path in logs.items()}
    assert took["granian"] is not None, f"granian still running:\n{output['granian']}"
    assert took["daphne"] is not None, f"daphne still running:\n{output['daphne']}"
    assert_served_under_load(switcher, sigterm_at, output)
    # granian's workers published through Redis to the socket on Daphne.
    assert live.task_updates > 0, output
    assert_timers_consistent(user)


def test_daphne_serving_http_exits_in_time_on_sigterm_under_load(switching_user, tmp_path):
    """`make run`: one Daphne for everything."""
    user, task_ids, token = switching_user
    log_path = tmp_path / "daphne.log"
    command = [
        sys.executable,
        "-m",
        "daphne",
        "-b",
        "127.0.0.1",
        "-p",
        "0",
        "config.asgi:application",
    ]
    processes = {"daphne": start(command, server_env(tmp_path), log_path)}
    try:
        port = _wait_for_port(processes["daphne"], log_path)
        wait_until_healthy(processes["daphne"], port, log_path)
        with Switcher(port, token, task_ids) as switcher:
            switcher.warm_up()
            time.sleep(LOAD_SECONDS)
            sigterm_at = time.monotonic()
            took = terminate_all(processes)
    finally:
        kill_leftovers(processes)

    output = log_path.read_text(errors="replace")[-3000:]
    assert took["daphne"] is not None, output
    assert_served_under_load(switcher, sigterm_at, output)
    assert_timers_consistent(user)
