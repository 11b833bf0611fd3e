"""POST /api/v1/checkins"""

from datetime import timedelta

import pytest
from django.utils import timezone

from checkins.models import CheckIn

pytestmark = pytest.mark.django_db

URL = "/api/v1/checkins"


def test_create_defaults_to_adhoc_now(api_client, user):
    before = timezone.now()

    response = api_client.post(URL, {"mood": 4, "energy": 3}, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["kind"], data["mood"], data["energy"], data["note"]) == ("adhoc", 4, 3, "")
    assert data["source"] == "api"
    checkin = CheckIn.objects.get(pk=data["id"])
    assert checkin.user == user
    assert checkin.recorded_at >= before


def test_several_checkins_of_the_same_kind_per_day_are_fine(api_client):
    for _ in range(3):
        response = api_client.post(URL + "/", {"mood": 3, "energy": 3, "kind": "morning"})
        assert response.status_code == 201
    assert CheckIn.objects.count() == 3


def test_create_with_past_recorded_at_and_note(api_client):
    when = (timezone.now() - timedelta(days=3)).replace(microsecond=0)

    response = api_client.post(
        URL,
        {
            "mood": 5,
            "energy": 2,
            "kind": "evening",
            "note": "Día largo",
            "recorded_at": when.isoformat(),
        },
        format="json",
    )

    assert response.status_code == 201
    assert CheckIn.objects.get().recorded_at == when


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"mood": 0, "energy": 3}, "mood"),
        ({"mood": 6, "energy": 3}, "mood"),
        ({"mood": 3, "energy": 0}, "energy"),
        ({"mood": 3, "energy": 9}, "energy"),
        ({"mood": 3.5, "energy": 3}, "mood"),
        ({"mood": True, "energy": 3}, "mood"),
        ({"mood": "x", "energy": 3}, "mood"),
        ({"mood": None, "energy": 3}, "mood"),
        ({"energy": 3}, "mood"),
        ({"mood": 3}, "energy"),
        ({"mood": 3, "energy": 3, "kind": "night"}, "kind"),
        ({"mood": 3, "energy": 3, "note": "x" * 2001}, "note"),
        ({"mood": 3, "energy": 3, "recorded_at": "not a time"}, "recorded_at"),
    ],
)
def test_bad_input_is_a_field_error(api_client, payload, field):
    response = api_client.post(URL, payload, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "validation_error"
    assert field in response.json()["error"]["fields"]
    assert not CheckIn.objects.exists()


def test_recorded_at_in_the_future_is_rejected(api_client):
    later = (timezone.now() + timedelta(minutes=10)).isoformat()

    response = api_client.post(URL, {"mood": 3, "energy": 3, "recorded_at": later}, format="json")

    assert response.status_code == 400
    assert "recorded_at" in response.json()["error"]["fields"]


def test_small_clock_skew_is_tolerated(api_client):
    ahead = (timezone.now() + timedelta(seconds=20)).isoformat()

    response = api_client.post(URL, {"mood": 3, "energy": 3, "recorded_at": ahead}, format="json")

    assert response.status_code == 201


def test_integer_strings_are_accepted(api_client):
    response = api_client.post(URL, {"mood": "2", "energy": "5"}, format="json")

    assert response.status_code == 201
    assert (response.json()["mood"], response.json()["energy"]) == (2, 5)


def test_anonymous_is_401(anon_client):
    assert anon_client.post(URL, {"mood": 3, "energy": 3}, format="json").status_code == 401
