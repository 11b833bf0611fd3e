"""A fortnight of known data for the insights tests (Ana, Europe/Madrid, UTC+1 in November):
every figure the tests expect is worked out by hand beside them.

Days: Monday 2 to Sunday 15 November 2026. Ana tracks "Tesis" on the 2nd, 3rd, 4th (exactly
30 minutes) and 9th, only 20 minutes on the 5th, and "Correo" an hour on the 5th, 6th and
10th. Eleven check-ins fall in the fortnight (one at 00:30 local on the 2nd, still the 1st in
UTC) and one just after it (00:30 local on the 16th, still the 15th in UTC)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from checkins.services import checkin_create
from tasks import services as task_services

MADRID = ZoneInfo("Europe/Madrid")
FROM, TO = date(2026, 11, 2), date(2026, 11, 15)


def local(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime.combine(date(2026, month, day), time(hour, minute), tzinfo=MADRID)


# (local day, hour, minute, mood, energy), numbered as in the tests' arithmetic.
CHECKINS = {
    1: (2, 9, 0, 4, 3),
    2: (3, 20, 0, 5, 4),
    3: (4, 13, 0, 4, 4),
    4: (5, 9, 30, 2, 2),
    5: (6, 19, 0, 3, 2),
    6: (7, 11, 0, 3, 5),
    7: (9, 8, 0, 5, 5),
    8: (9, 21, 0, 3, 3),
    9: (10, 10, 0, 2, 3),
    10: (15, 23, 30, 2, 2),
    11: (2, 0, 30, 4, 2),
}
# (category, local day, start hour, minutes)
TIME = [
    ("Tesis", 2, 10, 60),
    ("Tesis", 3, 10, 45),
    ("Tesis", 4, 15, 30),
    ("Tesis", 5, 16, 20),
    ("Tesis", 9, 9, 120),
    ("Correo", 5, 11, 60),
    ("Correo", 6, 11, 60),
    ("Correo", 10, 11, 60),
]
# (category or None, estimated minutes, tracked minutes, completed at (local day, hour))
ESTIMATED = [
    ("Tesis", 60, 90, (3, 18)),
    ("Tesis", 30, 30, (4, 18)),
    ("Tesis", 120, 180, (12, 18)),
    ("Correo", 20, 10, (6, 18)),
    ("Correo", 40, 40, (13, 18)),
]


def _log(user, task, start: datetime, minutes: int) -> None:
    task_services.task_log_time(
        user=user,
        task=task,
        source="api",
        started_at=start,
        ended_at=start + timedelta(minutes=minutes),
    )


def fill_fortnight(user) -> dict:
    categories = {
        name: task_services.category_create(user=user, name=name) for name in ("Tesis", "Correo")
    }
    work = {
        name: task_services.task_create(user=user, source="api", title=f"{name} diaria", category=c)
        for name, c in categories.items()
    }
    for name, day, hour, minutes in TIME:
        _log(user, work[name], local(day, hour), minutes)
    for day, hour, minute, mood, energy in CHECKINS.values():
        checkin_create(
            user=user, source="api", mood=mood, energy=energy, recorded_at=local(day, hour, minute)
        )
    # Outside the fortnight by the local clock only.
    checkin_create(user=user, source="api", mood=1, energy=1, recorded_at=local(16, 0, 30))

    # Tasks done in the fortnight, their time tracked in October (outside the time report).
    start = local(1, 6, month=10)
    for index, (name, estimated, tracked, (day, hour)) in enumerate(ESTIMATED):
        task = task_services.task_create(
            user=user,
            source="api",
            title=f"Estimada {index}",
            category=categories.get(name),
            estimated_minutes=estimated,
        )
        _log(user, task, start + timedelta(days=index), tracked)
        task_services.task_complete(user=user, task=task, source="api", now=local(day, hour))
    # Not counted: no estimate; no time tracked; completed just after the fortnight (local);
    # completed and reopened.
    left_out = [
        (None, 60, (5, 18)),
        (15, 0, (5, 18)),
        (10, 50, (16, 0, 30)),
        (10, 100, (7, 18)),
    ]
    for index, (estimated, tracked, when) in enumerate(left_out):
        task = task_services.task_create(
            user=user,
            source="api",
            title=f"Fuera {index}",
            category=categories["Tesis"],
            estimated_minutes=estimated,
        )
        if tracked:
            _log(user, task, start + timedelta(days=10 + index), tracked)
        task_services.task_complete(user=user, task=task, source="api", now=local(*when))
    task_services.task_reopen(user=user, task=task, source="api", now=local(8, 9))
    return categories


def fill_someone_else(user, category_name: str = "Tesis") -> None:
    """Another person's busy fortnight, every figure of it far from Ana's."""
    category = task_services.category_create(user=user, name=category_name)
    task = task_services.task_create(user=user, source="api", title="Otra", category=category)
    for day in range(2, 16):
        _log(user, task, local(day, 12), 90)
        checkin_create(user=user, source="api", mood=1, energy=5, recorded_at=local(day, 12, 30))
    for index in range(4):
        done = task_services.task_create(
            user=user, source="api", title=f"Ajena {index}", category=category, estimated_minutes=10
        )
        _log(user, done, local(20 + index, 6, month=10), 100)
        task_services.task_complete(user=user, task=done, source="api", now=local(3, 19))


@pytest.fixture
def fortnight(user, other_user):
    categories = fill_fortnight(user)
    fill_someone_else(other_user)
    return categories
