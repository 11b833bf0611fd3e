"""`manage.py import_legacy`: the Fastify service's users and rows, from its own PostgreSQL.

Each test loads tests/accounts/fixtures/legacy_fastify.sql (the seed's tables, users whose
password hashes Node's `bcrypt` made) into a database of its own on the local server,
`legacy_<test database>_<random>`, dropped afterwards."""

import os
import subprocess
import sys
import uuid
from decimal import Decimal
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from rest_framework.test import APIClient

from accounts.legacy.source import legacy_connect
from accounts.models import User
from chat.models import Conversation, Message
from checkins.models import CheckIn
from config import settings as project_settings
from goals.models import Goal, GoalProgress
from summaries.models import DailySummary
from tasks.models import Category, Task, TaskEvent
from tests.conftest import access_token_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "fixtures" / "legacy_fastify.sql"
ANA = uuid.UUID("a0000000-0000-4000-8000-000000000001")
BEN = uuid.UUID("b0000000-0000-4000-8000-000000000002")
BEN_TASK = uuid.UUID("b2000000-0000-4000-8000-000000000001")
# Test-only passwords, the ones the fixture's Node hashes were made from.
PASSWORDS = {"ana@example.com": "clave-de-ana-2024", "ben@example.com": "clave-de-ben-2024"}
TABLES = [
    "users",
    "categories",
    "tasks",
    "task_events",
    "goals",
    "goal_progress",
    "check_ins",
    "conversations",
    "messages",
    "daily_summaries",
]
MODELS = [User, Category, Task, TaskEvent, Goal, GoalProgress, CheckIn, Conversation, Message]
MODELS.append(DailySummary)


def _server(dbname: str) -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db.get("PORT") or 5432,
        user=db["USER"] or "postgres",
        password=db.get("PASSWORD") or None,
        dbname=dbname,
        autocommit=True,
    )


def _url(dbname: str) -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host, port = db["HOST"] or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{db['USER'] or 'postgres'}{password}@{host}:{port}/{dbname}"


class Legacy:
    """The old database: its URL, and a writable connection for the test's own changes."""

    def __init__(self, name: str):
        self.name = name
        self.url = _url(name)

    def execute(self, statement: str) -> None:
        with _server(self.name) as conn:
            conn.execute(statement)

    def snapshot(self) -> dict[str, tuple[int, str]]:
        """Row count and an md5 of every row of every table."""
        with _server(self.name) as conn:
            return {
                table: conn.execute(
                    f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), ''))"
                    f" FROM {table} t"
                ).fetchone()
                for table in TABLES
            }

    def owners(self) -> dict[str, set[tuple[uuid.UUID, uuid.UUID]]]:
        """(id, owner) of every row of every table (a message's owner is its conversation's)."""
        queries = {table: f"SELECT id, user_id FROM {table}" for table in TABLES}
        queries["users"] = "SELECT id, id FROM users"
        queries["messages"] = (
            "SELECT m.id, c.user_id FROM messages m"
            " JOIN conversations c ON c.id = m.conversation_id"
        )
        with _server(self.name) as conn:
            return {table: set(conn.execute(q).fetchall()) for table, q in queries.items()}


@pytest.fixture
def legacy():
    name = f"legacy_{connection.settings_dict['NAME']}_{uuid.uuid4().hex[:8]}"
    with _server("postgres") as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with _server(name) as conn:
            conn.execute(FIXTURE.read_text(encoding="utf-8"))
        yield Legacy(name)
    finally:
        with _server("postgres") as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def import_legacy(legacy: Legacy, *args: str) -> str:
    out = StringIO()
    call_command("import_legacy", "--database-url", legacy.url, *args, stdout=out)
    return out.getvalue()


def counts_of(output: str) -> dict[str, tuple[int, int, int]]:
    """{table: (read, imported, already there)} from the command's table."""
    counts = {}
    for line in output.splitlines():
        parts = line.split()
        if parts and parts[0] in TABLES and parts[1] != "-":
            counts[parts[0]] = tuple(int(n) for n in parts[1:4])
    return counts


def new_rows() -> dict[str, int]:
    return {model._meta.db_table: model.objects.count() for model in MODELS}


FIXTURE_ROWS = {
    "users": 3,
    "categories": 2,
    "tasks": 3,
    "task_events": 5,
    "goals": 2,
    "goal_progress": 2,
    "check_ins": 2,
    "conversations": 2,
    "messages": 5,
    "daily_summaries": 2,
}


def test_an_imported_user_logs_in_with_the_old_password_and_the_hash_becomes_argon2(
    legacy, settings
):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    import_legacy(legacy)
    ana = User.objects.get(pk=ANA)
    assert ana.password.startswith("bcrypt$$2b$10$")
    client = APIClient()

    wrong = client.post("/api/v1/auth/login", {"email": "ana@example.com", "password": "otra"})
    response = client.post(
        "/api/v1/auth/login",
        # Registered as Ana@Example.com: the email is the login, in any case.
        {"email": "ANA@example.com", "password": PASSWORDS["ana@example.com"]},
    )

    assert wrong.status_code == 401
    assert response.status_code == 200, response.content
    assert response.json()["user"]["id"] == str(ANA)
    ana.refresh_from_db()
    assert ana.password.startswith("argon2$argon2id$")
    again = client.post(
        "/api/v1/auth/login",
        {"email": "ana@example.com", "password": PASSWORDS["ana@example.com"]},
    )
    assert again.status_code == 200


def test_every_table_arrives_with_its_rows_their_ids_and_their_owners(legacy):
    expected = legacy.owners()

    output = import_legacy(legacy)

    assert counts_of(output) == {t: (n, n, 0) for t, n in FIXTURE_ROWS.items()}
    for model in MODELS:
        table = model._meta.db_table
        owner = "id" if model is User else "user_id"
        assert set(model.objects.values_list("id", owner)) == expected[table], table


def test_the_rows_keep_what_they_say(legacy):
    import_legacy(legacy)

    ana = User.objects.get(pk=ANA)
    assert (ana.email, ana.timezone, ana.language) == ("ana@example.com", "Europe/Madrid", "es")
    # Keys this project does not know are left behind.
    assert ana.preferences == {"summary_hour": 22, "checkin_reminders": ["09:00"]}
    running = Task.objects.get(user=ana, status="in_progress")
    assert running.running_since.isoformat() == "2025-06-11T07:00:00+00:00"
    assert running.created_at.isoformat() == "2025-06-11T06:59:00+00:00"
    done = Task.objects.get(title="Preparar informe")
    assert (done.tracked_seconds, done.category.name) == (3600, "Trabajo")
    assert done.updated_at.isoformat() == "2025-06-10T10:00:00+00:00"
    assert Goal.objects.get(user_id=BEN).target_value == Decimal("100.00")
    # A tool call stays a tool call; an empty list of them is "no tool" (NULL), as here.
    messages = list(Message.objects.filter(user=ana).order_by("created_at"))
    assert [m.tool_calls is None for m in messages] == [True, False, True, True]
    assert messages[2].tool_call_id == "call_1" and messages[0].source == "voice"
    assert Conversation.objects.get(user=ana).title == ""
    summary = DailySummary.objects.get(user_id=BEN)
    assert (summary.language, summary.model, summary.source) == ("en", None, "schedule")


def test_another_users_data_stays_theirs(legacy):
    import_legacy(legacy)
    ben = APIClient()
    ben.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token_for(User.objects.get(pk=BEN))}")

    listing = ben.get("/api/v1/tasks")
    anas_task = ben.get("/api/v1/tasks/a2000000-0000-4000-8000-000000000001")
    anas_goal = ben.get("/api/v1/goals/a4000000-0000-4000-8000-000000000001")

    assert listing.status_code == 200
    assert [task["id"] for task in listing.json()["results"]] == [str(BEN_TASK)]
    assert anas_task.status_code == 404
    assert anas_goal.status_code == 404


def test_a_second_run_imports_nothing(legacy):
    import_legacy(legacy)
    before = new_rows()

    output = import_legacy(legacy)

    assert counts_of(output) == {t: (n, 0, n) for t, n in FIXTURE_ROWS.items()}
    assert new_rows() == before


def test_a_second_run_overwrites_nothing_a_user_changed(legacy):
    import_legacy(legacy)
    Task.objects.filter(pk=BEN_TASK).update(title="Fixed")

    import_legacy(legacy)

    assert Task.objects.get(pk=BEN_TASK).title == "Fixed"


def test_a_dry_run_prints_the_counts_and_writes_nothing(legacy):
    output = import_legacy(legacy, "--dry-run")

    assert "nothing was written" in output
    assert counts_of(output) == {t: (n, n, 0) for t, n in FIXTURE_ROWS.items()}
    assert set(new_rows().values()) == {0}


def test_the_old_database_is_unchanged(legacy):
    before = legacy.snapshot()

    import_legacy(legacy, "--dry-run")
    import_legacy(legacy)
    import_legacy(legacy)

    assert legacy.snapshot() == before


def test_the_connection_to_the_old_database_cannot_write(legacy):
    with legacy_connect(legacy.url) as old:
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            old.execute("UPDATE users SET name = 'x'")
        old.rollback()
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            old.execute("CREATE TABLE intruder (id int)")
    with _server(legacy.name) as conn:
        assert conn.execute("SELECT count(*) FROM users WHERE name = 'x'").fetchone() == (0,)


def test_a_missing_column_is_refused_naming_the_table_and_the_column(legacy):
    legacy.execute("ALTER TABLE tasks DROP COLUMN status")
    legacy.execute("ALTER TABLE users DROP COLUMN password_hash")

    with pytest.raises(CommandError) as refused:
        import_legacy(legacy)

    message = str(refused.value)
    assert "table tasks has no column status" in message
    assert "table users has no column password_hash" in message
    assert "nothing was written" in message
    assert set(new_rows().values()) == {0}


def test_a_missing_column_exits_non_zero_from_the_command_line(legacy):
    legacy.execute("ALTER TABLE goals DROP COLUMN unit")
    db = connection.settings_dict
    env = {**os.environ, "DATABASE_URL": _url(db["NAME"])}

    result = subprocess.run(
        [sys.executable, "manage.py", "import_legacy", "--database-url", legacy.url],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert "table goals has no column unit" in result.stderr


def test_tables_the_old_database_does_not_have_are_reported_and_skipped(legacy):
    """The anchor's copy of the seed's schema has no chat or summaries tables."""
    legacy.execute("DROP TABLE messages, conversations, daily_summaries")

    output = import_legacy(legacy)

    assert "conversations" in output and "(no such table)" in output
    assert counts_of(output)["tasks"] == (3, 3, 0)
    assert Conversation.objects.count() == 0


def test_a_row_pointing_at_another_users_row_is_refused(legacy):
    anas_category = "a1000000-0000-4000-8000-000000000001"
    legacy.execute(f"UPDATE tasks SET category_id = '{anas_category}' WHERE id = '{BEN_TASK}'")

    with pytest.raises(CommandError) as refused:
        import_legacy(legacy)

    assert f"tasks {BEN_TASK}: category_id" in str(refused.value)
    assert "belongs to another user" in str(refused.value)
    assert set(new_rows().values()) == {0}


def test_a_value_the_new_schema_cannot_hold_is_refused_naming_the_row(legacy):
    legacy.execute(f"UPDATE tasks SET status = 'doing' WHERE id = '{BEN_TASK}'")
    legacy.execute("UPDATE users SET timezone = 'Mars/Olympus' WHERE email = 'ben@example.com'")

    with pytest.raises(CommandError) as refused:
        import_legacy(legacy)

    message = str(refused.value)
    assert f"tasks {BEN_TASK}: status:" in message
    assert f"users {BEN}: timezone:" in message
    assert set(new_rows().values()) == {0}


def test_an_email_already_taken_here_by_another_account_is_refused(legacy, make_user):
    make_user(email="ben@example.com")

    with pytest.raises(CommandError) as refused:
        import_legacy(legacy)

    assert f"users {BEN}: email ben@example.com belongs to another account" in str(refused.value)
    assert "nothing was written" in str(refused.value)
    assert User.objects.count() == 1
    assert Task.objects.count() == 0


def test_two_old_accounts_whose_emails_differ_only_in_case_are_refused(legacy):
    legacy.execute("UPDATE users SET email = 'ANA@example.com' WHERE id = '" + str(BEN) + "'")

    with pytest.raises(CommandError) as refused:
        import_legacy(legacy)

    assert "email ana@example.com is also users" in str(refused.value)
    assert User.objects.count() == 0


def test_the_old_password_can_come_from_a_file(legacy, tmp_path):
    """--database-password-file keeps the password out of the command line. (The local test
    server may trust its users: this checks the option is read and passed, not the password.)"""
    secret = tmp_path / "fastify_db_password"
    secret.write_text((connection.settings_dict.get("PASSWORD") or "unused") + "\n")

    output = import_legacy(legacy, "--database-password-file", str(secret))

    assert counts_of(output)["users"] == (3, 3, 0)


def test_an_unreadable_password_file_is_refused_clearly(legacy, tmp_path):
    with pytest.raises(CommandError, match="cannot read the password file"):
        import_legacy(legacy, "--database-password-file", str(tmp_path / "missing"))


def test_a_malformed_database_url_is_refused_without_its_password(capsys):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError) as refused:
        call_command("import_legacy", "--database-url", "postgres://old:s3cr3t-pw@[::1/db")
    assert "cannot read the old database" in str(refused.value)
    assert "s3cr3t-pw" not in str(refused.value)
    assert refused.value.__cause__ is None and refused.value.__suppress_context__
