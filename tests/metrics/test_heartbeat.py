"""Heartbeats of the roles without a port (config/metrics/heartbeat.py): the file Docker's
health check reads, the cache key /health/ready and the http role's metric read."""

import math
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.core.cache import cache

from config.metrics import heartbeat
from config.metrics.state import SharedState


@pytest.fixture(autouse=True)
def heartbeat_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("HEARTBEAT_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def background_roles(settings):
    """As in the stack: the database task backend, so a worker and a scheduler must beat."""
    settings.HEARTBEAT_ROLES = ["worker", "scheduler"]
    settings.HEARTBEAT_STALE_SECONDS = 60


def age_metric() -> dict[str, float]:
    families = list(SharedState(sources=["heartbeats"]).collect())
    (family,) = [f for f in families if f.name == "agente_heartbeat_age_seconds"]
    return {sample.labels["role"]: sample.value for sample in family.samples}


def check(role: str, *args: str, env_dir) -> subprocess.CompletedProcess:
    """The Docker health check as stack.yml runs it: no Django settings, no Redis."""
    env = {"PATH": os.environ["PATH"], "HEARTBEAT_DIR": str(env_dir)}
    return subprocess.run(
        [sys.executable, "-m", "config.metrics.heartbeat", role, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_a_beat_is_a_file_for_docker_and_a_key_for_readiness(heartbeat_dir):
    heartbeat.beat("worker")

    assert (heartbeat_dir / "agente-heartbeat-worker").is_file()
    assert time.time() - cache.get("heartbeat:worker") < 5


@pytest.mark.django_db
def test_ready_names_a_role_that_never_beat(client, background_roles):
    heartbeat.beat("scheduler")

    response = client.get("/health/ready")

    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["worker"] == "error: no heartbeat"
    assert body["checks"]["scheduler"] == "ok"
    assert "worker" in body["error"]["message"]


@pytest.mark.django_db
def test_ready_names_a_role_whose_heartbeat_is_stale_and_recovers(client, background_roles):
    cache.set("heartbeat:worker", time.time() - 95, 600)
    heartbeat.beat("scheduler")

    stale = client.get("/health/ready")
    heartbeat.beat("worker")
    fresh = client.get("/health/ready")

    assert stale.status_code == 503
    assert stale.json()["checks"]["worker"] == "error: no heartbeat for 95 s"
    assert fresh.status_code == 200
    assert fresh.json()["checks"] == {
        "database": "ok",
        "channel_layer": "ok",
        "cache": "ok",
        "worker": "ok",
        "scheduler": "ok",
    }


def test_without_background_roles_ready_checks_no_heartbeat(settings):
    settings.HEARTBEAT_ROLES = []
    assert heartbeat.ready_checks() == {}


def test_the_age_metric_is_infinite_for_a_role_never_seen(background_roles):
    heartbeat.beat("worker")

    ages = age_metric()

    assert ages["worker"] < 5
    assert ages["scheduler"] == math.inf


def test_the_docker_check_passes_on_a_fresh_beat_only(heartbeat_dir):
    missing = check("worker", env_dir=heartbeat_dir)
    heartbeat.path("worker").touch()
    fresh = check("worker", env_dir=heartbeat_dir)
    old = time.time() - 61
    os.utime(heartbeat.path("worker"), (old, old))
    stale = check("worker", env_dir=heartbeat_dir)
    stale_but_allowed = check("worker", "120", env_dir=heartbeat_dir)

    assert missing.returncode == 1 and "no heartbeat yet" in missing.stdout
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    assert stale.returncode == 1 and "61 s ago" in stale.stdout
    assert stale_but_allowed.returncode == 0
    # Each role has its own file: the scheduler's check does not read the worker's beat.
    assert check("scheduler", env_dir=heartbeat_dir).returncode == 1
