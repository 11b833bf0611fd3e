"""GET /api/v1/checkins with from/to (local dates) and kind."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from checkins.services import checkin_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/checkins"
MADRID = ZoneInfo("Europe/Madrid")


def at(*args):
    return datetime(*args, tzinfo=MADRID)


@pytest.fixture
def checkins(user, other_user):
    made = {
        "late": checkin_create(  # 23:30 local on the 10th is 22:30 UTC: still the 10th
            user=user,
            source="api",
            mood=2,
            energy=2,
            kind="evening",
            recorded_at=at(2026, 11, 10, 23, 30),
        ),
        "early": checkin_create(  # 00:30 local on the 11th is 23:30 UTC on the 10th
            user=user,
            source="api",
            mood=4,
            energy=5,
            kind="morning",
            recorded_at=at(2026, 11, 11, 0, 30),
        ),
        "next": checkin_create(
            user=user,
            source="api",
            mood=3,
            energy=3,
            kind="adhoc",
            recorded_at=at(2026, 11, 12, 12, 0),
        ),
    }
    checkin_create(user=other_user, source="api", mood=1, energy=1, recorded_at=at(2026, 11, 11, 9))
    return made


def ids(response):
    return [c["id"] for c in response.json()["results"]]


def test_lists_own_checkins_newest_first(api_client, checkins):
    response = api_client.get(URL)

    assert response.status_code == 200
    assert ids(response) == [str(checkins[k].pk) for k in ("next", "early", "late")]


def test_from_and_to_are_inclusive_local_dates(api_client, checkins):
    only_11th = api_client.get(URL, {"from": "2026-11-11", "to": "2026-11-11"})
    assert ids(only_11th) == [str(checkins["early"].pk)]

    until_11th = api_client.get(URL + "/", {"to": "2026-11-11"})
    assert ids(until_11th) == [str(checkins["early"].pk), str(checkins["late"].pk)]

    since_11th = api_client.get(URL, {"from": "2026-11-11"})
    assert ids(since_11th) == [str(checkins["next"].pk), str(checkins["early"].pk)]


def test_kind_filter(api_client, checkins):
    assert ids(api_client.get(URL, {"kind": "evening"})) == [str(checkins["late"].pk)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "11/11/2026"}, "from"),
        ({"to": "2026-02-30"}, "to"),
        ({"from": "2026-11-12", "to": "2026-11-11"}, "to"),
        ({"kind": "night"}, "kind"),
        ({"to": "9999-12-31"}, "to"),
    ],
)
def test_bad_filters_are_400(api_client, params, field):
    response = api_client.get(URL, params)

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_query_count_does_not_grow_with_rows(api_client, user, django_assert_num_queries):
    checkin_create(user=user, source="api", mood=3, energy=3)
    with django_assert_num_queries(2):  # user, page with its count
        api_client.get(URL)
    for _ in range(15):
        checkin_create(user=user, source="api", mood=3, energy=3)
    with django_assert_num_queries(2):
        response = api_client.get(URL)
    assert response.json()["count"] == 16


def test_empty_filters_are_ignored(api_client, checkins):
    assert len(ids(api_client.get(URL + "?from=&to=&kind="))) == 3
