"""`manage.py send_test_push EMAIL` and the admin's "send a test notification" action."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Device

pytestmark = pytest.mark.django_db


def test_command_sends_to_every_device_of_the_user(fake_expo, user, add_device, capsys):
    add_device(user)
    add_device(user)

    call_command("send_test_push", "ANA@example.com")

    assert len(fake_expo.delivered) == 2
    assert fake_expo.delivered[0]["title"] == "Notificación de prueba"
    assert "sent=2" in capsys.readouterr().out


def test_command_reports_and_removes_a_dead_device(fake_expo, user, add_device, capsys):
    dead = add_device(user)
    fake_expo.unregistered.add(dead.expo_push_token)

    with pytest.raises(CommandError, match="no device"):
        call_command("send_test_push", user.email)

    assert "devices_removed=1" in capsys.readouterr().out
    assert not Device.objects.exists()


@pytest.mark.parametrize("email", ["nadie@example.com", "otro@example.com"])
def test_command_fails_clearly_for_unknown_users_or_no_devices(fake_expo, other_user, email):
    with pytest.raises(CommandError):
        call_command("send_test_push", email)
    assert fake_expo.requests == []


@pytest.fixture
def admin_client(client, make_user):
    staff = make_user(email="staff@example.com", is_staff=True, is_superuser=True)
    client.force_login(staff)
    return client


def test_admin_action_sends_a_test_notification(fake_expo, admin_client, user, add_device):
    device = add_device(user)

    response = admin_client.post(
        "/admin/accounts/user/",
        {"action": "send_test_notification", "_selected_action": [str(user.pk)]},
        follow=True,
    )

    assert response.status_code == 200
    assert [m["to"] for m in fake_expo.delivered] == [device.expo_push_token]
    assert b"ana@example.com" in response.content


def test_admin_shows_devices_on_the_user_page_and_in_their_own_list(admin_client, user, add_device):
    device = add_device(user)

    page = admin_client.get(f"/admin/accounts/user/{user.pk}/change/")
    listing = admin_client.get("/admin/accounts/device/", {"q": "ana@"})

    assert device.expo_push_token.encode() in page.content
    assert listing.status_code == 200 and b"ana@example.com" in listing.content
    assert admin_client.get("/admin/accounts/notification/").status_code == 200


def test_admin_action_from_the_device_list(fake_expo, admin_client, user, add_device):
    device = add_device(user)

    admin_client.post(
        "/admin/accounts/device/",
        {"action": "send_test_notification", "_selected_action": [str(device.pk)]},
    )

    assert len(fake_expo.delivered) == 1
