"""POST/GET /api/v1/auth/devices, GET/DELETE /api/v1/auth/devices/{id}, logout with device_id."""

import uuid

import pytest

from accounts.models import Device
from tests.accounts.conftest import error_of

pytestmark = pytest.mark.django_db

TOKEN = "ExponentPushToken[xxxxxxxxxxxxxxxxxxxxxx]"
URL = "/api/v1/auth/devices"


def register(client, token=TOKEN, platform="ios", **extra):
    return client.post(URL, {"expo_push_token": token, "platform": platform, **extra})


def test_register_creates_a_device_of_the_user(api_client, user):
    response = register(api_client, name="iPhone de Ana")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["expo_push_token"] == TOKEN
    assert body["platform"] == "ios"
    assert body["name"] == "iPhone de Ana"
    assert set(body) == {
        "id",
        "expo_push_token",
        "platform",
        "name",
        "created_at",
        "last_registered_at",
    }
    assert Device.objects.get(pk=body["id"]).user == user


def test_registering_the_same_token_again_refreshes_it(api_client, user):
    first = register(api_client).json()

    response = register(api_client, platform="android", name="Pixel")

    assert response.status_code == 200
    assert response.json()["id"] == first["id"]
    assert response.json()["platform"] == "android"
    assert response.json()["last_registered_at"] >= first["last_registered_at"]
    assert Device.objects.filter(user=user).count() == 1


def test_a_token_registered_by_another_account_moves_to_the_new_one(
    api_client, other_client, user, other_user
):
    register(other_client)

    response = register(api_client)

    assert response.status_code == 201
    device = Device.objects.get(expo_push_token=TOKEN)
    assert device.user == user
    assert not Device.objects.filter(user=other_user).exists()


@pytest.mark.parametrize(
    "token",
    [
        "ExpoPushToken[AbC-123_x]",
        "ExponentPushToken[a]",
    ],
)
def test_both_expo_token_spellings_are_accepted(api_client, token):
    assert register(api_client, token=token).status_code == 201


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "ExponentPushToken[]",
        "ExponentPushToken[abc",
        "ExponentPushToken[ab c]",
        "ExponentPushToken[abc]x",
        "exponentpushtoken[abc]",
        "fcm:ExponentPushToken[abc]",
        "ExponentPushToken[" + "a" * 300 + "]",
        "ExponentPushToken[ñ]",
    ],
)
def test_a_string_that_is_not_an_expo_token_is_refused(api_client, token):
    response = register(api_client, token=token)

    assert response.status_code == 400
    assert error_of(response)["code"] == "validation_error"
    assert "expo_push_token" in error_of(response)["fields"]
    assert not Device.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"expo_push_token": TOKEN, "platform": "web"}, "platform"),
        ({"expo_push_token": TOKEN}, "platform"),
        ({"platform": "ios"}, "expo_push_token"),
        ({"expo_push_token": TOKEN, "platform": "ios", "name": "x" * 101}, "name"),
        ({"expo_push_token": ["x"], "platform": "ios"}, "expo_push_token"),
    ],
)
def test_bad_device_bodies_are_a_400_naming_the_field(api_client, body, field):
    response = api_client.post(URL, body)

    assert response.status_code == 400
    assert field in error_of(response)["fields"]
    assert not Device.objects.exists()


def test_devices_need_authentication(anon_client):
    assert anon_client.get(URL).status_code == 401
    assert register(anon_client).status_code == 401


def test_list_shows_only_my_devices_newest_registration_first(api_client, other_client):
    register(api_client, token="ExponentPushToken[one]")
    register(api_client, token="ExponentPushToken[two]")
    register(other_client, token="ExponentPushToken[theirs]")

    response = api_client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    tokens = [d["expo_push_token"] for d in body["results"]]
    assert tokens == ["ExponentPushToken[two]", "ExponentPushToken[one]"]


def test_list_query_count_does_not_grow_with_devices(api_client, django_assert_num_queries):
    for i in range(5):
        register(api_client, token=f"ExponentPushToken[d{i}]")
    api_client.get(URL)  # warm the authentication's prepared statements

    # authentication (user) + the page with its count
    with django_assert_num_queries(2):
        assert api_client.get(URL).json()["count"] == 5


def test_delete_removes_my_device(api_client):
    device_id = register(api_client).json()["id"]

    response = api_client.delete(f"{URL}/{device_id}")

    assert response.status_code == 204
    assert not Device.objects.exists()
    assert api_client.delete(f"{URL}/{device_id}/").status_code == 404


def test_get_one_device(api_client):
    device_id = register(api_client).json()["id"]

    response = api_client.get(f"{URL}/{device_id}")

    assert response.status_code == 200
    assert response.json()["id"] == device_id


def test_another_users_device_is_a_404_and_stays(api_client, other_client):
    theirs = register(other_client).json()["id"]

    for response in (api_client.get(f"{URL}/{theirs}"), api_client.delete(f"{URL}/{theirs}")):
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"
    assert Device.objects.filter(pk=theirs).exists()


@pytest.mark.parametrize("bad_id", ["not-a-uuid", str(uuid.uuid4())])
def test_unknown_or_malformed_device_ids_are_404(api_client, bad_id):
    assert api_client.delete(f"{URL}/{bad_id}").status_code == 404


def test_at_most_twenty_devices_the_oldest_registration_goes(api_client, user):
    for i in range(21):
        register(api_client, token=f"ExponentPushToken[d{i:02d}]")

    tokens = set(Device.objects.filter(user=user).values_list("expo_push_token", flat=True))
    assert len(tokens) == 20
    assert "ExponentPushToken[d00]" not in tokens


# --- logout may drop the device -----------------------------------------------------------


def test_logout_with_device_id_drops_that_device(anon_client, api_client, tokens, user):
    mine = register(api_client).json()["id"]
    register(api_client, token="ExponentPushToken[tablet]")

    response = anon_client.post(
        "/api/v1/auth/logout", {"refresh": tokens["refresh"], "device_id": mine}
    )

    assert response.status_code == 204
    assert list(Device.objects.values_list("expo_push_token", flat=True)) == [
        "ExponentPushToken[tablet]"
    ]
    again = anon_client.post("/api/v1/auth/refresh", {"refresh": tokens["refresh"]})
    assert again.status_code == 401


def test_logout_with_someone_elses_device_id_logs_out_and_leaves_their_device(
    anon_client, other_client, tokens
):
    theirs = register(other_client).json()["id"]

    response = anon_client.post(
        "/api/v1/auth/logout", {"refresh": tokens["refresh"], "device_id": theirs}
    )

    assert response.status_code == 204
    assert Device.objects.filter(pk=theirs).exists()


def test_logout_with_a_bad_token_keeps_the_device(anon_client, api_client):
    mine = register(api_client).json()["id"]

    response = anon_client.post("/api/v1/auth/logout", {"refresh": "garbage", "device_id": mine})

    assert response.status_code == 401
    assert Device.objects.filter(pk=mine).exists()


def test_logout_with_a_malformed_device_id_is_a_400_and_logs_nobody_out(anon_client, tokens):
    response = anon_client.post(
        "/api/v1/auth/logout", {"refresh": tokens["refresh"], "device_id": "nope"}
    )

    assert response.status_code == 400
    assert "device_id" in error_of(response)["fields"]
    refreshed = anon_client.post("/api/v1/auth/refresh", {"refresh": tokens["refresh"]})
    assert refreshed.status_code == 200


def test_the_schema_documents_the_device_endpoints(anon_client):
    schema = anon_client.get("/api/v1/schema?format=json").json()

    devices = schema["paths"]["/api/v1/auth/devices"]
    assert set(devices) >= {"get", "post"}
    assert {"200", "201", "400", "401"} <= set(devices["post"]["responses"])
    one = schema["paths"]["/api/v1/auth/devices/{id}"]
    assert "404" in one["delete"]["responses"] and "204" in one["delete"]["responses"]
    logout = schema["components"]["schemas"]["LogoutRequest"]
    assert "device_id" in logout["properties"]
