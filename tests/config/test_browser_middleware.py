"""Sessions, session users and messages run for the admin and are skipped for the API."""

import pytest

pytestmark = pytest.mark.django_db


def test_api_requests_skip_the_browser_only_middleware(api_client):
    response = api_client.get("/api/v1/auth/me")

    assert response.status_code == 200
    request = response.wsgi_request
    assert not hasattr(request, "session")
    assert not hasattr(request, "_messages")


def test_the_admin_still_gets_sessions_users_and_messages(client):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    request = response.wsgi_request
    assert hasattr(request, "session")
    assert hasattr(request, "_messages")
    assert request.user.is_anonymous


def test_staff_can_still_log_in_to_the_admin(client, make_user):
    from tests.conftest import PASSWORD

    make_user(email="staff@example.com", is_staff=True, is_superuser=True)
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "staff@example.com", "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
