"""Bad input of every kind is a 4xx with the error envelope, never a 500, and changes nothing."""

import json

import pytest

from accounts.models import User
from tests.config.conftest import error_of

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login"
REGISTER = "/api/v1/auth/register"
ME = "/api/v1/auth/me"


def post_raw(client, path, body: bytes | str, content_type="application/json", **extra):
    return client.generic("POST", path, body, content_type=content_type, **extra)


@pytest.mark.parametrize(
    "body",
    [
        b'{"email": "ana@example.com", "password": ',
        b"{'email': 'single quotes'}",
        b'{"email": NaN}',
        b'{"email": Infinity}',
        b"\xff\xfe not utf-8",
        b"",
    ],
)
def test_malformed_json_is_400_malformed_json(anon_client, body):
    response = post_raw(anon_client, LOGIN, body)

    assert response.status_code == 400
    if body:
        assert error_of(response)["code"] == "malformed_json"
    else:  # an empty body is an empty object: the fields are missing
        assert error_of(response)["code"] == "validation_error"


def test_deeply_nested_json_is_400_not_500(anon_client):
    body = "[" * 100_000 + "]" * 100_000

    response = post_raw(anon_client, LOGIN, body)

    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"


@pytest.mark.parametrize("depth", [65, 500, 990])
def test_json_nested_deeper_than_the_limit_is_400(anon_client, depth):
    body = '{"email": ' + "[" * depth + "]" * depth + ', "password": "x"}'

    response = post_raw(anon_client, LOGIN, body)

    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"


def test_json_nested_within_the_limit_is_accepted(api_client):
    nested = {"summary_hour": 8}
    for _ in range(60):
        nested = {"x": nested}

    response = api_client.patch(ME, {"preferences": nested})

    assert response.status_code == 400  # unknown preference key, but parsed fine
    assert error_of(response)["code"] == "validation_error"


@pytest.mark.parametrize("number", ["1e400", "-1e400", "1.5e309"])
def test_json_numbers_out_of_range_are_400(api_client, number):
    response = post_raw(api_client, LOGIN, '{"email": "a@example.com", "password": ' + number + "}")

    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"


def test_json_that_is_not_an_object_is_a_validation_error(anon_client):
    for body in ["[1, 2]", '"text"', "42", "null"]:
        response = post_raw(anon_client, REGISTER, body)

        assert response.status_code == 400, body
        error = error_of(response)
        assert error["code"] == "validation_error"
        assert "non_field_errors" in error["fields"], body


def test_wrong_types_are_field_errors(anon_client):
    response = anon_client.post(
        REGISTER,
        {"email": ["ana@example.com"], "password": {"x": 1}, "name": 5, "timezone": []},
    )

    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert {"email", "password", "timezone"} <= set(error["fields"])
    assert all(isinstance(m, str) for msgs in error["fields"].values() for m in msgs)
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"email": "ana\u0000@example.com", "password": "x"},
        {"email": "ana@example.com", "password": "x\u0000"},
        {"email\u0000": "ana@example.com", "password": "x"},
    ],
)
def test_nul_bytes_in_json_body_are_400(anon_client, body):
    response = anon_client.post(LOGIN, body)

    assert response.status_code == 400
    assert error_of(response)["code"] == "null_character"


def test_nul_bytes_nested_in_json_are_400_and_change_nothing(user, api_client):
    response = api_client.patch(ME, {"preferences": {"quiet_hours": {"start": "2\u00002:00"}}})

    assert response.status_code == 400
    assert error_of(response)["code"] == "null_character"
    user.refresh_from_db()
    assert user.preferences == {}


def test_escaped_nul_in_raw_json_is_400(anon_client):
    response = post_raw(anon_client, LOGIN, b'{"email": "a\\u0000b@example.com", "password": "x"}')

    assert response.status_code == 400
    assert error_of(response)["code"] == "null_character"


def test_nul_bytes_in_multipart_fields_are_400(anon_client):
    response = anon_client.post(
        REGISTER,
        {"email": "n@example.com", "password": "una-clave\x00-muy-larga", "name": "x"},
        format="multipart",
    )

    assert response.status_code == 400
    assert "password" in error_of(response)["fields"]
    assert not User.objects.exists()


@pytest.mark.parametrize("query", ["q=%00", "q=a%00b", "%00=1", "q=%2500%00"])
def test_nul_bytes_in_query_string_are_400(api_client, query):
    response = api_client.get(f"{ME}?{query}")

    assert response.status_code == 400
    assert error_of(response)["code"] == "null_character"


def test_nul_bytes_in_the_path_are_400(api_client):
    response = api_client.get("/api/v1/auth/me%00")

    assert response.status_code in {400, 404}
    assert error_of(response)["code"] in {"null_character", "not_found"}


def test_over_long_text_is_a_field_error(user, api_client):
    response = api_client.patch(ME, {"name": "x" * 151})

    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["name"]
    user.refresh_from_db()
    assert user.name == "Ana"


def test_over_long_email_and_password_are_field_errors(anon_client):
    response = anon_client.post(
        REGISTER, {"email": "a" * 250 + "@example.com", "password": "p" * 129}
    )

    assert response.status_code == 400
    assert {"email", "password"} <= set(error_of(response)["fields"])


def test_unknown_enum_is_a_field_error(api_client):
    response = api_client.patch(ME, {"language": "klingon"})

    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert list(error["fields"]) == ["language"]


@pytest.mark.urls("tests.config.probe_urls")
@pytest.mark.parametrize("bad_id", ["not-a-uuid", "123", "00000000-0000-0000-0000-00000000000g"])
def test_bad_uuid_in_path_is_404(api_client, bad_id):
    for method in ["get", "patch", "delete"]:
        response = getattr(api_client, method)(f"/api/v1/probe/users/{bad_id}")

        assert response.status_code == 404, (method, response.content)
        assert error_of(response)["code"] == "not_found"


@pytest.mark.urls("tests.config.probe_urls")
def test_another_users_id_is_404_like_a_missing_one(api_client, other_user):
    other = api_client.get(f"/api/v1/probe/users/{other_user.pk}")
    missing = api_client.get("/api/v1/probe/users/00000000-0000-0000-0000-000000000000")

    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()


def test_oversize_body_is_413(anon_client, settings):
    settings.API_MAX_BODY_BYTES = 1000
    body = json.dumps({"email": "a@example.com", "password": "x" * 2000})

    response = post_raw(anon_client, LOGIN, body)

    assert response.status_code == 413
    assert error_of(response)["code"] == "payload_too_large"


def test_default_body_limit_is_one_megabyte(anon_client):
    body = json.dumps({"email": "a@example.com", "password": "x", "pad": "x" * (1024 * 1024)})

    response = post_raw(anon_client, REGISTER, body)

    assert response.status_code == 413
    assert not User.objects.exists()


def test_oversize_multipart_body_is_413(anon_client, settings):
    settings.API_MAX_BODY_BYTES = 1000

    response = anon_client.post(
        REGISTER, {"email": "a@example.com", "password": "x" * 5000}, format="multipart"
    )

    assert response.status_code == 413
    assert error_of(response)["code"] == "payload_too_large"


def test_invalid_content_length_is_400(anon_client):
    response = anon_client.generic(
        "POST", LOGIN, b"{}", content_type="application/json", CONTENT_LENGTH="abc"
    )

    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_request"


def test_wrong_method_is_405(anon_client, api_client):
    for response in [anon_client.get(LOGIN), anon_client.delete(REGISTER), api_client.put(ME, {})]:
        assert response.status_code == 405
        assert error_of(response)["code"] == "method_not_allowed"
        assert "Allow" in response.headers


def test_wrong_method_on_health_is_405_with_the_envelope(csrf_client):
    for path in ["/health", "/health/ready"]:
        response = csrf_client.post(path)

        assert response.status_code == 405, path
        assert error_of(response)["code"] == "method_not_allowed"
        assert response.headers["Allow"] == "GET, HEAD"


def test_unsupported_content_type_is_415(anon_client):
    response = post_raw(
        anon_client, LOGIN, "email=a@example.com&password=x", "application/x-www-form-urlencoded"
    )
    xml = post_raw(anon_client, LOGIN, "<login/>", "application/xml")

    for answer in [response, xml]:
        assert answer.status_code == 415
        assert error_of(answer)["code"] == "unsupported_media_type"


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    "path", ["/api/nothing", "/api/v1/nothing/", "/api/v2/tasks", "/api/v1/auth/nope"]
)
def test_unknown_api_path_is_404_for_every_method(csrf_client, method, path):
    response = getattr(csrf_client, method)(path)

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_unknown_path_outside_the_api_is_a_plain_404(anon_client):
    response = anon_client.get("/no-such-page")

    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_missing_token_is_401_with_the_envelope(anon_client):
    response = anon_client.get(ME)

    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"


def test_domain_error_envelope_has_fields_only_for_validation(user, anon_client):
    taken = anon_client.post(REGISTER, {"email": "ana@example.com", "password": "una-clave-larga"})
    wrong = anon_client.post(LOGIN, {"email": "ana@example.com", "password": "mal"})

    assert error_of(taken)["fields"] == {"email": [error_of(taken)["message"]]}
    assert "fields" not in error_of(wrong)


def test_unacceptable_accept_header_is_406_with_the_envelope(api_client):
    response = api_client.get(ME, HTTP_ACCEPT="application/xml")

    assert response.status_code == 406
    assert error_of(response)["code"] == "not_acceptable"
