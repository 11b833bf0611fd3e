import pytest
from django.test import override_settings

from tests.accounts.conftest import error_of
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_answers_user_and_token_pair(user, login):
    response = login("ana@example.com")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"user", "access", "refresh"}
    assert body["user"]["id"] == str(user.pk)
    assert body["user"]["email"] == "ana@example.com"


def test_login_email_is_case_insensitive_and_trimmed(user, login):
    response = login("  ANA@Example.Com ")

    assert response.status_code == 200
    assert response.json()["user"]["id"] == str(user.pk)


def test_login_access_token_authenticates_me(user, login, anon_client):
    access = login(user.email).json()["access"]

    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    response = anon_client.get("/api/v1/auth/me")

    assert response.status_code == 200
    assert response.json()["id"] == str(user.pk)


def test_login_wrong_password_is_401_invalid_credentials(user, login):
    response = login(user.email, "not the password")

    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_credentials"
    assert response.json()["error"].get("fields") is None


def test_login_unknown_email_and_wrong_password_answer_the_same(user, login):
    wrong_password = login(user.email, "not the password")
    unknown_email = login("nadie@example.com", "not the password")

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json() == unknown_email.json()
    assert wrong_password.headers.get("WWW-Authenticate") == unknown_email.headers.get(
        "WWW-Authenticate"
    )


def test_login_inactive_user_answers_like_bad_credentials(make_user, login):
    make_user(email="baja@example.com", is_active=False)

    inactive = login("baja@example.com")
    unknown = login("nadie@example.com")

    assert inactive.status_code == 401
    assert inactive.json() == unknown.json()


def test_login_missing_password_is_validation_error(user, anon_client):
    response = anon_client.post("/api/v1/auth/login", {"email": user.email})

    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["password"]


def test_login_password_is_not_trimmed(make_user, login):
    make_user(email="espacios@example.com", password="  con espacios  ")

    assert login("espacios@example.com", "con espacios").status_code == 401
    assert login("espacios@example.com", "  con espacios  ").status_code == 200


def test_login_with_a_stale_bearer_token_still_works(user, anon_client):
    anon_client.credentials(HTTP_AUTHORIZATION="Bearer expired.or.garbage")

    response = anon_client.post("/api/v1/auth/login", {"email": user.email, "password": PASSWORD})

    assert response.status_code == 200


def test_login_records_last_login(user, login):
    assert user.last_login is None

    login(user.email)

    user.refresh_from_db()
    assert user.last_login is not None


@override_settings(LANGUAGE_CODE="es")
def test_login_error_message_follows_accept_language(user, login):
    spanish = login(user.email, "mal")
    english = login(user.email, "mal", HTTP_ACCEPT_LANGUAGE="en")

    assert error_of(spanish)["message"] == "El email o la contraseña no son correctos."
    assert error_of(english)["message"] == "Email or password is incorrect."
