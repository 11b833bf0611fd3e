import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.config.probe_urls")]

URL = "/api/v1/probe/users"


@pytest.fixture
def many_users(make_user, user):
    for i in range(129):
        make_user(email=f"p{i:03d}@example.com")


def test_lists_are_paginated_with_count_next_previous_results(api_client, many_users):
    body = api_client.get(URL).json()

    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 130
    assert len(body["results"]) == 20
    assert body["previous"] is None
    assert body["next"].endswith(f"{URL}?page=2")


def test_page_size_is_capped_at_100(api_client, many_users):
    body = api_client.get(URL, {"page_size": 1000}).json()

    assert len(body["results"]) == 100


def test_page_and_page_size_walk_the_list(api_client, many_users):
    body = api_client.get(URL, {"page": 3, "page_size": 50}).json()

    assert len(body["results"]) == 30
    assert body["next"] is None
    assert "page=2" in body["previous"]


def test_page_past_the_end_is_404_with_the_envelope(api_client, many_users):
    response = api_client.get(URL, {"page": 99})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5"])
def test_bad_page_numbers_are_404_not_500(api_client, page):
    response = api_client.get(URL, {"page": page})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("page_size", ["abc", "0", "-5"])
def test_bad_page_size_falls_back_to_the_default(api_client, many_users, page_size):
    response = api_client.get(URL, {"page_size": page_size})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 20
