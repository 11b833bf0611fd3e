"""JSON bodies that parse but cannot be text: escaped lone surrogates ("\\ud800").

No UTF-8 text can hold one, so such a string breaks wherever it is encoded later (a choice
error that echoes the value, the login/register throttle's cache key, the database). Found by
fuzzing the running API: every one of these requests was a 500.
"""

import pytest

from accounts.models import User
from checkins.models import CheckIn
from goals.models import Goal
from tasks.models import Task
from tests.config.conftest import error_of

pytestmark = pytest.mark.django_db

LONE_SURROGATES = ["\\ud800", "a\\udfffb", "\\udc00\\ud800"]


def post_raw(client, path, body: str, method="POST"):
    return client.generic(method, path, body, content_type="application/json")


@pytest.mark.parametrize("escaped", LONE_SURROGATES)
@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/api/v1/auth/register", '{"email": "%s", "password": "a long enough pass 123"}'),
        ("/api/v1/auth/login", '{"email": "%s", "password": "wrong"}'),
        (
            "/api/v1/auth/register",
            '{"email": "new@example.com", "password": "a long enough pass 123", "timezone": "%s"}',
        ),
    ],
)
def test_lone_surrogate_in_an_anonymous_body_is_400_malformed_json(
    anon_client, path, template, escaped
):
    users_before = User.objects.count()

    response = post_raw(anon_client, path, template % escaped)

    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"
    assert User.objects.count() == users_before


@pytest.mark.parametrize("escaped", LONE_SURROGATES)
@pytest.mark.parametrize(
    ("path", "template", "model"),
    [
        ("/api/v1/tasks", '{"title": "T", "priority": "%s"}', Task),
        (
            "/api/v1/goals",
            '{"title": "G", "target_value": "5", "unit": "km", "period": "%s"}',
            Goal,
        ),
        ("/api/v1/checkins", '{"mood": 3, "energy": 3, "kind": "%s"}', CheckIn),
        ("/api/v1/categories", '{"name": "%s", "color": "#112233"}', None),
        ("/api/v1/tasks", '{"title": "T", "%s": 1}', Task),
        ("/api/v1/tasks", '{"title": "T", "description": ["%s"]}', Task),
    ],
)
def test_lone_surrogate_in_a_create_body_is_400_and_creates_nothing(
    api_client, path, template, model, escaped
):
    before = model.objects.count() if model else None

    response = post_raw(api_client, path, template % escaped)

    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"
    if model:
        assert model.objects.count() == before


@pytest.mark.parametrize("field", ["timezone", "language", "name"])
def test_lone_surrogate_in_a_profile_update_is_400_and_changes_nothing(api_client, user, field):
    body = '{"' + field + '": "\\ud800"}'

    response = post_raw(api_client, "/api/v1/auth/me", body, "PATCH")

    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"
    user.refresh_from_db()
    assert (user.timezone, user.language) == ("Europe/Madrid", "es")


def test_paired_surrogate_escapes_are_one_character_and_accepted(api_client):
    response = post_raw(api_client, "/api/v1/tasks", '{"title": "Run \\ud83c\\udfc3"}')

    assert response.status_code == 201, response.content
    assert response.json()["title"] == "Run \U0001f3c3"
