"""GET|PATCH|DELETE /api/v1/checkins/{id}, and the other-user 404 matrix."""

from datetime import timedelta

import pytest
from django.utils import timezone

from checkins.models import CheckIn
from checkins.services import checkin_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def checkin(user):
    return checkin_create(user=user, source="api", mood=3, energy=3, note="nota")


def url(checkin, slash=""):
    return f"/api/v1/checkins/{checkin.pk}{slash}"


def test_retrieve(api_client, checkin):
    for slash in ("", "/"):
        response = api_client.get(url(checkin, slash))
        assert response.status_code == 200
        assert response.json()["note"] == "nota"


def test_patch_changes_only_given_fields(api_client, checkin):
    response = api_client.patch(url(checkin), {"mood": 5, "kind": "evening"}, format="json")

    assert response.status_code == 200
    assert (response.json()["mood"], response.json()["energy"]) == (5, 3)
    checkin.refresh_from_db()
    assert (checkin.mood, checkin.kind) == (5, "evening")


@pytest.mark.parametrize(
    "payload",
    [
        {"mood": 0},
        {"energy": 6},
        {"kind": "night"},
        {"recorded_at": (timezone.now() + timedelta(days=1)).isoformat()},
        {"note": "x" * 2001},
    ],
)
def test_patch_bad_input_is_400_and_changes_nothing(api_client, checkin, payload):
    response = api_client.patch(url(checkin), payload, format="json")

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == set(payload)
    checkin.refresh_from_db()
    assert (checkin.mood, checkin.energy, checkin.kind) == (3, 3, "adhoc")


def test_delete(api_client, checkin):
    assert api_client.delete(url(checkin, "/")).status_code == 204
    assert not CheckIn.objects.exists()


def test_put_is_not_allowed(api_client, checkin):
    assert api_client.put(url(checkin), {"mood": 1, "energy": 1}, format="json").status_code == 405


def test_malformed_id_is_404(api_client):
    response = api_client.get("/api/v1/checkins/123")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("method", "slash", "payload"),
    [
        ("get", "", None),
        ("get", "/", None),
        ("patch", "", {"mood": 1}),
        ("patch", "/", {"mood": 1}),
        ("delete", "", None),
    ],
)
def test_other_users_checkin_is_404(other_client, checkin, method, slash, payload):
    response = getattr(other_client, method)(url(checkin, slash), payload, format="json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    checkin.refresh_from_db()
    assert checkin.mood == 3


def test_other_users_checkins_are_not_listed(other_client, checkin):
    assert other_client.get("/api/v1/checkins").json()["count"] == 0


def test_errors_speak_the_users_language(api_client, make_user):
    from rest_framework.test import APIClient

    from tests.conftest import access_token_for

    assert api_client.get("/api/v1/checkins/nope").json()["error"]["message"] == (
        "Registro de ánimo no encontrado."
    )
    english = APIClient()
    english.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token_for(make_user(language='en'))}")
    response = english.post("/api/v1/checkins", {"mood": 9, "energy": 3}, format="json")
    assert response.status_code == 400
    assert english.get("/api/v1/checkins/nope").json()["error"]["message"] == "Check-in not found."
