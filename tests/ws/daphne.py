"""A real `daphne config.asgi:application` in a subprocess, for tests that need the wire (HTTP
status of a refused handshake, close codes as a client sees them) or a second process (live
updates crossing processes through the Redis channel layer).

The subprocess inherits the environment (REDIS_URL, CHANNELS_PREFIX, JWT key defaults) so it
shares the test process's channel layer and token signing. On PostgreSQL it uses the test
database, which it can see because websocket tests run with `transaction=True` (committed
rows); on SQLite the test database is in memory and invisible to it, so it gets an empty file
database of its own and only tests that never reach the database may use it.
"""

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

LISTENING = re.compile(r"Listening on TCP address 127\.0\.0\.1:(\d+)")
START_WAIT_SECONDS = 30
ASGI_APP = "config.asgi:application"


def _test_database_url(tmp_dir: Path) -> str:
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        return f"sqlite:///{tmp_dir / 'daphne-subprocess.sqlite3'}"
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{quote(db['NAME'], safe='')}"


@pytest.fixture(scope="module")
def daphne_url(django_db_setup, tmp_path_factory):
    """`ws://127.0.0.1:<port>` of a Daphne serving the project; stopped after the module."""
    yield from _daphne(tmp_path_factory.mktemp("daphne"), {})


@pytest.fixture
def daphne_url_with_model(fake_openai, django_db_setup, tmp_path_factory):
    """A Daphne of its own whose assistant talks to this test's fake model server."""
    model_env = {
        "OPENAI_API_KEY": "sk-test-fake",
        "OPENAI_BASE_URL": fake_openai.base_url,
        "OPENAI_MODEL": fake_openai.model,
        "OPENAI_MAX_RETRIES": "0",
        "OPENAI_TIMEOUT_SECONDS": "10",
    }
    yield from _daphne(tmp_path_factory.mktemp("daphne"), model_env)


def _daphne(tmp_dir: Path, extra_env: dict):
    log_path = tmp_dir / "daphne.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": _test_database_url(tmp_dir),
        "PYTHONUNBUFFERED": "1",
        **extra_env,
    }
    env.pop("DATABASE_PASSWORD", None)  # already in the URL when there is one
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "daphne", *("-b", "127.0.0.1", "-p", "0"), ASGI_APP],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        port = _wait_for_port(process, log_path)
        yield f"ws://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_for_port(process: subprocess.Popen, log_path: Path) -> int:
    deadline = time.monotonic() + START_WAIT_SECONDS
    while time.monotonic() < deadline:
        found = LISTENING.search(log_path.read_text(errors="replace"))
        if found:
            return int(found.group(1))
        if process.poll() is not None:
            break
        time.sleep(0.05)
    pytest.fail(f"daphne did not start:\n{log_path.read_text(errors='replace')}")
