"""deploy/docker-entrypoint.sh on its own: how secrets reach the app, and how it fails. Each case
runs the real script; the roles that serve are exercised by test_production_smoke.py."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ENTRYPOINT = Path(settings.BASE_DIR) / "deploy" / "docker-entrypoint.sh"
SHOW = 'echo "${DJANGO_SECRET_KEY_FILE:-}|${DATABASE_PASSWORD_FILE:-}|${OPENAI_API_KEY_FILE:-}"'


def entrypoint(*args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess:
    base = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    return subprocess.run(
        ["sh", str(ENTRYPOINT), *args],
        cwd=settings.BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def secrets_dir(tmp_path):
    directory = tmp_path / "secrets"
    directory.mkdir()
    (directory / "django_secret_key").write_text("k" * 60)
    (directory / "db_password").write_text("the-db-password-value")
    return directory


def test_each_secret_file_present_is_passed_on_as_its_file_variable(secrets_dir):
    shown = entrypoint("sh", "-c", SHOW, SECRETS_DIR=str(secrets_dir))

    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == (
        f"{secrets_dir}/django_secret_key|{secrets_dir}/db_password|"  # no openai_api_key file
    )


def test_the_redis_password_secret_is_passed_on_as_redis_password_file(secrets_dir):
    (secrets_dir / "redis_password").write_text("the-redis-password-value")

    shown = entrypoint("sh", "-c", 'echo "${REDIS_PASSWORD_FILE:-}"', SECRETS_DIR=str(secrets_dir))

    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == f"{secrets_dir}/redis_password"


def test_the_email_password_secret_is_passed_on_as_email_password_file(secrets_dir):
    (secrets_dir / "email_password").write_text("the-smtp-password-value")

    shown = entrypoint("sh", "-c", 'echo "${EMAIL_PASSWORD_FILE:-}"', SECRETS_DIR=str(secrets_dir))

    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == f"{secrets_dir}/email_password"
    assert "the-smtp-password-value" not in shown.stdout + shown.stderr


def test_a_variable_the_operator_set_wins_over_the_secrets_directory(secrets_dir):
    shown = entrypoint(
        "sh",
        "-c",
        SHOW,
        SECRETS_DIR=str(secrets_dir),
        DJANGO_SECRET_KEY_FILE="/elsewhere/key",
        DATABASE_PASSWORD="given-directly",
    )

    assert shown.stdout.strip() == "/elsewhere/key||"


def test_the_secrets_directory_defaults_to_run_secrets():
    assert 'secrets_dir="${SECRETS_DIR:-/run/secrets}"' in ENTRYPOINT.read_text()


def test_a_missing_secret_stops_at_once_naming_the_variable(tmp_path):
    empty = tmp_path / "secrets"
    empty.mkdir()

    result = entrypoint(
        "migrate", DJANGO_ENV="production", SECRETS_DIR=str(empty), DB_WAIT_SECONDS="60"
    )

    # 78 (EX_CONFIG), not a minute of waiting for a database that is not the problem.
    assert result.returncode == 78
    assert "DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) must be set in production" in (
        result.stderr
    )


def test_an_unreachable_database_fails_after_the_bounded_wait_without_printing_the_password(
    secrets_dir,
):
    result = entrypoint(
        "migrate",
        SECRETS_DIR=str(secrets_dir),
        DATABASE_URL="postgres://agente@127.0.0.1:1/agente",
        DB_WAIT_SECONDS="1",
    )

    assert result.returncode == 1
    assert result.stderr.strip() == "database not reachable after 1s"
    assert "the-db-password-value" not in result.stdout + result.stderr


def test_the_removed_backend_role_fails_loudly():
    result = entrypoint("backend")

    assert result.returncode == 64
    assert "'http'" in result.stderr and "'ws'" in result.stderr and "migrate" in result.stderr


def test_manage_runs_a_manage_py_command(tmp_path):
    import django

    result = entrypoint("manage", "version", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == django.get_version()


@pytest.mark.parametrize("role", ["worker", "scheduler"])
def test_background_roles_wait_for_the_migrate_job_without_tracebacks(tmp_path, role):
    """First deploy: the stack starts before the migrate job has run. The background roles wait
    (bounded) instead of polling tables that do not exist yet."""
    result = entrypoint(
        role,
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        MIGRATIONS_WAIT_SECONDS="1",
    )

    assert result.returncode == 1
    assert "waiting for the migrate job" in result.stderr
    assert "migrations still not applied after 1s" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "manage.py migrate --check said:" in result.stderr


def test_the_worker_starts_once_migrations_are_applied(tmp_path):
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    assert entrypoint("migrate", DATABASE_URL=database, timeout=180).returncode == 0

    # --help: db_worker prints its options and exits instead of polling forever.
    result = entrypoint("worker", "--help", DATABASE_URL=database, MIGRATIONS_WAIT_SECONDS="1")

    assert result.returncode == 0, result.stderr
    assert "waiting for the migrate job" not in result.stderr
    assert "--queue-name" in result.stdout


def test_each_role_names_itself_in_the_logs():
    from config.observability.logs import ROLES
    from tests.deploy.stack import entrypoint_roles

    named = entrypoint("manage", "shell", "-c", "import os; print(os.environ['APP_ROLE'])")
    as_given = entrypoint("sh", "-c", 'echo "${APP_ROLE:-none}"')

    assert named.returncode == 0, named.stderr
    assert named.stdout.strip().splitlines()[-1] == "manage"
    assert as_given.stdout.strip() == "none"  # the app then calls it manage
    # Every role the entry point runs is one the logs know, and is exported by that name.
    text = ENTRYPOINT.read_text()
    exported = text[: text.index('export APP_ROLE="$role"')].rsplit("\n", 1)[-1]
    assert set(exported.strip().rstrip(")").split(" | ")) == ROLES
    assert entrypoint_roles() - {"backend"} == ROLES
