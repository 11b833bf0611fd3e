"""GET /chat/conversations, GET|PATCH|DELETE /chat/conversations/{id}."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chat.models import Conversation, Message

pytestmark = pytest.mark.django_db

LIST = "/api/v1/chat/conversations"


def conversation(user, title="Charla", minutes_ago=0, messages=()):
    when = timezone.now() - timedelta(minutes=minutes_ago)
    conv = Conversation.objects.create(user=user, title=title, created_at=when, updated_at=when)
    for offset, (role, content) in enumerate(messages):
        Message.objects.create(
            conversation=conv,
            user=user,
            role=role,
            content=content,
            created_at=when + timedelta(seconds=offset),
        )
    return conv


def test_list_newest_activity_first_with_preview_and_count(api_client, user, other_user):
    old = conversation(user, "Vieja", minutes_ago=60, messages=[("user", "a"), ("assistant", "b")])
    new = conversation(user, "Nueva", minutes_ago=1, messages=[("user", "hola")])
    conversation(other_user, "Ajena")
    Message.objects.create(
        conversation=old,
        user=user,
        role="assistant",
        content="",
        tool_calls=[{"id": "c", "type": "function", "function": {"name": "x", "arguments": ""}}],
        created_at=old.created_at + timedelta(seconds=5),
    )
    Message.objects.create(
        conversation=old,
        user=user,
        role="tool",
        tool_call_id="c",
        content="{}",
        created_at=old.created_at + timedelta(seconds=6),
    )

    response = api_client.get(LIST)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [c["id"] for c in body["results"]] == [str(new.pk), str(old.pk)]
    first, second = body["results"]
    assert (first["title"], first["message_count"], first["last_message_preview"]) == (
        "Nueva",
        1,
        "hola",
    )
    # Tool-calling steps are not part of what people see.
    assert (second["message_count"], second["last_message_preview"]) == (2, "b")


def test_a_new_message_moves_the_conversation_to_the_top(api_client, user, say, fake_openai):
    old = conversation(user, "Vieja", minutes_ago=60, messages=[("user", "a")])
    conversation(user, "Nueva", minutes_ago=1, messages=[("user", "b")])
    fake_openai.add_text("de vuelta")

    say("retomo", conversation_id=str(old.pk))

    results = api_client.get(LIST).json()["results"]
    assert results[0]["id"] == str(old.pk)
    assert results[0]["last_message_preview"] == "de vuelta"
    assert results[0]["message_count"] == 3


def test_preview_is_cut(api_client, user):
    conversation(user, messages=[("user", "z" * 500)])
    preview = api_client.get(LIST).json()["results"][0]["last_message_preview"]
    assert preview == "z" * 120


def test_empty_conversation_has_no_preview(api_client, user):
    conversation(user)
    result = api_client.get(LIST).json()["results"][0]
    assert (result["message_count"], result["last_message_preview"]) == (0, None)


def test_list_is_paginated(api_client, user):
    for n in range(3):
        conversation(user, f"c{n}", minutes_ago=n)
    body = api_client.get(LIST, {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]


def test_list_query_count_does_not_grow(api_client, user, django_assert_num_queries):
    conversation(user, messages=[("user", "a")])
    with django_assert_num_queries(2) as first:
        api_client.get(LIST)
    for n in range(10):
        conversation(user, f"c{n}", messages=[("user", "a"), ("assistant", "b")])
    with django_assert_num_queries(len(first.captured_queries)):
        response = api_client.get(LIST)
    assert response.json()["count"] == 11


def test_detail_has_the_visible_messages_in_order_with_actions(api_client, user, say, fake_openai):
    fake_openai.add_tool_calls(("create_task", {"title": "Informe"}))
    fake_openai.add_text("Creada.")
    body = say("crea Informe")

    response = api_client.get(f"{LIST}/{body['conversation_id']}")

    assert response.status_code == 200
    detail = response.json()
    assert detail["id"] == body["conversation_id"]
    assert detail["title"] == "crea Informe"
    assert [(m["role"], m["content"]) for m in detail["messages"]] == [
        ("user", "crea Informe"),
        ("assistant", "Creada."),
    ]
    assert detail["messages"][0]["actions"] == []
    assert detail["messages"][1]["actions"][0]["tool"] == "create_task"
    assert detail["messages"][1] == body["assistant_message"]


def test_detail_query_count_does_not_grow(api_client, user, django_assert_num_queries):
    conv = conversation(user, messages=[("user", "a")])
    with django_assert_num_queries(3) as first:
        api_client.get(f"{LIST}/{conv.pk}")
    for n in range(10):
        Message.objects.create(conversation=conv, user=user, role="user", content=f"m{n}")
    with django_assert_num_queries(len(first.captured_queries)):
        response = api_client.get(f"{LIST}/{conv.pk}/")
    assert len(response.json()["messages"]) == 11


def test_rename(api_client, user):
    conv = conversation(user, "Vieja", messages=[("user", "a")])

    response = api_client.patch(f"{LIST}/{conv.pk}", {"title": "  Plan semanal "}, format="json")

    assert response.status_code == 200
    assert response.json()["title"] == "Plan semanal"
    assert response.json()["message_count"] == 1
    conv.refresh_from_db()
    assert conv.title == "Plan semanal"


@pytest.mark.parametrize("payload", [{}, {"title": ""}, {"title": "x" * 121}, {"title": 5}])
def test_rename_with_bad_input_is_400(api_client, user, payload):
    conv = conversation(user, "Vieja")
    response = api_client.patch(f"{LIST}/{conv.pk}", payload, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    conv.refresh_from_db()
    assert conv.title == "Vieja"


def test_put_is_not_allowed(api_client, user):
    conv = conversation(user)
    assert api_client.put(f"{LIST}/{conv.pk}", {"title": "x"}, format="json").status_code == 405


def test_delete_removes_the_messages(api_client, user):
    conv = conversation(user, messages=[("user", "a"), ("assistant", "b")])

    response = api_client.delete(f"{LIST}/{conv.pk}/")

    assert response.status_code == 204
    assert not Conversation.objects.exists()
    assert not Message.objects.exists()


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_users_conversation_is_404(api_client, other_user, method):
    theirs = conversation(other_user, "Ajena", messages=[("user", "secreto")])

    response = getattr(api_client, method)(f"{LIST}/{theirs.pk}", {"title": "Mía"}, format="json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.title == "Ajena"


@pytest.mark.parametrize("pk", ["not-a-uuid", "7d9f1d1e-0000-4000-8000-000000000000"])
def test_unknown_id_is_404(api_client, pk):
    response = api_client.get(f"{LIST}/{pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_anonymous_is_401(anon_client):
    assert anon_client.get(LIST).status_code == 401
