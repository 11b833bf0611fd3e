import pytest
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from tests.accounts.conftest import error_of

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/refresh"


def test_refresh_answers_a_new_pair(user, tokens, anon_client):
    response = anon_client.post(URL, {"refresh": tokens["refresh"]})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh"}
    assert body["refresh"] != tokens["refresh"]
    assert AccessToken(body["access"])["user_id"] == str(user.pk)
    assert RefreshToken(body["refresh"])["user_id"] == str(user.pk)


def test_refreshed_access_token_authenticates(user, tokens, anon_client):
    access = anon_client.post(URL, {"refresh": tokens["refresh"]}).json()["access"]

    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")

    assert anon_client.get("/api/v1/auth/me").json()["id"] == str(user.pk)


def test_refresh_rotated_out_token_cannot_be_reused(tokens, anon_client):
    first = anon_client.post(URL, {"refresh": tokens["refresh"]})
    reused = anon_client.post(URL, {"refresh": tokens["refresh"]})

    assert first.status_code == 200
    assert reused.status_code == 401
    assert error_of(reused)["code"] == "token_not_valid"


def test_refresh_new_refresh_token_keeps_working(tokens, anon_client):
    second = anon_client.post(URL, {"refresh": tokens["refresh"]}).json()
    third = anon_client.post(URL, {"refresh": second["refresh"]})

    assert third.status_code == 200


def test_refresh_after_logout_is_rejected(tokens, anon_client):
    assert (
        anon_client.post("/api/v1/auth/logout", {"refresh": tokens["refresh"]}).status_code == 204
    )

    response = anon_client.post(URL, {"refresh": tokens["refresh"]})

    assert response.status_code == 401
    assert error_of(response)["code"] == "token_not_valid"


def test_refresh_inactive_user_is_rejected(user, tokens, anon_client):
    user.is_active = False
    user.save()

    response = anon_client.post(URL, {"refresh": tokens["refresh"]})

    assert response.status_code == 401
    assert error_of(response)["code"] == "no_active_account"


def test_refresh_deleted_user_is_rejected(user, tokens, anon_client):
    user.delete()

    response = anon_client.post(URL, {"refresh": tokens["refresh"]})

    assert response.status_code == 401
    assert error_of(response)["code"] == "no_active_account"


def test_refresh_rejects_an_access_token(tokens, anon_client):
    response = anon_client.post(URL, {"refresh": tokens["access"]})

    assert response.status_code == 401
    assert error_of(response)["code"] == "token_not_valid"


def test_refresh_rejects_garbage_and_tampered_tokens(tokens, anon_client):
    head, payload, signature = tokens["refresh"].split(".")
    tampered = f"{head}.{payload}.{signature[:-4]}AAAA"
    for bad in ["garbage", tampered, "a.b.c"]:
        response = anon_client.post(URL, {"refresh": bad})

        assert response.status_code == 401, bad
        error = error_of(response)
        assert error["code"] == "token_not_valid"
        assert isinstance(error["message"], str)


def test_refresh_expired_token_is_rejected(user, anon_client):
    from datetime import timedelta

    refresh = RefreshToken.for_user(user)
    refresh.set_exp(lifetime=-timedelta(seconds=1))

    response = anon_client.post(URL, {"refresh": str(refresh)})

    assert response.status_code == 401
    assert error_of(response)["code"] == "token_not_valid"


def test_refresh_missing_or_wrongly_typed_token_is_validation_error(anon_client):
    for body in [{}, {"refresh": ["x"]}, {"refresh": {"a": 1}}, {"refresh": ""}]:
        response = anon_client.post(URL, body)

        assert response.status_code == 400, body
        assert list(error_of(response)["fields"]) == ["refresh"], body


def test_refresh_does_not_need_an_access_token(tokens, anon_client):
    anon_client.credentials(HTTP_AUTHORIZATION="Bearer garbage")

    assert anon_client.post(URL, {"refresh": tokens["refresh"]}).status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_refresh_concurrent_reuse_rotates_only_once(user):
    """Two refreshes of the same token racing each other: exactly one gets a new pair."""
    import threading

    from django.db import connection
    from rest_framework.test import APIClient

    refresh = str(RefreshToken.for_user(user))
    barrier = threading.Barrier(4)
    statuses = []

    def attempt():
        try:
            barrier.wait()
            statuses.append(APIClient().post(URL, {"refresh": refresh}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200, 401, 401, 401]
