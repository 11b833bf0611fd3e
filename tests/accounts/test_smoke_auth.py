import pytest

pytestmark = pytest.mark.django_db


def test_register_login_me_refresh_logout_round_trip(anon_client):
    response = anon_client.post(
        "/api/v1/auth/register",
        {
            "email": "Nueva@Example.com",
            "password": "una-clave-muy-larga",
            "timezone": "Europe/Madrid",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["user"]["email"] == "nueva@example.com"

    response = anon_client.post(
        "/api/v1/auth/login/",
        {"email": "NUEVA@example.com", "password": "una-clave-muy-larga"},
        format="json",
    )
    assert response.status_code == 200
    tokens = response.json()

    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    me = anon_client.get("/api/v1/auth/me")
    assert me.json()["timezone"] == "Europe/Madrid"

    refreshed = anon_client.post("/api/v1/auth/refresh", {"refresh": tokens["refresh"]})
    assert refreshed.status_code == 200
    reused = anon_client.post("/api/v1/auth/refresh", {"refresh": tokens["refresh"]})
    assert reused.status_code == 401
    assert reused.json()["error"]["code"] == "token_not_valid"

    out = anon_client.post("/api/v1/auth/logout", {"refresh": refreshed.json()["refresh"]})
    assert out.status_code == 204
