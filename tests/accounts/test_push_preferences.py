"""Push preferences in PATCH /api/v1/auth/me: reminder times, quiet hours, kinds on or off."""

import pytest

from tests.accounts.conftest import error_of

pytestmark = pytest.mark.django_db

ME = "/api/v1/auth/me"


def test_push_preferences_are_saved_and_merged(api_client, user):
    api_client.patch(ME, {"preferences": {"checkin_reminders": ["09:00", "21:30"]}})

    response = api_client.patch(
        ME,
        {
            "preferences": {
                "quiet_hours": {"start": "22:00", "end": "07:00"},
                "notifications": {"stale_timer": False},
            }
        },
    )

    assert response.status_code == 200
    assert response.json()["preferences"] == {
        "checkin_reminders": ["09:00", "21:30"],
        "quiet_hours": {"start": "22:00", "end": "07:00"},
        "notifications": {"stale_timer": False},
    }
    user.refresh_from_db()
    assert user.preferences["notifications"] == {"stale_timer": False}


@pytest.mark.parametrize(
    "notifications",
    [
        {"stale_timer": "no"},
        {"stale_timer": 0},
        {"marketing": True},
        ["stale_timer"],
        "off",
        None,
    ],
)
def test_bad_notification_kinds_are_a_400_and_change_nothing(api_client, user, notifications):
    response = api_client.patch(ME, {"preferences": {"notifications": notifications}})

    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert "preferences.notifications" in error["fields"]
    user.refresh_from_db()
    assert user.preferences == {}


@pytest.mark.parametrize(
    "preferences, field",
    [
        ({"checkin_reminders": ["9:00"]}, "preferences.checkin_reminders"),
        ({"checkin_reminders": ["24:00"]}, "preferences.checkin_reminders"),
        ({"quiet_hours": {"start": "22:00"}}, "preferences.quiet_hours"),
        ({"quiet_hours": {"start": "22:00", "end": "7"}}, "preferences.quiet_hours"),
    ],
)
def test_bad_reminder_times_and_quiet_hours_are_a_400(api_client, preferences, field):
    response = api_client.patch(ME, {"preferences": preferences})

    assert response.status_code == 400
    assert field in error_of(response)["fields"]
