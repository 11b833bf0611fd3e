"""The sign of life of the roles without a port: the worker and the scheduler.

A beat is written twice, for two readers:

- a file in the container (`<HEARTBEAT_DIR or the temp dir>/agente-heartbeat-<role>`, its
  modification time), read by Docker's health check, `python -m config.metrics.heartbeat ROLE`
  (deploy/stack.yml). It is per container, so the check says which task is stuck, and it needs
  neither Django nor Redis: a Redis outage does not make a healthy worker "unhealthy".
- a key in the cache (`heartbeat:<role>`, Unix time; Redis in production, shared by every
  role), read by `/health/ready` (`checks.worker`, `checks.scheduler`) and by the http role's
  `agente_heartbeat_age_seconds{role}`. Any replica's beat refreshes it: "some worker is alive".

Beats come every BEAT_SECONDS; both readers call a role stale after HEARTBEAT_STALE_SECONDS
(60) without one. Who beats, and what a beat proves, is config/metrics/role.py's business.
"""

import logging
import os
import sys
import tempfile
import time
from pathlib import Path

logger = logging.getLogger(__name__)

BEAT_SECONDS = 10.0
STALE_SECONDS = 60  # the default of settings.HEARTBEAT_STALE_SECONDS and of the Docker check
CACHE_TTL_SECONDS = 86400  # a role removed from the stack stops being reported a day later


def path(role: str) -> Path:
    directory = os.environ.get("HEARTBEAT_DIR") or tempfile.gettempdir()
    return Path(directory) / f"agente-heartbeat-{role}"


def cache_key(role: str) -> str:
    return f"heartbeat:{role}"


def beat(role: str) -> None:
    """Record that `role` is alive now: the file always, the cache when it answers."""
    from django.core.cache import cache

    from config.metrics.series import HEARTBEAT

    now = time.time()
    path(role).touch()
    HEARTBEAT.labels(role=role).set(now)
    try:
        cache.set(cache_key(role), now, CACHE_TTL_SECONDS)
    except Exception as exc:  # Redis away: the file still tells Docker this process is fine
        logger.debug("heartbeat not stored in the cache: %s", type(exc).__name__)


def ages(roles) -> dict[str, float | None]:
    """Seconds since each role's last beat in the cache (any replica); None: never seen."""
    from django.core.cache import cache

    stored = cache.get_many([cache_key(role) for role in roles])
    now = time.time()
    return {
        role: (
            max(0.0, now - float(stored[cache_key(role)])) if cache_key(role) in stored else None
        )
        for role in roles
    }


def ready_checks() -> dict[str, str]:
    """`/health/ready`'s entries for the roles in HEARTBEAT_ROLES (none without the database
    task backend: then no worker or scheduler runs)."""
    from django.conf import settings

    roles = list(settings.HEARTBEAT_ROLES)
    if not roles:
        return {}
    try:
        found = ages(roles)
    except Exception as exc:
        return dict.fromkeys(roles, f"error: {type(exc).__name__}")
    checks = {}
    for role, age in found.items():
        if age is None:
            checks[role] = "error: no heartbeat"
        elif age > settings.HEARTBEAT_STALE_SECONDS:
            checks[role] = f"error: no heartbeat for {age:.0f} s"
        else:
            checks[role] = "ok"
    return checks


def file_age(role: str) -> float | None:
    try:
        return max(0.0, time.time() - path(role).stat().st_mtime)
    except FileNotFoundError:
        return None


def main(argv: list[str]) -> int:
    """`python -m config.metrics.heartbeat ROLE [MAX_AGE_SECONDS]`: exit 0 when this
    container's ROLE beat within MAX_AGE_SECONDS (default 60), else 1 with the reason."""
    if not 1 <= len(argv) <= 2:
        print("usage: python -m config.metrics.heartbeat ROLE [MAX_AGE_SECONDS]", file=sys.stderr)
        return 2
    role = argv[0]
    limit = float(argv[1]) if len(argv) == 2 else STALE_SECONDS
    age = file_age(role)
    if age is None:
        print(f"{role}: no heartbeat yet ({path(role)})")
        return 1
    if age > limit:
        print(f"{role}: last heartbeat {age:.0f} s ago (limit {limit:.0f} s)")
        return 1
    print(f"{role}: heartbeat {age:.0f} s ago")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
