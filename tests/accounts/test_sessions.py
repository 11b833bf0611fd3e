"""Sessions end when they should: a password change, log out everywhere, a replayed refresh
token, a deactivation or a password set in the admin or by `changepassword`. Access tokens
issued before are refused on their next request, not at their expiry."""

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.models import User
from tests.accounts.conftest import error_of
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "otra clave bastante larga"


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def assert_refused(access: str) -> None:
    """The token is refused on the profile and on the (fast) task list alike."""
    for path in ("/api/v1/auth/me", "/api/v1/tasks"):
        response = bearer(access).get(path)
        assert response.status_code == 401, (path, response.content)
        assert error_of(response)["code"] == "token_not_valid"


def assert_accepted(access: str) -> None:
    for path in ("/api/v1/auth/me", "/api/v1/tasks"):
        assert bearer(access).get(path).status_code == 200, path


def refresh(refresh_token: str):
    return APIClient().post("/api/v1/auth/refresh", {"refresh": refresh_token})


@pytest.fixture
def two_devices(user, login):
    """Two logins of the same user: a phone and a laptop."""
    return login(user.email).json(), login(user.email).json()


def change_password(access: str, current=PASSWORD, new=NEW_PASSWORD):
    body = {"current_password": current, "new_password": new}
    return bearer(access).post("/api/v1/auth/password", body)


# -- password change --------------------------------------------------------------------------
def test_password_change_ends_every_session_and_answers_a_fresh_pair(user, two_devices, login):
    phone, laptop = two_devices

    response = change_password(phone["access"])

    assert response.status_code == 200
    fresh = response.json()
    assert set(fresh) == {"access", "refresh"}
    for device in (phone, laptop):
        assert_refused(device["access"])
        assert refresh(device["refresh"]).status_code == 401
    assert_accepted(fresh["access"])
    assert refresh(fresh["refresh"]).status_code == 200
    assert login(user.email, NEW_PASSWORD).status_code == 200
    assert login(user.email, PASSWORD).status_code == 401


def test_password_change_with_a_wrong_current_password_changes_nothing(user, tokens):
    response = change_password(tokens["access"], current="no es la clave")

    assert response.status_code == 400
    assert error_of(response)["code"] == "wrong_password"
    assert "current_password" in error_of(response)["fields"]
    assert_accepted(tokens["access"])
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_runs_djangos_validators(user, tokens):
    weak = change_password(tokens["access"], new="12345678")
    like_the_email = change_password(tokens["access"], new="ana@example.com")

    for response in (weak, like_the_email):
        assert response.status_code == 400
        assert error_of(response)["code"] == "validation_error"
        assert "new_password" in error_of(response)["fields"]
    assert_accepted(tokens["access"])


def test_password_change_needs_a_signed_in_user(anon_client):
    response = anon_client.post(
        "/api/v1/auth/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 401


def test_wrong_current_passwords_are_limited_per_user(user, tokens, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "password_user": "2/min"}

    answers = [change_password(tokens["access"], current="mal") for _ in range(3)]

    assert [r.status_code for r in answers] == [400, 400, 429]
    assert error_of(answers[-1])["retry_after"] > 0
    # A throttled attempt changes nothing, even with the right password.
    assert change_password(tokens["access"]).status_code == 429


# -- log out everywhere --------------------------------------------------------------------
def test_logout_all_ends_every_session_this_one_included(two_devices):
    phone, laptop = two_devices

    response = bearer(phone["access"]).post("/api/v1/auth/logout-all")

    assert response.status_code == 204
    for device in (phone, laptop):
        assert_refused(device["access"])
        assert error_of(refresh(device["refresh"]))["code"] == "token_not_valid"


def test_logout_all_leaves_other_users_alone(two_devices, other_user, login):
    other = login(other_user.email).json()

    bearer(two_devices[0]["access"]).post("/api/v1/auth/logout-all")

    assert_accepted(other["access"])
    assert refresh(other["refresh"]).status_code == 200


def test_signing_in_again_after_logout_all_works(user, two_devices, login):
    bearer(two_devices[0]["access"]).post("/api/v1/auth/logout-all")

    again = login(user.email).json()

    assert_accepted(again["access"])
    assert refresh(again["refresh"]).status_code == 200


# -- refresh token reuse -----------------------------------------------------------------
def test_replayed_rotated_refresh_token_ends_every_session(two_devices):
    phone, laptop = two_devices
    rotated = refresh(phone["refresh"])
    assert rotated.status_code == 200
    phone_now = rotated.json()

    replay = refresh(phone["refresh"])  # the thief (or the owner, after the thief)

    assert replay.status_code == 401
    assert error_of(replay)["code"] == "token_not_valid"
    for tokens in (phone_now, laptop):
        assert_refused(tokens["access"])
        assert refresh(tokens["refresh"]).status_code == 401


def test_replaying_a_token_already_revoked_does_not_revoke_again(user, two_devices):
    phone, laptop = two_devices
    fresh = change_password(phone["access"]).json()

    # The laptop still holds its old refresh token and tries it: a plain 401, and the
    # session the password change just opened survives.
    assert refresh(laptop["refresh"]).status_code == 401
    assert_accepted(fresh["access"])
    assert refresh(fresh["refresh"]).status_code == 200


def test_a_logged_out_refresh_token_presented_again_counts_as_reuse(two_devices):
    phone, laptop = two_devices
    assert APIClient().post("/api/v1/auth/logout", {"refresh": phone["refresh"]}).status_code == 204

    assert refresh(phone["refresh"]).status_code == 401

    assert_refused(laptop["access"])


# -- outside the API: admin, changepassword, deactivation -----------------------------------
@pytest.fixture
def admin_client(client, make_user):
    staff = make_user(email="staff@example.com", is_staff=True, is_superuser=True)
    client.force_login(staff)
    return client


def test_password_set_in_the_admin_ends_the_users_sessions(user, tokens, admin_client):
    response = admin_client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302, response.content.decode()[:1000]
    assert_refused(tokens["access"])
    assert refresh(tokens["refresh"]).status_code == 401


def test_deactivation_in_the_admin_ends_the_users_sessions(user, tokens, admin_client):
    page = admin_client.get(f"/admin/accounts/user/{user.pk}/change/")
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in {"password", "groups", "last_login"}
    }
    data.update(is_active="", preferences="{}", groups=[])

    response = admin_client.post(f"/admin/accounts/user/{user.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:1000]
    user.refresh_from_db()
    assert user.is_active is False
    assert refresh(tokens["refresh"]).status_code == 401
    # Reactivated, the old tokens stay dead.
    user.is_active = True
    user.save()
    assert_refused(tokens["access"])


def test_changepassword_command_ends_the_users_sessions(user, tokens, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)

    call_command("changepassword", user.email)

    assert_refused(tokens["access"])
    assert refresh(tokens["refresh"]).status_code == 401


def test_profile_saves_and_logins_do_not_end_sessions(user, tokens, login):
    bearer(tokens["access"]).patch("/api/v1/auth/me", {"name": "Ana María"})
    login(user.email)
    user.refresh_from_db()
    user.save()

    assert_accepted(tokens["access"])
    assert refresh(tokens["refresh"]).status_code == 200
    assert User.objects.get(pk=user.pk).token_generation == 0


def test_a_login_that_upgrades_an_old_hash_does_not_end_sessions(make_user, login, settings):
    """bcrypt hashes from the Node service become Argon2 at the first login; that save of the
    password is not a password change."""
    import bcrypt

    from accounts.services import tokens_for
    from config import settings as project_settings

    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = make_user(email="node@example.com")
    user.password = "bcrypt$" + bcrypt.hashpw(b"clave-node", bcrypt.gensalt(rounds=4)).decode()
    user.save(update_fields=["password"])
    before = tokens_for(user)

    assert login("node@example.com", "clave-node").status_code == 200

    user.refresh_from_db()
    assert user.password.startswith("argon2$")
    assert_accepted(before["access"])
    assert refresh(before["refresh"]).status_code == 200


def _race_refresh_with_logout_all(user) -> dict:
    """One round: a phone refreshes while a laptop logs out everywhere, released together."""
    import threading

    from django.db import connection

    from accounts.services import tokens_for

    phone, laptop = tokens_for(user), tokens_for(user)
    barrier = threading.Barrier(2)
    answers = {}
    calls = {
        "refresh": lambda: refresh(phone["refresh"]),
        "logout_all": lambda: bearer(laptop["access"]).post("/api/v1/auth/logout-all"),
    }

    def run(name):
        try:
            barrier.wait()
            answers[name] = calls[name]()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(name,)) for name in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_refresh_racing_logout_all_never_fails_and_never_survives(user):
    """Whichever goes first, no server error, and no token of either comes out alive. (Taking
    the token's lock before the user's deadlocked against the revocation, which takes the
    user's first.)"""
    for _ in range(10):
        answers = _race_refresh_with_logout_all(user)

        assert answers["logout_all"].status_code == 204
        assert answers["refresh"].status_code in {200, 401}
        if answers["refresh"].status_code == 200:
            assert_refused(answers["refresh"].json()["access"])
        user.refresh_from_db()
