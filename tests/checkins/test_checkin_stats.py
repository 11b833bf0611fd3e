"""GET /api/v1/checkins/stats: per-day averages in the user's timezone."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from checkins.selectors import checkin_stats
from checkins.services import checkin_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/checkins/stats"
MADRID = ZoneInfo("Europe/Madrid")


def at(*args):
    return datetime(*args, tzinfo=MADRID)


@pytest.fixture
def around_midnight(user, other_user):
    def make(mood, energy, when, kind="adhoc"):
        checkin_create(
            user=user, source="api", mood=mood, energy=energy, kind=kind, recorded_at=when
        )

    make(4, 2, at(2026, 11, 10, 8, 0), "morning")
    make(2, 3, at(2026, 11, 10, 23, 50), "evening")  # 22:50 UTC
    make(5, 5, at(2026, 11, 11, 0, 10), "morning")  # 23:10 UTC on the 10th: local 11th
    checkin_create(
        user=other_user, source="api", mood=1, energy=1, recorded_at=at(2026, 11, 10, 12)
    )


def test_averages_are_per_local_day_across_midnight(api_client, around_midnight):
    response = api_client.get(URL, {"from": "2026-11-10", "to": "2026-11-12"})

    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["from"], data["to"], data["timezone"]) == (
        "2026-11-10",
        "2026-11-12",
        "Europe/Madrid",
    )
    assert data["days"] == [
        {"date": "2026-11-10", "count": 2, "mood_avg": 3.0, "energy_avg": 2.5},
        {"date": "2026-11-11", "count": 1, "mood_avg": 5.0, "energy_avg": 5.0},
        {"date": "2026-11-12", "count": 0, "mood_avg": None, "energy_avg": None},
    ]
    assert data["overall"] == {"count": 3, "mood_avg": 3.67, "energy_avg": 3.33}


def test_stats_in_another_timezone_group_differently(user, around_midnight):
    user.timezone = "UTC"
    user.save()

    stats = checkin_stats(
        user=user, date_from=at(2026, 11, 10).date(), date_to=at(2026, 11, 11).date()
    )

    assert [d["count"] for d in stats["days"]] == [3, 0]


def test_kind_filter(api_client, around_midnight):
    data = api_client.get(
        URL + "/", {"from": "2026-11-10", "to": "2026-11-11", "kind": "morning"}
    ).json()

    assert [d["count"] for d in data["days"]] == [1, 1]
    assert data["kind"] == "morning"


def test_defaults_to_the_last_seven_local_days(api_client, user):
    data = api_client.get(URL).json()

    today = user.local_now().date()
    assert data["to"] == today.isoformat()
    assert data["from"] == (today - timedelta(days=6)).isoformat()
    assert len(data["days"]) == 7


def test_range_is_limited_to_366_days(api_client):
    ok = api_client.get(URL, {"from": "2025-01-01", "to": "2026-01-01"})
    too_long = api_client.get(URL, {"from": "2025-01-01", "to": "2026-01-02"})

    assert ok.status_code == 200
    assert len(ok.json()["days"]) == 366
    assert too_long.status_code == 400
    assert "to" in too_long.json()["error"]["fields"]


@pytest.mark.parametrize(
    "params",
    [
        {"from": "hoy"},
        {"to": "2026-13-01"},
        {"from": "2026-11-12", "to": "2026-11-11"},
        {"kind": "x"},
    ],
)
def test_bad_params_are_400(api_client, params):
    response = api_client.get(URL, params)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_stats_is_not_taken_for_an_id(api_client):
    # A check-in id route would answer 404 not_found; stats answers 200.
    assert api_client.get(URL).status_code == 200
    assert api_client.post(URL, {}, format="json").status_code == 405


def test_query_count_is_constant(api_client, user, django_assert_num_queries):
    with django_assert_num_queries(2):  # user, aggregate
        api_client.get(URL, {"from": "2026-01-01", "to": "2026-12-31"})


def test_anonymous_is_401(anon_client):
    assert anon_client.get(URL).status_code == 401


def test_empty_params_mean_not_given(api_client, user):
    response = api_client.get(URL + "?from=&to=&kind=")

    assert response.status_code == 200
    assert response.json()["to"] == user.local_now().date().isoformat()
