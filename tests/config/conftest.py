import pytest


def error_of(response) -> dict:
    """The envelope's inner object; fails when the body is anything else."""
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"]) <= {"code", "message", "fields"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


@pytest.fixture
def csrf_client():
    """A client that, like a real one, gets Django's CSRF checks (APIClient skips them)."""
    from rest_framework.test import APIClient

    return APIClient(enforce_csrf_checks=True)
