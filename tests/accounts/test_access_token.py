"""Bearer authentication on protected endpoints: missing, bad, expired and inactive."""

from datetime import timedelta

import jwt
import pytest
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from tests.accounts.conftest import error_of

pytestmark = pytest.mark.django_db

ME = "/api/v1/auth/me"


def test_missing_token_is_401_not_authenticated(anon_client):
    response = anon_client.get(ME)

    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_expired_access_token_is_401_with_a_clear_message(user, anon_client):
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-timedelta(seconds=1))
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    response = anon_client.get(ME, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 401
    error = error_of(response)
    assert error["code"] == "token_not_valid"
    assert error["message"] == "Token is expired"
    assert "fields" not in error


def test_access_token_lifetime_defaults_to_15_minutes(user):
    token = AccessToken.for_user(user)

    assert token["exp"] - token["iat"] == 15 * 60


def test_refresh_token_lifetime_defaults_to_30_days(user):
    token = RefreshToken.for_user(user)

    assert token["exp"] - token["iat"] == 30 * 24 * 3600


def test_garbage_token_is_401_without_leaking_token_internals(anon_client):
    anon_client.credentials(HTTP_AUTHORIZATION="Bearer garbage")

    response = anon_client.get(ME, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 401
    error = error_of(response)
    assert error["code"] == "token_not_valid"
    assert error["message"] == "Token is invalid"
    assert "token_class" not in response.content.decode()


def test_refresh_token_is_not_an_access_token(tokens, anon_client):
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['refresh']}")

    response = anon_client.get(ME)

    assert response.status_code == 401
    assert error_of(response)["code"] == "token_not_valid"


def test_inactive_user_access_token_is_rejected(user, api_client):
    user.is_active = False
    user.save()

    response = api_client.get(ME)

    assert response.status_code == 401
    assert error_of(response)["code"] == "user_inactive"


def test_deleted_user_access_token_is_rejected(user, api_client):
    user.delete()

    response = api_client.get(ME)

    assert response.status_code == 401
    assert error_of(response)["code"] == "user_not_found"


def test_wrong_scheme_is_not_authenticated(user, anon_client):
    anon_client.credentials(HTTP_AUTHORIZATION=f"Token {AccessToken.for_user(user)}")

    response = anon_client.get(ME)

    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"


def test_token_signed_with_another_key_is_rejected(user, anon_client):
    payload = AccessToken.for_user(user).payload
    forged = jwt.encode(payload, "not-our-signing-key-" * 3, algorithm="HS256")
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {forged}")

    response = anon_client.get(ME)

    assert response.status_code == 401
    assert error_of(response)["code"] == "token_not_valid"


def test_unsigned_token_is_rejected(user, anon_client):
    payload = AccessToken.for_user(user).payload
    forged = jwt.encode(payload, None, algorithm="none")
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {forged}")

    assert anon_client.get(ME).status_code == 401


# -- validated tokens are remembered per process (accounts/authentication.py) -------------------


def test_a_remembered_token_is_refused_once_it_expires(api_client, user, monkeypatch):
    from rest_framework_simplejwt import tokens

    from accounts import authentication

    assert api_client.get("/api/v1/auth/me").status_code == 200  # validated and remembered
    later = authentication.aware_utcnow() + timedelta(days=1)
    monkeypatch.setattr(authentication, "aware_utcnow", lambda: later)  # the cache's clock
    monkeypatch.setattr(tokens, "aware_utcnow", lambda: later)  # simplejwt's

    response = api_client.get("/api/v1/auth/me")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_not_valid"


def test_the_memory_of_tokens_is_bounded():
    from accounts.authentication import ValidatedTokens

    tokens = ValidatedTokens(size=2)
    for raw in (b"a", b"b", b"c"):
        tokens.put(raw, object())

    assert len(tokens._tokens) == 2
    assert b"a" not in tokens._tokens
