"""Fixtures for the push tests: the fake Expo server and devices."""

from datetime import UTC, datetime

import pytest

from accounts.models import Device
from tests.fakes.expo_server import fake_expo  # noqa: F401  (pytest fixture)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def add_device(db):
    counter = {"n": 0}

    def add(user, token=None, platform="ios"):
        counter["n"] += 1
        token = token or f"ExponentPushToken[{user.pk.hex[:8]}-{counter['n']}]"
        return Device.objects.create(user=user, expo_push_token=token, platform=platform)

    return add


def push_lines(caplog, job: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith(f"push job={job} ")]
