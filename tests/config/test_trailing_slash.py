"""Every route answers with and without a trailing slash, for every method, with no redirect."""

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def both(path: str) -> list[str]:
    return [path, f"{path}/"]


@pytest.mark.parametrize("slash", ["", "/"])
def test_auth_flow_works_with_and_without_slash(user, anon_client, slash):
    login = anon_client.post(
        f"/api/v1/auth/login{slash}", {"email": user.email, "password": PASSWORD}
    )
    assert login.status_code == 200
    tokens = login.json()

    refreshed = anon_client.post(f"/api/v1/auth/refresh{slash}", {"refresh": tokens["refresh"]})
    assert refreshed.status_code == 200

    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert anon_client.get(f"/api/v1/auth/me{slash}").status_code == 200
    assert anon_client.patch(f"/api/v1/auth/me{slash}", {"name": "A"}).status_code == 200

    out = anon_client.post(f"/api/v1/auth/logout{slash}", {"refresh": refreshed.json()["refresh"]})
    assert out.status_code == 204

    registered = anon_client.post(
        f"/api/v1/auth/register{slash}",
        {"email": f"n{len(slash)}@example.com", "password": "una-clave-muy-larga-y-rara"},
    )
    assert registered.status_code == 201


@pytest.mark.parametrize(
    "path", [*both("/health"), *both("/health/ready"), *both("/api/v1/schema"), *both("/api/docs")]
)
def test_public_routes_answer_with_and_without_slash(anon_client, path):
    response = anon_client.get(path)

    assert response.status_code == 200, path


@pytest.mark.urls("tests.config.probe_urls")
@pytest.mark.parametrize("slash", ["", "/"])
def test_router_routes_answer_every_method_with_and_without_slash(user, api_client, slash):
    detail = f"/api/v1/probe/users/{user.pk}{slash}"
    answers = {
        "list GET": api_client.get(f"/api/v1/probe/users{slash}"),
        "list POST": api_client.post(f"/api/v1/probe/users{slash}", {}),
        "GET": api_client.get(detail),
        "PUT": api_client.put(
            detail, {"name": "Ana", "timezone": "UTC", "language": "es", "preferences": {}}
        ),
        "PATCH": api_client.patch(detail, {"name": "Ana"}),
        "DELETE": api_client.delete(detail),
    }

    statuses = {name: response.status_code for name, response in answers.items()}
    assert statuses == {
        "list GET": 200,
        "list POST": 201,
        "GET": 200,
        "PUT": 200,
        "PATCH": 200,
        "DELETE": 204,
    }


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "options"])
@pytest.mark.parametrize("path", [*both("/api/v1/auth/me"), *both("/api/v1/auth/login")])
def test_no_method_is_ever_redirected(api_client, method, path):
    response = getattr(api_client, method)(path)

    assert response.status_code not in {301, 302, 307, 308}, (method, path)
    assert "Location" not in response.headers


def test_double_slash_is_not_a_route(api_client):
    response = api_client.get("/api/v1/auth/me//")

    assert response.status_code == 404
