"""Real parts for the outage tests, broken from outside the app.

- `RedisServer`: a redis-server of the test's own on a free port, without persistence (like a
  restarted production Redis, it comes back empty); `stop()` kills it, `start()` brings it back
  on the same port.
- `TcpProxy` (tests/config/tcp_proxy.py) in front of PostgreSQL: `stop()` cuts every open
  connection and refuses new ones, `start()` restores it on the same port.
- `Server`: bin/http-server (granian) or bin/ws-server (Daphne) as a subprocess, the commands
  production runs, with the environment the test chooses.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection

BIN = Path(settings.BASE_DIR) / "bin"
START_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    def __init__(self, directory: Path, *, password: str | None = None):
        if shutil.which("redis-server") is None:
            pytest.skip("needs redis-server on PATH")
        self.directory = directory
        self.port = free_port()
        self.password = password  # --requirepass: every client must AUTH with it
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.directory)]
        config = ""
        if self.password:
            # From a config file on standard input, not the command line (ps would show it).
            config = f"requirepass {self.password}\n"
            command[1:1] = ["-"]
        with (self.directory / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT
            )
            self.process.stdin.write(config.encode())
            self.process.stdin.close()
        client = redis.Redis(port=self.port, password=self.password, socket_connect_timeout=1)
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not start on {self.port}")
                time.sleep(0.05)
            finally:
                client.close()
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


def database_url(*, port: int | None = None) -> str:
    """The test database's URL, optionally through 127.0.0.1:`port` (a TcpProxy)."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = "127.0.0.1" if port else (db["HOST"] or "127.0.0.1")
    port = port or db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{quote(db['NAME'], safe='')}"


class Server:
    """A server role as a subprocess; `url` is http://127.0.0.1:<port> once /health answers."""

    def __init__(self, name: str, script: str, log_path: Path, env: dict):
        self.name = name
        self.port = free_port()
        self.log_path = log_path
        full_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        full_env.pop("DATABASE_PASSWORD", None)  # in the URL when there is one
        full_env.pop("APP_SERVER", None)  # each entry point declares its own
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [str(BIN / script)],
                cwd=settings.BASE_DIR,
                env=full_env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"

    def wait_until_healthy(self) -> "Server":
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as reply:
                    if reply.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        pytest.fail(f"{self.name} did not become healthy:\n{self.output()}")

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
