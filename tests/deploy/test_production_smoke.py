"""The production smoke test: deploy/docker-entrypoint.sh run for each role as the image runs
it, with DJANGO_ENV=production, secrets as files in a directory standing in for /run/secrets,
the local PostgreSQL (a database of its own, created and dropped here) and Redis.

`migrate` once; then `http` and `ws` on free ports, and `worker` and `scheduler` when their
commands are installed (they come with the background-jobs work; until then those checks are
skipped with the reason). Over the wire: /health, HTTPS enforced, register and log in with
`X-Forwarded-Proto: https` as Traefik sends it, a websocket handshake and one live update
crossing from the HTTP server to Daphne through Redis, a background job finished by the worker,
and no secret value in anything any process printed. Everything started here is stopped here.
"""

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from websockets.sync.client import connect as ws_connect

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

REPO = Path(settings.BASE_DIR)
ENTRYPOINT = REPO / "deploy" / "docker-entrypoint.sh"
HOST = "api.smoke.test"
HTTPS = {"Host": HOST, "X-Forwarded-Proto": "https"}
START_SECONDS = 60
STOP_SECONDS = 15
PASSWORD = "smoke-Test-passw0rd-larga"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(port, method, path, *, body=None, headers=None, timeout=15):
    """(status, headers, parsed JSON or raw bytes) of one request to 127.0.0.1:port. Header
    names are case-insensitive (granian sends them in lower case)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        all_headers = {**(headers or {})}
        if payload is not None:
            all_headers["Content-Type"] = "application/json"
        connection.request(method, path, body=payload, headers=all_headers)
        reply = connection.getresponse()
        raw = reply.read()
        is_json = reply.getheader("Content-Type", "").startswith("application/json")
        return reply.status, reply.headers, json.loads(raw) if is_json else raw
    finally:
        connection.close()


@dataclass
class Stack:
    tmp: Path
    env: dict
    database: str
    secret_values: list[str]
    ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    exit_codes: dict[str, int | None] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    exited_early: dict[str, int] = field(default_factory=dict)

    def log(self, name: str) -> Path:
        return self.tmp / f"{name}.log"

    def run(self, name: str, *args: str, timeout: float = 180, **extra_env) -> int:
        """Run one role to completion (its output in <name>.log); its exit status."""
        with self.log(name).open("wb") as log:
            completed = subprocess.run(
                ["sh", str(ENTRYPOINT), *args],
                cwd=REPO,
                env={**self.env, **extra_env},
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
        return completed.returncode

    def start(self, name: str, *args: str, **extra_env) -> None:
        with self.log(name).open("wb") as log:
            self.processes[name] = subprocess.Popen(
                ["sh", str(ENTRYPOINT), *args],
                cwd=REPO,
                env={**self.env, **extra_env},
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def output(self, name: str) -> str:
        return self.log(name).read_text(errors="replace")

    def wait_healthy(self, name: str) -> None:
        port, process = self.ports[name], self.processes[name]
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status, _, _ = request(port, "GET", "/health", timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        pytest.fail(f"{name} did not become healthy:\n{self.output(name)}")

    def stop(self) -> None:
        """SIGTERM to everything still running, as `docker stop` does; SIGKILL after."""
        running = {n: p for n, p in self.processes.items() if n not in self.exit_codes}
        for name, process in running.items():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            else:
                self.exited_early[name] = process.returncode
        deadline = time.monotonic() + STOP_SECONDS
        for name, process in running.items():
            try:
                self.exit_codes[name] = process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
                self.exit_codes[name] = None  # did not stop on SIGTERM


def _admin_connection(dbname: str = "postgres"):
    db = settings.DATABASES["default"]
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db.get("PORT") or 5432,
        user=db["USER"] or "postgres",
        password=db.get("PASSWORD") or None,
        dbname=dbname,
        autocommit=True,
    )


def _make_secrets(directory: Path) -> dict[str, str]:
    directory.mkdir(mode=0o700)
    values = {
        # Any password works against a local server that trusts its users; it must still
        # travel only through the file.
        "db_password": settings.DATABASES["default"].get("PASSWORD")
        or f"db-{secrets.token_urlsafe(24)}",
        "django_secret_key": f"dj-{secrets.token_urlsafe(48)}",
        "jwt_secret": f"jwt-{secrets.token_urlsafe(32)}",
        "openai_api_key": f"sk-smoke-{secrets.token_urlsafe(24)}",
        "deepgram_api_key": f"dg-smoke-{secrets.token_urlsafe(24)}",
    }
    for name, value in values.items():
        (directory / name).write_text(value + "\n")
    return values


def _list_commands(stack: Stack) -> subprocess.Popen:
    """`manage.py help --commands` in the production environment: every installed command,
    one a line (what `manage.py help db_worker` succeeding would tell, for all of them in one
    process). Started while `migrate` runs, read after."""
    return subprocess.Popen(
        ["sh", str(ENTRYPOINT), "python", "manage.py", "help", "--commands"],
        cwd=REPO,
        env=stack.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("smoke")
    base = settings.DATABASES["default"]
    # The configured database's name (or its test twin's) keeps engineers' runs apart.
    database = f"{base['NAME']}_deploy_smoke"
    closed_port = free_port()  # nothing listens: vendor calls fail at once, never leave
    secret_values = _make_secrets(tmp / "secrets")
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(tmp),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "production",
        "DJANGO_ALLOWED_HOSTS": HOST,
        "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
        "DATABASE_URL": (
            f"postgres://{base['USER'] or 'postgres'}@{base['HOST'] or '127.0.0.1'}:"
            f"{base.get('PORT') or 5432}/{database}"
        ),
        "REDIS_URL": os.environ["REDIS_URL"],
        "CHANNELS_PREFIX": f"{os.environ.get('CHANNELS_PREFIX', 'asgi')}-smoke",
        "CACHE_PREFIX": f"{os.environ.get('CHANNELS_PREFIX', 'agente')}-smoke",
        "SECRETS_DIR": str(tmp / "secrets"),
        "STATIC_ROOT": str(tmp / "static"),
        "TASKS_BACKEND": "database",
        "TRUSTED_PROXY_COUNT": "0",
        "WEB_CONCURRENCY": "1",
        "DATABASE_POOL_MAX_SIZE": "2",
        "ASGI_THREADS": "4",
        "HOST": "127.0.0.1",
        "DB_WAIT_SECONDS": "30",
        "OPENAI_BASE_URL": f"http://127.0.0.1:{closed_port}/v1",
        "OPENAI_MAX_RETRIES": "0",
        "DEEPGRAM_BASE_URL": f"http://127.0.0.1:{closed_port}",
    }
    (tmp / "static").mkdir()
    smoke = Stack(tmp=tmp, env=env, database=database, secret_values=list(secret_values.values()))
    with _admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{database}"')
    background = {"worker": "db_worker", "scheduler": "crontask"}
    commands = _list_commands(smoke)
    try:
        assert smoke.run("migrate", "migrate") == 0, smoke.output("migrate")
        smoke.ports = {"http": free_port(), "ws": free_port()}
        smoke.start("http", "http", PORT=str(smoke.ports["http"]))
        smoke.start("ws", "ws", PORT=str(smoke.ports["ws"]))
        # The background roles, when their commands exist (the background-jobs work).
        listing = commands.communicate(timeout=60)[0]
        assert commands.returncode == 0, "manage.py help --commands failed in production"
        installed = set(listing.split())
        for role, command in background.items():
            if command in installed:
                smoke.start(role, role)
            else:
                smoke.skipped[role] = (
                    f"manage.py {command} is not installed: the {role} role needs the "
                    "background-jobs work (issue 9: django-tasks-db, django-crontask)"
                )
        smoke.wait_healthy("http")
        smoke.wait_healthy("ws")
        yield smoke
    finally:
        if commands.poll() is None:
            commands.kill()
            commands.communicate()
        smoke.stop()
        with _admin_connection() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture(scope="module")
def account(stack):
    """A user registered and logged in over HTTP as Traefik forwards an HTTPS request."""
    email = f"smoke-{uuid.uuid4().hex[:8]}@example.com"
    status, _, registered = request(
        stack.ports["http"],
        "POST",
        "/api/v1/auth/register",
        body={"email": email, "password": PASSWORD, "name": "Smoke"},
        headers=HTTPS,
    )
    assert status == 201, registered
    status, _, logged_in = request(
        stack.ports["http"],
        "POST",
        "/api/v1/auth/login",
        body={"email": email, "password": PASSWORD},
        headers=HTTPS,
    )
    assert status == 200, logged_in
    return {"email": email, "id": registered["user"]["id"], "access": logged_in["access"]}


def test_migrate_ran_once_and_applied_every_migration(stack):
    loader = MigrationLoader(None, ignore_no_migrations=True)
    with _admin_connection(stack.database) as smoke_db:
        applied = set(smoke_db.execute("SELECT app, name FROM django_migrations").fetchall())

    assert set(loader.disk_migrations) <= applied
    assert "Applying accounts.0001_initial... OK" in stack.output("migrate")


@pytest.mark.parametrize("role", ["http", "ws"])
def test_both_servers_answer_health_in_production(stack, role):
    status, _, body = request(stack.ports[role], "GET", "/health")

    assert status == 200
    assert body["status"] == "ok"
    assert body["environment"] == "production"


def test_plain_http_is_sent_to_https(stack):
    status, headers, _ = request(
        stack.ports["http"], "GET", "/api/v1/auth/me", headers={"Host": HOST}
    )

    assert status == 301
    assert headers["Location"] == f"https://{HOST}/api/v1/auth/me"


def test_register_and_log_in_over_https(stack, account):
    status, headers, me = request(
        stack.ports["http"],
        "GET",
        "/api/v1/auth/me",
        headers={**HTTPS, "Authorization": f"Bearer {account['access']}"},
    )

    assert status == 200
    assert me["email"] == account["email"]
    assert "max-age=" in headers["Strict-Transport-Security"]


def test_a_websocket_handshake_and_a_live_update_from_the_http_server(stack, account):
    with ws_connect(
        f"ws://127.0.0.1:{stack.ports['ws']}/ws/chat/",
        additional_headers={"Authorization": f"Bearer {account['access']}"},
        open_timeout=15,
    ) as socket_:
        assert json.loads(socket_.recv(timeout=15)) == {"type": "ready"}
        status, _, task = request(
            stack.ports["http"],
            "POST",
            "/api/v1/tasks",
            body={"title": "Humo de producción"},
            headers={**HTTPS, "Authorization": f"Bearer {account['access']}"},
        )
        assert status == 201, task
        deadline = time.monotonic() + 15
        while True:
            frame = json.loads(socket_.recv(timeout=max(0.1, deadline - time.monotonic())))
            if frame["type"] == "task.updated":
                break
    assert frame["task"]["id"] == task["id"]
    assert frame["task"]["title"] == "Humo de producción"


def test_a_background_job_is_finished_by_the_worker(stack, account):
    if "worker" in stack.skipped:
        pytest.skip(stack.skipped["worker"])
    # The job a person's day ends with: yesterday's summary for this user. It is queued as the
    # app queues it (`enqueue()` with TASKS_BACKEND=database), by the app's own code in a
    # production process, and read back over HTTP once the worker has run it.
    day = (timezone.now() - timedelta(days=1)).date().isoformat()
    queue = stack.run(
        "enqueue",
        "manage",
        "shell",
        "-c",
        "from summaries.tasks import generate_summary; "
        f"generate_summary.enqueue(user_id={account['id']!r}, day={day!r}, source='request')",
    )
    assert queue == 0, stack.output("enqueue")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert stack.processes["worker"].poll() is None, stack.output("worker")
        status, _, summary = request(
            stack.ports["http"],
            "GET",
            f"/api/v1/summaries/{day}",
            headers={**HTTPS, "Authorization": f"Bearer {account['access']}"},
        )
        if status == 200:
            break
        assert status == 404, summary
        time.sleep(0.5)
    else:
        pytest.fail(f"the worker did not finish the job:\n{stack.output('worker')}")
    assert summary["date"] == day


def test_the_scheduler_runs(stack):
    if "scheduler" in stack.skipped:
        pytest.skip(stack.skipped["scheduler"])
    deadline = time.monotonic() + START_SECONDS
    while "Starting scheduler" not in stack.output("scheduler"):
        assert stack.processes["scheduler"].poll() is None, stack.output("scheduler")
        assert time.monotonic() < deadline, stack.output("scheduler")
        time.sleep(0.2)


def json_lines(text: str) -> list[dict]:
    """The app's lines in a role's output (the entry point's own and granian's are text)."""
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_a_request_id_follows_its_request_into_the_workers_lines(stack, account):
    if "worker" in stack.skipped:
        pytest.skip(stack.skipped["worker"])
    # A day of its own: the other job test queued yesterday's summary.
    day = (timezone.now() - timedelta(days=3)).date().isoformat()
    status, headers, _ = request(
        stack.ports["http"],
        "POST",
        f"/api/v1/summaries/{day}/generate",
        headers={
            **HTTPS,
            "Authorization": f"Bearer {account['access']}",
            "X-Request-Id": "smoke-follow-1",
        },
    )
    assert status == 202
    assert headers["X-Request-Id"] == "smoke-follow-1"
    [access] = [
        line
        for line in json_lines(stack.output("http"))
        if line.get("logger") == "access" and line.get("request_id") == "smoke-follow-1"
    ]
    assert (access["role"], access["route"], access["user_id"]) == (
        "http",
        "summary-generate",
        account["id"],
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job_lines = [
            line
            for line in json_lines(stack.output("worker"))
            if line.get("request_id") == "smoke-follow-1"
        ]
        if any(line["logger"] == "summaries.tasks" for line in job_lines):
            break
        assert stack.processes["worker"].poll() is None, stack.output("worker")
        time.sleep(0.5)
    else:
        pytest.fail(f"no worker line carries the request id:\n{stack.output('worker')}")
    assert {line["role"] for line in job_lines} == {"worker"}
    assert len({line["job_id"] for line in job_lines}) == 1
    # Every line the serving and working roles wrote is one JSON object naming its role (the
    # scheduler's status lines are django-crontask's command output, not log lines).
    for role in ("http", "ws", "worker"):
        lines = stack.output(role).splitlines()
        assert lines, role
        assert {json.loads(line)["role"] for line in lines} == {role}, stack.output(role)


def test_every_role_stops_on_sigterm_and_no_output_holds_a_secret(stack, account):
    """Last: stops the stack, then reads everything every process printed."""
    stack.stop()

    assert stack.exit_codes, "nothing was started"
    assert not stack.exited_early, f"exited before the stop: {stack.exited_early}"
    stopped_by_signal = {name: code for name, code in stack.exit_codes.items() if code is None}
    assert not stopped_by_signal, f"did not stop on SIGTERM: {stopped_by_signal}"
    logs = sorted(stack.tmp.glob("*.log"))
    assert {"migrate.log", "http.log", "ws.log"} <= {log.name for log in logs}
    for log in logs:
        text = log.read_text(errors="replace")
        for value in stack.secret_values:
            assert value not in text, f"a secret value appears in {log.name}"
