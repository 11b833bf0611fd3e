"""`POST /api/v1/summaries/{date}/generate` never waits on the model on the HTTP role (issue 22).

The production commands run as subprocesses: bin/http-server with ONE granian worker (one
request at a time, so anything a request waits on stalls every other request) and
`manage.py db_worker`, both with TASKS_BACKEND=database and the model pointed at the fake
OpenAI server, whose reply is held until the test releases it: a model as slow as we like,
without a timed assertion. `generate` must answer 202 while the model has not answered anyone;
while the worker's model call is in flight, `GET /api/v1/tasks` must still answer; once the
model answers, the summary is there. When the request itself called the model, the one worker
sat on it and neither the generate nor any request behind it got an answer until the model did.
"""

import http.client
import json
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings

from tests.conftest import access_token_for
from tests.resilience.servers import Server, database_url

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    # Committed rows: the server and the worker are other processes.
    pytest.mark.django_db(transaction=True),
]

# How long a client waits for an answer. A request that waits on the held model gets none
# before the test releases it, however long this is: it bounds a failure, not a speed.
ANSWER_SECONDS = 20
WORKER_SECONDS = 60  # the worker's start and its poll (a busy machine imports slowly)


def call(server: Server, method: str, path: str, token: str) -> tuple[int, object]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=ANSWER_SECONDS)
    try:
        connection.request(
            method, path, headers={"Authorization": f"Bearer {token}", "Content-Length": "0"}
        )
        reply = connection.getresponse()
        raw = reply.read()
        return reply.status, json.loads(raw) if raw else None
    finally:
        connection.close()


@pytest.fixture
def roles(fake_openai, tmp_path):
    """(http server, worker process, worker log path) sharing the test database, Redis (from
    the environment) and the fake model."""
    env = {
        "DATABASE_URL": database_url(),
        "TASKS_BACKEND": "database",
        "WEB_CONCURRENCY": "1",
        "OPENAI_API_KEY": "sk-test-fake",
        "OPENAI_BASE_URL": fake_openai.base_url,
        "OPENAI_MODEL": fake_openai.model,
        "OPENAI_MAX_RETRIES": "0",
        "OPENAI_TIMEOUT_SECONDS": "60",
    }
    http_server = Server("http", "http-server", tmp_path / "http.log", env)
    worker_log = tmp_path / "worker.log"
    worker_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env}
    worker_env.pop("DATABASE_PASSWORD", None)  # in the URL when there is one
    with worker_log.open("wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--no-reload"],
            cwd=settings.BASE_DIR,
            env=worker_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        http_server.wait_until_healthy()
        yield http_server, worker, worker_log
    finally:
        http_server.stop()
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)


def test_generate_answers_202_at_once_and_a_slow_model_delays_no_other_request(
    roles, fake_openai, user
):
    http_server, worker, worker_log = roles
    held = fake_openai.add_held("Un día tranquilo.")
    token = access_token_for(user)
    day = user.local_now().date().isoformat()
    try:
        status, body = call(http_server, "POST", f"/api/v1/summaries/{day}/generate", token)
        assert (status, body) == (202, {"date": day, "status": "queued", "replaces": False})

        # The worker took the job and waits on the model; the HTTP worker does not.
        assert fake_openai.holding.wait(WORKER_SECONDS), worker_log.read_text(errors="replace")
        status, tasks = call(http_server, "GET", "/api/v1/tasks", token)
        assert status == 200
        assert tasks["count"] == 0
        status, _ = call(http_server, "GET", f"/api/v1/summaries/{day}", token)
        assert status == 404  # nothing stored before the model answered
    finally:
        held.release.set()

    deadline = time.monotonic() + WORKER_SECONDS
    while (reply := call(http_server, "GET", f"/api/v1/summaries/{day}", token))[0] == 404:
        assert time.monotonic() < deadline, worker_log.read_text(errors="replace")
        time.sleep(0.2)
    status, summary = reply
    assert status == 200
    assert (summary["text"], summary["model"], summary["source"]) == (
        "Un día tranquilo.",
        "fake-model",
        "request",
    )
    assert len(fake_openai.requests) == 1
    assert worker.poll() is None
