"""Stopping without losing requests (bin/drain): on SIGTERM a server keeps serving for
DRAIN_SECONDS while GET /health answers 503 "draining", so the load balancer's health check
takes the task out of rotation before it stops listening; then it stops as it always did.
The rehearsal (deploy/rehearsal/) measures the effect through Traefik during a rolling update;
these tests hold the mechanism on the real commands."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.config.test_shutdown import free_port, wait_until_healthy

BIN = Path(settings.BASE_DIR) / "bin"


def get(port: int, path: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize("server", ["http-server", "ws-server"])
def test_sigterm_drains_first_health_says_so_and_requests_are_still_served(tmp_path, server):
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "DRAIN_SECONDS": "3",
        "TMPDIR": str(tmp_path),
    }
    env.pop("REDIS_URL", None)
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(BIN / server)], cwd=settings.BASE_DIR, env=env, stdout=log, stderr=log
        )
    try:
        wait_until_healthy(process, port, log_path)
        process.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        deadline = signalled + 2
        while True:
            status, body = get(port, "/health")
            if status == 503 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert (status, body["status"]) == (503, "draining"), log_path.read_text()
        # Still serving everything else while the load balancer takes it out of rotation.
        status, body = get(port, "/api/v1/tasks")
        assert status == 401 and body["error"]["code"] == "not_authenticated"
        code = process.wait(timeout=20)
        took = time.monotonic() - signalled
    finally:
        if process.poll() is None:
            process.kill()
    assert code == 0, log_path.read_text()
    assert 3 <= took < 15, took
    assert "draining for 3s before stopping" in log_path.read_text()
    assert not list(tmp_path.glob("agente-draining.*"))  # the marker is gone with the server


def test_without_drain_seconds_the_server_is_the_process_itself():
    """make serve and the tests: DRAIN_SECONDS unset execs the server (same process id), no
    wrapper shell in between."""
    process = subprocess.Popen(
        [str(BIN / "drain"), "sh", "-c", "echo $$"],
        stdout=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "DRAIN_SECONDS"},
    )
    out, _ = process.communicate(timeout=10)
    assert int(out.strip()) == process.pid


def test_a_malformed_drain_is_refused():
    result = subprocess.run(
        [str(BIN / "drain"), "true"],
        capture_output=True,
        text=True,
        timeout=10,
        env={**os.environ, "DRAIN_SECONDS": "5s"},
    )
    assert result.returncode == 64
    assert "DRAIN_SECONDS must be a whole number" in result.stderr


def test_health_answers_503_draining_while_the_drain_file_exists(client, settings, tmp_path):
    marker = tmp_path / "draining"
    settings.HEALTH_DRAIN_FILE = str(marker)
    assert client.get("/health").status_code == 200
    marker.touch()
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["status"] == "draining"
