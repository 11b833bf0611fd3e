import pytest
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken

from tests.accounts.conftest import error_of

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/logout"


def test_logout_blacklists_the_refresh_token(tokens, anon_client):
    response = anon_client.post(URL, {"refresh": tokens["refresh"]})

    assert response.status_code == 204
    assert response.content == b""
    jti = RefreshToken(tokens["refresh"], verify=False)["jti"]
    assert BlacklistedToken.objects.filter(token__jti=jti).exists()


def test_logout_twice_is_401(tokens, anon_client):
    anon_client.post(URL, {"refresh": tokens["refresh"]})

    response = anon_client.post(URL, {"refresh": tokens["refresh"]})

    assert response.status_code == 401
    assert error_of(response)["code"] == "token_not_valid"


def test_logout_leaves_other_sessions_alive(user, login, anon_client):
    phone = login(user.email).json()
    laptop = login(user.email).json()

    anon_client.post(URL, {"refresh": phone["refresh"]})

    assert (
        anon_client.post("/api/v1/auth/refresh", {"refresh": laptop["refresh"]}).status_code == 200
    )


def test_logout_works_without_an_access_token(tokens, anon_client):
    anon_client.credentials(HTTP_AUTHORIZATION="Bearer expired.garbage.token")

    assert anon_client.post(URL, {"refresh": tokens["refresh"]}).status_code == 204


def test_logout_rejects_an_access_token_in_place_of_the_refresh(tokens, anon_client):
    response = anon_client.post(URL, {"refresh": tokens["access"]})

    assert response.status_code == 401
    assert error_of(response)["code"] == "token_not_valid"


def test_logout_without_token_is_validation_error(anon_client):
    response = anon_client.post(URL, {})

    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["refresh"]
