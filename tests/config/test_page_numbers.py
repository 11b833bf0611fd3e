"""`?page=` on every list of the API: a positive integer in plain digits, or the 404 `not_found`
of a page past the end, whatever its size. A page whose offset passes PostgreSQL's bigint used
to reach the database as an OFFSET and answer 500 (DataError: bigint out of range), and
`?page=last` answered the last page (issue 22, items 7 and 8)."""

import io
import sys

import pytest

from config.pagination import MAX_OFFSET, page_number, page_offset
from config.wsgi import application
from tests.conftest import access_token_for

pytestmark = pytest.mark.django_db

HUGE_PAGES = [
    "2305843009213693951",  # (page - 1) x 20 passes 2**63 - 1
    "92233720368547758",  # page_size=100: (page - 1) x 100 passes it
    str(2**63),
    "1" + "0" * 40,
    "9" * 5000,  # past int()'s 4300 digits
]
NOT_A_PAGE = ["last", "LAST", "0", "-1", "1.5", "1.0", "+1", " 1", "1 ", "1_0", "0x1", "١", "x"]


@pytest.fixture
def lists(api_client):
    """Every paginated list of the OpenAPI document, with ids of the user's own rows."""
    task = api_client.post("/api/v1/tasks", {"title": "Escribir"}).json()["id"]
    goal = api_client.post(
        "/api/v1/goals", {"title": "Correr", "target_value": "10", "unit": "km"}
    ).json()["id"]
    return [
        "/api/v1/auth/devices",
        "/api/v1/categories",
        "/api/v1/chat/conversations",
        "/api/v1/checkins",
        "/api/v1/goals",
        f"/api/v1/goals/{goal}/progress",
        f"/api/v1/goals/{goal}/pauses",
        "/api/v1/reviews",
        "/api/v1/plans",
        "/api/v1/memories",
        "/api/v1/summaries",
        "/api/v1/tasks",
        "/api/v1/tasks?status=pending",  # the filtered list: the viewset's own way
        f"/api/v1/tasks/{task}/events",
    ]


def test_the_lists_here_are_every_paginated_list_of_the_schema(api_client, lists):
    schema = api_client.get("/api/v1/schema", HTTP_ACCEPT="application/json").json()
    paginated = {
        path
        for path, operations in schema["paths"].items()
        if any(p["name"] == "page" for p in operations.get("get", {}).get("parameters", []))
    }

    covered = {path.split("?")[0] for path in lists}
    assert {p.replace("{id}", "*") for p in paginated} == {
        "/".join("*" if len(part) == 36 else part for part in path.split("/")) for path in covered
    }


def _get(client, path, page, **params):
    joiner = "&" if "?" in path else "?"
    query = "&".join(f"{k}={v}" for k, v in {"page": page, **params}.items())
    return client.get(f"{path}{joiner}{query}")


def _assert_not_found(response):
    assert response.status_code == 404, (response.status_code, response.content[:300])
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("page", HUGE_PAGES)
def test_a_huge_page_is_a_404_on_every_list(api_client, lists, page):
    for path in lists:
        _assert_not_found(_get(api_client, path, page))
        _assert_not_found(_get(api_client, path, page, page_size=100))


@pytest.mark.parametrize("page", NOT_A_PAGE)
def test_a_page_that_is_not_a_positive_integer_is_a_404_on_every_list(api_client, lists, page):
    for path in lists:
        _assert_not_found(api_client.get(path, {"page": page}))


def test_page_one_in_plain_digits_still_answers_every_list(api_client, lists):
    for path in lists:
        for page in ("1", "01"):
            response = api_client.get(path, {"page": page})
            assert response.status_code == 200, (path, page, response.content[:300])


def _wsgi_get(query, token):
    """GET /api/v1/tasks through the WSGI application the http role serves (config/wsgi.py)."""
    seen = {}
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/api/v1/tasks",
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }

    def start_response(status, headers, exc_info=None):
        seen["status"] = status

    body = b"".join(application(environ, start_response))
    return seen["status"], body


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("page", [*HUGE_PAGES[:4], "last"])
def test_the_wsgi_application_answers_a_huge_or_bad_page_with_the_404(user, page):
    status, body = _wsgi_get(f"page={page}", access_token_for(user))

    assert status.startswith("404"), (status, body[:300])
    assert b'"not_found"' in body


@pytest.mark.parametrize(
    ("value", "number"),
    [("1", 1), ("007", 7), ("2305843009213693951", 2305843009213693951), ("9" * 20, MAX_OFFSET + 2)]
    + [(bad, None) for bad in NOT_A_PAGE],
)
def test_page_number_reads_plain_positive_integers_only(value, number):
    assert page_number(value) == number


def test_page_offset_stops_where_the_database_would():
    assert page_offset(1, 20) == 0
    assert page_offset(MAX_OFFSET // 20, 20) == MAX_OFFSET // 20 * 20 - 20
    assert page_offset(MAX_OFFSET // 20 + 1, 20) is None
