import pytest

from accounts.models import User
from tests.accounts.conftest import STRONG_PASSWORD, error_of

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/register"


def register(client, **data):
    data.setdefault("email", "nueva@example.com")
    data.setdefault("password", STRONG_PASSWORD)
    return client.post(URL, data)


def test_register_creates_user_and_answers_user_with_token_pair(anon_client):
    response = register(
        anon_client,
        email="Nueva@Example.COM",
        name="Nueva",
        timezone="America/Bogota",
        language="en",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"user", "access", "refresh"}
    assert body["user"]["email"] == "nueva@example.com"
    assert body["user"]["name"] == "Nueva"
    assert body["user"]["timezone"] == "America/Bogota"
    assert body["user"]["language"] == "en"
    assert body["user"]["preferences"] == {}
    assert set(body["user"]) == {
        "id",
        "email",
        "email_verified",
        "email_verified_at",
        "name",
        "timezone",
        "language",
        "preferences",
        "created_at",
    }
    user = User.objects.get(email="nueva@example.com")
    assert str(user.pk) == body["user"]["id"]
    assert user.check_password(STRONG_PASSWORD)


def test_register_defaults_to_utc_and_spanish(anon_client):
    response = register(anon_client)

    assert response.status_code == 201
    assert response.json()["user"]["timezone"] == "UTC"
    assert response.json()["user"]["language"] == "es"


def test_register_tokens_work_for_me(anon_client):
    access = register(anon_client).json()["access"]

    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    response = anon_client.get("/api/v1/auth/me")

    assert response.status_code == 200
    assert response.json()["email"] == "nueva@example.com"


def test_register_duplicate_email_in_another_case_is_email_taken(anon_client, user):
    response = register(anon_client, email="ANA@Example.com")

    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "email_taken"
    assert list(error["fields"]) == ["email"]
    assert User.objects.filter(email__iexact="ana@example.com").count() == 1


def test_register_weak_password_is_rejected_with_field_errors(anon_client):
    for weak in ["123", "password", "12345678901234", "nueva@example.com"]:
        response = register(anon_client, password=weak)

        assert response.status_code == 400, weak
        error = error_of(response)
        assert error["code"] == "validation_error"
        assert "password" in error["fields"], weak
    assert not User.objects.exists()


def test_register_password_similar_to_email_is_rejected(anon_client):
    response = register(anon_client, email="gonzalo.perez@example.com", password="gonzaloperez")

    assert response.status_code == 400
    assert "password" in error_of(response)["fields"]


def test_register_bad_timezone_is_rejected(anon_client):
    bad_names = ["Mars/Olympus", "europe/madrid", "", "UTC+2", "localtime", "Factory", "../etc"]
    for i, bad in enumerate(bad_names):
        response = register(anon_client, email=f"tz{i}@example.com", timezone=bad)

        assert response.status_code == 400, bad
        assert "timezone" in error_of(response)["fields"], bad
    assert not User.objects.exists()


def test_register_unknown_language_is_rejected(anon_client):
    response = register(anon_client, language="fr")

    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert "language" in error["fields"]


def test_register_invalid_email_is_rejected(anon_client):
    response = register(anon_client, email="no-es-un-email")

    assert response.status_code == 400
    assert "email" in error_of(response)["fields"]


def test_register_missing_fields_are_named(anon_client):
    response = anon_client.post(URL, {})

    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"email", "password"}


def test_register_ignores_privilege_fields(anon_client):
    response = register(anon_client, is_staff=True, is_superuser=True, is_active=False)

    assert response.status_code == 201
    user = User.objects.get()
    assert (user.is_staff, user.is_superuser, user.is_active) == (False, False, True)


def test_register_does_not_need_an_access_token(anon_client, user):
    anon_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    response = register(anon_client)

    assert response.status_code == 201


def test_register_reports_a_weak_password_together_with_other_field_errors(anon_client):
    response = register(anon_client, password="123", timezone="Mars/Base", language="xx")

    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"password", "timezone", "language"}
