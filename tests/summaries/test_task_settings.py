"""TASKS, CRONTASK, STALE_TIMER_HOURS and TASKS_LOST_AFTER_MINUTES from the environment (a fresh
interpreter per case)."""

import json

from tests.config.test_settings_env import production, run

PRINT = """
import json
from django.conf import settings as s
print(json.dumps({"tasks": s.TASKS["default"]["BACKEND"], "crontask": s.CRONTASK,
                  "stale": s.STALE_TIMER_HOURS, "lost": s.TASKS_LOST_AFTER_MINUTES}))
"""


def settings_in(**env) -> dict:
    result = run(["-c", PRINT], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_jobs_run_immediately_unless_the_database_backend_is_chosen():
    assert settings_in()["tasks"] == "django.tasks.backends.immediate.ImmediateBackend"
    assert settings_in(TASKS_BACKEND="database")["tasks"] == "django_tasks_db.DatabaseBackend"


def test_an_unknown_backend_is_refused():
    result = run(["-c", PRINT], TASKS_BACKEND="celery")
    assert result.returncode != 0
    assert "TASKS_BACKEND must be immediate or database" in result.stderr


def test_the_scheduler_locks_in_redis_when_there_is_one():
    assert settings_in()["crontask"] == {"REDIS_URL": None}
    with_redis = settings_in(REDIS_URL="redis://redis:6379/0")
    assert with_redis["crontask"] == {"REDIS_URL": "redis://redis:6379/0"}


def test_the_stale_limit_is_configurable_within_bounds():
    assert settings_in()["stale"] == 10
    assert settings_in(STALE_TIMER_HOURS="4")["stale"] == 4
    result = run(["-c", PRINT], STALE_TIMER_HOURS="0")
    assert "STALE_TIMER_HOURS must be from 1 to 720" in result.stderr


def test_the_lost_job_limit_is_configurable_within_bounds():
    assert settings_in()["lost"] == 15
    assert settings_in(TASKS_LOST_AFTER_MINUTES="30")["lost"] == 30
    result = run(["-c", PRINT], TASKS_LOST_AFTER_MINUTES="2")
    assert "TASKS_LOST_AFTER_MINUTES must be from 5 to 1440" in result.stderr


def test_check_deploy_passes_with_the_database_backend():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **production(TASKS_BACKEND="database"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
