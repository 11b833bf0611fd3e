"""The background roles as the image runs them (`python -m config.metrics.role ROLE COMMAND`,
config/metrics/role.py): their endpoint, their heartbeat, and what a beat proves."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.cache import cache
from prometheus_client.parser import text_string_to_metric_families

from config.metrics import heartbeat
from config.metrics.role import JobWatch, beat_while
from summaries.tasks import fail_lost_jobs
from tests.metrics.helpers import Delta
from tests.resilience.servers import database_url, free_port


@pytest.fixture(autouse=True)
def heartbeat_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("HEARTBEAT_DIR", str(tmp_path))
    return tmp_path


def a_job(job_id: str, status: str = "SUCCESSFUL"):
    task = SimpleNamespace(module_path="summaries.tasks.fail_lost_jobs")
    return SimpleNamespace(id=job_id, task=task, status=status)


def wait(what: str, probe, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while True:
        found = probe()
        if found:
            return found
        assert time.monotonic() < deadline, f"no {what} within {seconds} s"
        time.sleep(0.1)


def test_a_job_running_past_the_lost_limit_makes_the_worker_unhealthy(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("config.metrics.role.time.monotonic", lambda: clock[0])
    watch = JobWatch(limit_seconds=900)
    assert watch.healthy()

    watch.started(None, task_result=a_job("a"))
    clock[0] += 899
    assert watch.healthy()
    clock[0] += 2
    assert not watch.healthy()

    with Delta(
        "agente_jobs_finished_total", task="summaries.tasks.fail_lost_jobs", status="FAILED"
    ) as d:
        watch.finished(None, task_result=a_job("a", "FAILED"))
    assert d.value == 1
    assert watch.healthy()


def test_no_beat_while_unhealthy(heartbeat_dir):
    healthy = [False]
    stop = beat_while("probe", lambda: healthy[0], every=0.05)
    try:
        time.sleep(0.3)
        assert not heartbeat.path("probe").exists()
        healthy[0] = True
        wait("beat", heartbeat.path("probe").exists, 10)
    finally:
        stop.set()


def scrape(port: int) -> dict[str, list]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as reply:
            text = reply.read().decode()
    except OSError:
        return {}
    return {family.name: family.samples for family in text_string_to_metric_families(text)}


def start_role(role: str, *command: str, tmp_path, metrics_port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "TASKS_BACKEND": "database",
        "METRICS_PORT": str(metrics_port),
        "HEARTBEAT_DIR": str(tmp_path),
    }
    env.pop("DATABASE_PASSWORD", None)  # in the URL when there is one
    with (tmp_path / f"{role}.log").open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "config.metrics.role", role, *command],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def stop_role(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait(timeout=10)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_worker_role_beats_serves_its_metrics_and_counts_the_jobs_it_runs(tmp_path, settings):
    port = free_port()
    cache.delete("heartbeat:worker")
    worker = start_role(
        "worker",
        *("db_worker", "--queue-name", "*", "--interval", "0.2", "--no-startup-delay"),
        tmp_path=tmp_path,
        metrics_port=port,
    )
    try:
        wait("heartbeat file", heartbeat.path("worker").exists)
        wait("heartbeat in the cache", lambda: cache.get("heartbeat:worker"), 10)
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
        fail_lost_jobs.enqueue()

        def finished():
            samples = scrape(port).get("agente_jobs_finished", [])
            return [s for s in samples if s.labels["status"] == "SUCCESSFUL"]

        (sample,) = wait("finished job in the worker's metrics", finished)
        families = scrape(port)
    finally:
        status = stop_role(worker)
    log = (tmp_path / "worker.log").read_text()

    assert sample.labels["task"] == "summaries.tasks.fail_lost_jobs" and sample.value == 1
    assert [s.labels["role"] for s in families["agente_heartbeat_timestamp_seconds"]] == ["worker"]
    assert "process_resident_memory_bytes" in families
    assert status == 0, log  # db_worker's own graceful stop on SIGTERM
    assert "Traceback" not in log


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_scheduler_role_beats_from_its_own_scheduler(tmp_path):
    port = free_port()
    cache.delete("heartbeat:scheduler")
    scheduler = start_role("scheduler", "crontask", tmp_path=tmp_path, metrics_port=port)
    try:
        wait("heartbeat file", heartbeat.path("scheduler").exists)
        wait("heartbeat in the cache", lambda: cache.get("heartbeat:scheduler"), 10)
        families = wait("metrics", lambda: scrape(port))
    finally:
        stop_role(scheduler)
    log = (tmp_path / "scheduler.log").read_text()

    assert [s.labels["role"] for s in families["agente_heartbeat_timestamp_seconds"]] == [
        "scheduler"
    ]
    assert "Starting scheduler" in log and "Traceback" not in log
