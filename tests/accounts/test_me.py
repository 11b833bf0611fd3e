import pytest

from tests.accounts.conftest import error_of

pytestmark = pytest.mark.django_db

ME = "/api/v1/auth/me"


def test_me_answers_the_authenticated_user(user, api_client):
    response = api_client.get(ME)

    assert response.status_code == 200
    assert response.json() == {
        "id": str(user.pk),
        "email": "ana@example.com",
        "email_verified": False,
        "email_verified_at": None,
        "name": "Ana",
        "timezone": "Europe/Madrid",
        "language": "es",
        "preferences": {},
        "created_at": response.json()["created_at"],
    }


def test_me_patch_changes_profile_fields(user, api_client):
    response = api_client.patch(
        ME, {"name": "Ana María", "timezone": "America/Lima", "language": "en"}
    )

    assert response.status_code == 200
    assert response.json()["name"] == "Ana María"
    user.refresh_from_db()
    assert (user.name, user.timezone, user.language) == ("Ana María", "America/Lima", "en")


def test_me_patch_cannot_change_email_id_or_privileges(user, api_client):
    original_id = user.pk

    response = api_client.patch(
        ME, {"email": "otra@example.com", "id": "x", "is_staff": True, "is_superuser": True}
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.pk == original_id
    assert (user.email, user.is_staff, user.is_superuser) == ("ana@example.com", False, False)


def test_me_patch_bad_timezone_changes_nothing(user, api_client):
    response = api_client.patch(ME, {"timezone": "Nowhere/Land", "name": "Cambiado"})

    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["timezone"]
    user.refresh_from_db()
    assert (user.timezone, user.name) == ("Europe/Madrid", "Ana")


def test_me_patch_unknown_language_is_rejected(api_client):
    response = api_client.patch(ME, {"language": "de"})

    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["language"]


def test_me_patch_preferences_merge_key_by_key(user, api_client):
    api_client.patch(ME, {"preferences": {"summary_hour": 21}})

    response = api_client.patch(
        ME,
        {"preferences": {"checkin_reminders": ["09:00", "21:30"], "quiet_hours": None}},
    )

    assert response.status_code == 200
    expected = {"summary_hour": 21, "checkin_reminders": ["09:00", "21:30"], "quiet_hours": None}
    assert response.json()["preferences"] == expected
    user.refresh_from_db()
    assert user.preferences == expected


def test_me_patch_quiet_hours(api_client):
    response = api_client.patch(
        ME, {"preferences": {"quiet_hours": {"start": "22:00", "end": "07:30"}}}
    )

    assert response.status_code == 200
    assert response.json()["preferences"]["quiet_hours"] == {"start": "22:00", "end": "07:30"}


@pytest.mark.parametrize(
    ("preferences", "field"),
    [
        ({"summary_hour": 24}, "preferences.summary_hour"),
        ({"summary_hour": "8"}, "preferences.summary_hour"),
        ({"summary_hour": True}, "preferences.summary_hour"),
        ({"checkin_reminders": ["9:00"]}, "preferences.checkin_reminders"),
        ({"checkin_reminders": "09:00"}, "preferences.checkin_reminders"),
        ({"checkin_reminders": ["09:00"] * 7}, "preferences.checkin_reminders"),
        ({"checkin_reminders": [900]}, "preferences.checkin_reminders"),
        ({"quiet_hours": {"start": "22:00"}}, "preferences.quiet_hours"),
        ({"quiet_hours": {"start": "25:00", "end": "07:00"}}, "preferences.quiet_hours"),
        ({"quiet_hours": "22-07"}, "preferences.quiet_hours"),
        ({"theme": "dark"}, "preferences"),
        (["summary_hour"], "preferences"),
        ("x", "preferences"),
    ],
)
def test_me_patch_invalid_preferences_are_rejected(user, api_client, preferences, field):
    api_client.patch(ME, {"preferences": {"summary_hour": 8}})

    response = api_client.patch(ME, {"preferences": preferences})

    assert response.status_code == 400, response.content
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert field in error["fields"], error
    user.refresh_from_db()
    assert user.preferences == {"summary_hour": 8}


def test_me_put_is_not_allowed(api_client):
    response = api_client.put(ME, {"name": "x"})

    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"


def test_me_requires_authentication(anon_client):
    assert anon_client.get(ME).status_code == 401
    assert anon_client.patch(ME, {"name": "x"}).status_code == 401


def test_me_patch_with_nothing_to_change_answers_the_user(user, api_client):
    response = api_client.patch(ME, {})

    assert response.status_code == 200
    assert response.json()["email"] == "ana@example.com"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_me_concurrent_patches_of_different_preferences_both_survive(user):
    """Two devices change different preferences at the same moment: neither change is lost."""
    import threading

    from django.db import connection
    from rest_framework.test import APIClient

    from tests.conftest import access_token_for

    token = access_token_for(user)

    def patch(barrier, preferences):
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
            barrier.wait()
            assert client.patch(ME, {"preferences": preferences}).status_code == 200
        finally:
            connection.close()

    for round_number in range(5):
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=patch, args=(barrier, {"summary_hour": round_number})),
            threading.Thread(
                target=patch, args=(barrier, {"checkin_reminders": [f"0{round_number}:00"]})
            ),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        user.refresh_from_db()
        assert user.preferences == {
            "summary_hour": round_number,
            "checkin_reminders": [f"0{round_number}:00"],
        }, round_number


def test_me_hand_written_output_equals_the_declared_fields(user):
    from rest_framework import serializers

    from accounts.serializers import UserSerializer

    user.preferences = {"summary_hour": 21}
    declared = serializers.ModelSerializer.to_representation(UserSerializer(), user)
    assert UserSerializer(user).data == declared


def test_me_reads_one_row(api_client, django_assert_num_queries):
    with django_assert_num_queries(1):  # the authenticated user
        assert api_client.get(ME).status_code == 200
