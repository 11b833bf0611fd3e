"""deploy/backup.sh and deploy/restore.sh against the local PostgreSQL, as the stack's `backup`
service and an operator run them: a dump of the test database, restored into a new database,
holds the rows that were committed before it; retention, failures and refusals behave as
deploy/README.md says."""

import os
import re
import signal
import stat
import subprocess
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from rest_framework_simplejwt.tokens import AccessToken

from accounts.services import logout_all, tokens_for
from accounts.sessions import generation_floor, token_generation
from tasks.models import Task

pytestmark = [
    pytest.mark.postgres,
    # Committed rows: pg_dump is another process with a connection of its own.
    pytest.mark.django_db(transaction=True),
]

DEPLOY = Path(settings.BASE_DIR) / "deploy"
DUMP_NAME = re.compile(r"^agente-\d{4}-\d{2}-\d{2}T\d{6}Z\.dump$")
# Stands in for the db_password secret; the local server may not check it (trust), but the
# scripts must pass it on and never print it.
PASSWORD = f"pw-{uuid.uuid4().hex}"
DAY = 24 * 3600


@pytest.fixture
def pg_env(tmp_path):
    db = connection.settings_dict
    password_file = tmp_path / "db_password"
    password_file.write_text(db.get("PASSWORD") or PASSWORD)
    env = {
        "PATH": os.environ["PATH"],
        "PGHOST": db["HOST"] or "127.0.0.1",
        "PGPORT": str(db.get("PORT") or 5432),
        "PGUSER": db["USER"] or "postgres",
        "PGDATABASE": db["NAME"],
        "PGPASSWORD_FILE": str(password_file),
        "PGCONNECT_TIMEOUT": "5",
        "BACKUP_DIR": str(tmp_path / "backups"),
    }
    return env


@pytest.fixture
def new_database_name():
    """A database name nobody uses; dropped after the test whatever happened."""
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    yield name
    with _admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _admin_connection(dbname: str = "postgres"):
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db.get("PORT") or 5432,
        user=db["USER"] or "postgres",
        password=db.get("PASSWORD") or None,
        dbname=dbname,
        autocommit=True,
    )


def run(script: str, *args: str, env: dict, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["sh", str(DEPLOY / script), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def dumps_in(directory: Path) -> list[Path]:
    return sorted(directory.glob("agente-*.dump"))


def assert_no_password(*outputs: str) -> None:
    for output in outputs:
        assert PASSWORD not in output


def test_a_dump_restored_into_a_new_database_holds_the_committed_rows(
    pg_env, new_database_name, make_user
):
    owner = make_user(email="copia@example.com", name="Copia")
    Task.objects.create(user=owner, title="Sobrevivir a la restauración")

    backup = run("backup.sh", env=pg_env)

    assert backup.returncode == 0, backup.stderr
    (dump,) = dumps_in(Path(pg_env["BACKUP_DIR"]))
    assert DUMP_NAME.match(dump.name), dump.name
    # Only its owner may read it: it holds every password hash.
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600
    restore = run("restore.sh", str(dump), new_database_name, env=pg_env)
    assert restore.returncode == 0, restore.stderr
    assert f"restored {dump} into {new_database_name}" in restore.stdout
    with _admin_connection(new_database_name) as restored:
        users = restored.execute("SELECT email, name FROM users").fetchall()
        titles = restored.execute("SELECT title FROM tasks").fetchall()
    assert users == [("copia@example.com", "Copia")]
    assert titles == [("Sobrevivir a la restauración",)]
    assert_no_password(backup.stdout, backup.stderr, restore.stdout, restore.stderr)


def test_a_restored_database_refuses_every_token_issued_before_and_after_the_dump(
    pg_env, new_database_name, make_user
):
    """The dump has generation 0; after it the user logs out everywhere (1) and signs in again
    (tokens of 1). Restored, the row says 0 again: a plain +1 would accept the newer tokens."""
    user = make_user(email="sesion@example.com")
    before_dump = tokens_for(user)
    backup = run("backup.sh", env=pg_env)
    assert backup.returncode == 0, backup.stderr
    logout_all(user=user)
    user.refresh_from_db()
    after_dump = tokens_for(user)
    floor = generation_floor()

    (dump,) = dumps_in(Path(pg_env["BACKUP_DIR"]))
    restore = run("restore.sh", str(dump), new_database_name, env=pg_env)

    assert restore.returncode == 0, restore.stderr
    assert f"ended every session of 1 user(s) in {new_database_name}" in restore.stdout
    with _admin_connection(new_database_name) as restored:
        ((generation,),) = restored.execute("SELECT token_generation FROM users").fetchall()
    issued = {
        token_generation(AccessToken(tokens["access"]).payload)
        for tokens in (before_dump, after_dump)
    }
    assert issued == {0, 1}
    assert generation >= floor > max(issued)


def test_a_dump_from_before_64_bit_generations_is_restored_and_its_sessions_ended(
    pg_env, new_database_name, make_user
):
    make_user(email="antigua@example.com")
    with _admin_connection(connection.settings_dict["NAME"]) as test_db:
        test_db.execute("ALTER TABLE users ALTER COLUMN token_generation TYPE integer")
        try:
            backup = run("backup.sh", env=pg_env)
        finally:
            test_db.execute("ALTER TABLE users ALTER COLUMN token_generation TYPE bigint")
    assert backup.returncode == 0, backup.stderr

    (dump,) = dumps_in(Path(pg_env["BACKUP_DIR"]))
    restore = run("restore.sh", str(dump), new_database_name, env=pg_env)

    assert restore.returncode == 0, restore.stderr
    assert "ended every session of 1 user(s)" in restore.stdout


def test_backups_older_than_the_kept_days_are_deleted_after_a_good_dump(pg_env, db):
    backup_dir = Path(pg_env["BACKUP_DIR"])
    backup_dir.mkdir()
    now = time.time()
    old = backup_dir / "agente-2020-01-01T033000Z.dump"
    old_partial = backup_dir / "agente-2020-01-02T033000Z.dump.partial"
    recent = backup_dir / "agente-2020-01-10T033000Z.dump"
    unrelated = backup_dir / "notes.txt"
    for path, age_days in ((old, 15), (old_partial, 15), (recent, 2), (unrelated, 30)):
        path.write_bytes(b"x")
        os.utime(path, (now - age_days * DAY, now - age_days * DAY))

    backup = run("backup.sh", env={**pg_env, "BACKUP_KEEP_DAYS": "14"})

    assert backup.returncode == 0, backup.stderr
    assert not old.exists()
    assert not old_partial.exists()
    assert recent.exists()
    assert unrelated.exists()
    assert len(dumps_in(backup_dir)) == 2  # the recent one and tonight's
    assert f"deleted {old}" in backup.stdout


def test_a_failed_dump_keeps_every_old_backup_and_leaves_no_file(pg_env, db):
    backup_dir = Path(pg_env["BACKUP_DIR"])
    backup_dir.mkdir()
    old = backup_dir / "agente-2020-01-01T033000Z.dump"
    old.write_bytes(b"x")
    os.utime(old, (time.time() - 40 * DAY, time.time() - 40 * DAY))

    backup = run("backup.sh", env={**pg_env, "PGDATABASE": f"missing_{uuid.uuid4().hex[:8]}"})

    assert backup.returncode != 0
    assert "FAILED" in backup.stdout
    assert sorted(backup_dir.iterdir()) == [old]
    assert_no_password(backup.stdout, backup.stderr)


def test_restore_never_writes_over_an_existing_database(pg_env, tmp_path, db):
    run("backup.sh", env=pg_env)
    (dump,) = dumps_in(Path(pg_env["BACKUP_DIR"]))

    restore = run("restore.sh", str(dump), connection.settings_dict["NAME"], env=pg_env)

    assert restore.returncode == 73
    assert "already exists" in restore.stderr


def test_restore_refuses_a_file_that_is_not_a_dump(pg_env, tmp_path, new_database_name, db):
    not_a_dump = tmp_path / "agente-2026-01-01T000000Z.dump"
    not_a_dump.write_text("SELECT 1;\n")

    restore = run("restore.sh", str(not_a_dump), new_database_name, env=pg_env)

    assert restore.returncode == 65
    with _admin_connection() as admin:
        created = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [new_database_name]
        ).fetchall()
    assert created == []


@pytest.mark.parametrize(
    ("variable", "value"), [("BACKUP_KEEP_DAYS", "0"), ("BACKUP_KEEP_DAYS", "two")]
)
def test_backup_refuses_a_retention_that_would_delete_everything(pg_env, variable, value):
    backup = run("backup.sh", env={**pg_env, variable: value})

    assert backup.returncode == 64
    assert not Path(pg_env["BACKUP_DIR"]).exists()


def test_the_daily_loop_backs_up_at_once_when_none_is_recent_and_stops_on_sigterm(
    pg_env, tmp_path, db
):
    backup_dir = Path(pg_env["BACKUP_DIR"])
    log_path = tmp_path / "backup.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["sh", str(DEPLOY / "backup.sh"), "--daily"],
            env={**pg_env, "BACKUP_AT": "03:30"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        # The first backup, then the wait for 03:30 UTC.
        deadline = time.monotonic() + 30
        while "next backup at 03:30 UTC" not in log_path.read_text():
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.1)
        assert len(dumps_in(backup_dir)) == 1
        # SIGTERM (docker stop) ends the wait; the shell exits cleanly.
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert_no_password(log_path.read_text())


def test_the_daily_loop_refuses_a_malformed_time(pg_env):
    backup = run("backup.sh", "--daily", env={**pg_env, "BACKUP_AT": "half past three"})

    assert backup.returncode == 64
    assert "BACKUP_AT" in backup.stderr
