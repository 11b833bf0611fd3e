"""/api/v1/memories: list, save, change and delete what the assistant remembers; another
user's memory is a 404 everywhere."""

import pytest

from memories.models import MAX_PER_USER, Memory
from memories.services import memory_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/memories"


@pytest.fixture
def memory(user):
    return memory_create(user=user, text="los lunes rindo menos", source="api")


def test_create_saves_the_trimmed_text_with_source_api(api_client, user):
    response = api_client.post(URL, {"text": "  mi prioridad es la tesis  "}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["text"], body["source"]) == ("mi prioridad es la tesis", "api")
    memory = Memory.objects.get(pk=body["id"])
    assert (memory.user, memory.text) == (user, "mi prioridad es la tesis")


def test_list_is_newest_first_and_only_mine(api_client, user, other_user):
    memory_create(user=user, text="primero", source="api")
    memory_create(user=user, text="segundo", source="assistant")
    memory_create(user=other_user, text="ajeno", source="api")

    for slash in ("", "/"):
        response = api_client.get(URL + slash)
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 2
        assert [m["text"] for m in body["results"]] == ["segundo", "primero"]


def test_retrieve_and_patch(api_client, memory):
    assert api_client.get(f"{URL}/{memory.pk}").json()["text"] == "los lunes rindo menos"

    response = api_client.patch(
        f"{URL}/{memory.pk}/", {"text": "los lunes voy lento"}, format="json"
    )

    assert response.status_code == 200
    memory.refresh_from_db()
    assert memory.text == "los lunes voy lento"


def test_delete_removes_the_row(api_client, memory):
    response = api_client.delete(f"{URL}/{memory.pk}")

    assert response.status_code == 204
    assert not Memory.objects.filter(pk=memory.pk).exists()
    assert api_client.get(f"{URL}/{memory.pk}").status_code == 404


@pytest.mark.parametrize(
    "payload",
    [{}, {"text": ""}, {"text": "   "}, {"text": "x" * 301}, {"text": ["a"]}, {"text": None}],
)
def test_bad_text_is_400_and_saves_nothing(api_client, payload):
    response = api_client.post(URL, payload, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert "text" in response.json()["error"]["fields"]
    assert not Memory.objects.exists()


def test_a_nul_character_is_400(api_client):
    response = api_client.post(URL, b'{"text": "a\\u0000b"}', content_type="application/json")

    assert response.status_code == 400
    assert not Memory.objects.exists()


def test_300_characters_are_allowed(api_client):
    assert api_client.post(URL, {"text": "x" * 300}, format="json").status_code == 201


def test_put_is_not_offered(api_client, memory):
    response = api_client.put(f"{URL}/{memory.pk}", {"text": "otra"}, format="json")

    assert response.status_code == 405


def test_the_limit_per_user_is_a_409(api_client, user, other_user):
    Memory.objects.bulk_create(
        Memory(user=user, text=f"dato {i}", source="api") for i in range(MAX_PER_USER)
    )

    response = api_client.post(URL, {"text": "uno más"}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "memory_limit_reached"
    assert Memory.objects.filter(user=user).count() == MAX_PER_USER
    # Someone else's count is theirs.
    assert memory_create(user=other_user, text="mío", source="api").pk


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_users_memory_is_404_and_untouched(other_client, memory, method):
    response = getattr(other_client, method)(
        f"{URL}/{memory.pk}", {"text": "hackeado"}, format="json"
    )

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    memory.refresh_from_db()
    assert memory.text == "los lunes rindo menos"


def test_a_malformed_id_is_404(api_client):
    assert api_client.get(f"{URL}/not-a-uuid").status_code == 404


def test_anonymous_is_401(anon_client):
    assert anon_client.get(URL).status_code == 401


def test_list_query_count_does_not_grow(api_client, user, django_assert_num_queries):
    memory_create(user=user, text="uno", source="api")
    with django_assert_num_queries(2) as first:  # the user, the page with its count
        assert api_client.get(URL).status_code == 200
    for i in range(10):
        memory_create(user=user, text=f"más {i}", source="api")
    with django_assert_num_queries(len(first.captured_queries)):
        assert api_client.get(URL).status_code == 200
