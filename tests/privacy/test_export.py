"""GET /api/v1/export: a zip of everything the user has, nothing of anyone else, streamed
as it is written, and a few per hour; `manage.py export_user` writes the same."""

import csv
import io
import json
import os
import tracemalloc
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.http import StreamingHttpResponse
from rest_framework.test import APIClient

from checkins.models import CheckIn
from tasks.models import Task, TaskEvent
from tests.accounts.conftest import error_of
from tests.conftest import access_token_for
from tests.privacy.accounts_data import fill_account

pytestmark = pytest.mark.django_db

KINDS = [
    "categories",
    "tasks",
    "task_events",
    "goals",
    "goal_progress",
    "goal_pauses",
    "check_ins",
    "memories",
    "daily_summaries",
    "day_plans",
    "day_plan_items",
    "weekly_reviews",
    "devices",
    "notifications",
    "nudges",
]


def client_of(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token_for(user)}")
    return client


def export_of(user) -> zipfile.ZipFile:
    response = client_of(user).get("/api/v1/export")
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def load(archive: zipfile.ZipFile, name: str):
    return json.loads(archive.read(name))


@pytest.fixture
def two_people(user, other_user):
    return fill_account(user, tag="ana"), fill_account(other_user, tag="otro")


def ids(rows) -> set[str]:
    return {row["id"] for row in rows}


def test_the_export_holds_every_object_of_the_user(two_people, user):
    mine, _ = two_people

    archive = export_of(user)

    assert archive.testzip() is None
    assert set(archive.namelist()) == {
        "export.json",
        "profile.json",
        *(f"{kind}.json" for kind in KINDS),
        "conversations.json",
        "time_entries.csv",
    }
    profile = load(archive, "profile.json")
    assert (profile["id"], profile["email"], profile["timezone"]) == (
        str(user.pk),
        user.email,
        "Europe/Madrid",
    )
    assert "password" not in profile
    assert ids(load(archive, "categories.json")) == {str(mine["category"].pk)}
    assert ids(load(archive, "tasks.json")) == {str(mine["task"].pk)}
    events = load(archive, "task_events.json")
    assert ids(events) == {str(e.pk) for e in TaskEvent.objects.filter(user=user)}
    assert {e["type"] for e in events} >= {"created", "started", "paused", "time_logged"}
    assert ids(load(archive, "goals.json")) == {str(mine["goal"].pk)}
    assert ids(load(archive, "goal_progress.json")) == {str(mine["progress"].pk)}
    assert ids(load(archive, "check_ins.json")) == {str(mine["checkin"].pk)}
    assert ids(load(archive, "memories.json")) == {str(mine["memory"].pk)}
    assert ids(load(archive, "daily_summaries.json")) == {str(mine["summary"].pk)}
    assert ids(load(archive, "goal_pauses.json")) == {str(mine["pause"].pk)}
    [plan] = load(archive, "day_plans.json")
    assert (plan["id"], plan["working_start"]) == (str(mine["plan"].pk), "09:00")
    assert ids(load(archive, "day_plan_items.json")) == {
        str(item.pk) for item in mine["plan"].items.all()
    }
    assert ids(load(archive, "weekly_reviews.json")) == {str(mine["review"].pk)}
    assert ids(load(archive, "devices.json")) == {str(mine["device"].pk)}
    assert ids(load(archive, "notifications.json")) == {str(mine["notification"].pk)}
    assert ids(load(archive, "nudges.json")) == {str(mine["nudge"].pk)}
    [conversation] = load(archive, "conversations.json")
    assert conversation["id"] == str(mine["conversation"].pk)
    assert [m["content"] for m in conversation["messages"]] == ["hola ana", "respuesta ana"]


def test_the_export_holds_nothing_of_anyone_else(two_people, user, other_user):
    archive = export_of(user)

    for name in archive.namelist():
        text = archive.read(name).decode()
        for trace in ("otro", str(other_user.pk), other_user.email):
            assert trace not in text, (name, trace)


def test_dates_are_iso_8601_in_utc(two_people, user):
    archive = export_of(user)

    [task] = load(archive, "tasks.json")
    assert task["created_at"].endswith("Z")
    assert datetime.fromisoformat(task["created_at"]).utcoffset() == timedelta(0)
    assert load(archive, "export.json")["exported_at"].endswith("Z")


def test_the_time_entries_csv_has_one_row_per_closed_stretch(two_people, user):
    archive = export_of(user)

    rows = list(csv.DictReader(io.StringIO(archive.read("time_entries.csv").decode())))

    assert list(rows[0]) == ["date", "task", "category", "start", "end", "seconds", "task_id"]
    assert [(r["start"], r["end"], r["seconds"]) for r in rows] == [
        ("2026-11-02T06:00:00Z", "2026-11-02T07:00:00Z", "3600"),  # logged by hand
        ("2026-11-02T09:00:00Z", "2026-11-02T09:30:00Z", "1800"),  # started, paused
    ]
    assert {(r["date"], r["task"], r["category"]) for r in rows} == {
        ("2026-11-02", "Informe ana", "Trabajo ana")
    }


def test_an_empty_account_exports_empty_files(user):
    archive = export_of(user)

    assert load(archive, "tasks.json") == []
    assert load(archive, "conversations.json") == []
    assert archive.read("time_entries.csv").decode().splitlines() == [
        "date,task,category,start,end,seconds,task_id"
    ]


def test_export_user_writes_the_same_zip(two_people, user, tmp_path):
    target = tmp_path / "ana.zip"

    call_command("export_user", user.email.upper(), output=str(target))

    from_command = zipfile.ZipFile(target)
    from_api = export_of(user)
    assert from_command.namelist() == from_api.namelist()
    for name in from_api.namelist():
        if name != "export.json":  # differs only by the moment it was made
            assert from_command.read(name) == from_api.read(name), name


def test_export_user_refuses_an_unknown_email(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("export_user", "nadie@example.com", output=os.devnull)


def test_exports_are_throttled_per_user(user, other_user, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "export_user": "2/hour"}
    client = client_of(user)
    for _ in range(2):
        assert client.get("/api/v1/export").status_code == 200

    refused = client.get("/api/v1/export/")

    assert refused.status_code == 429
    assert error_of(refused)["code"] == "throttled"
    assert client_of(other_user).get("/api/v1/export").status_code == 200


def test_the_export_needs_a_token(db):
    response = APIClient().get("/api/v1/export")

    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"


def _large_account(user, *, rows: int, note_bytes: int) -> None:
    """`rows` check-ins and as many closed stretches of work, with notes that do not compress."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    CheckIn.objects.bulk_create(
        [
            CheckIn(user=user, mood=3, energy=3, note=os.urandom(note_bytes // 2).hex())
            for _ in range(rows)
        ],
        batch_size=500,
    )
    task = Task.objects.create(user=user, title="grande")
    TaskEvent.objects.bulk_create(
        [
            TaskEvent(
                task=task,
                user=user,
                type="time_logged",
                source="api",
                segment_start=now + timedelta(minutes=2 * n),
                segment_end=now + timedelta(minutes=2 * n + 1),
                duration_seconds=60,
                data={"note": os.urandom(note_bytes // 2).hex()},
            )
            for n in range(rows)
        ],
        batch_size=500,
    )


def test_the_export_streams_with_bounded_memory(user):
    _large_account(user, rows=8000, note_bytes=1000)  # 16 MB of JSON, hex: about half stays
    response = client_of(user).get("/api/v1/export")
    assert isinstance(response, StreamingHttpResponse)

    tracemalloc.start()
    try:
        size, pieces = 0, 0
        for chunk in response.streaming_content:
            size += len(chunk)
            pieces += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert size > 8_000_000
    assert pieces > 50  # handed over as it was written, not at the end
    assert peak < size / 4, (peak, size)
    print(f"export of {size} bytes in {pieces} pieces, peak {peak} bytes")
