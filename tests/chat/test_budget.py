# ruff: noqa: F811  (pytest fixtures imported from tests.ws, used as arguments)
"""The per-user daily token budget: counted from the usage stored on the day's answers (the
UTC day, which the user cannot move), checked before every turn (REST, voice, websocket), and
shown by GET /api/v1/chat/usage."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from chat import budget
from chat.errors import AssistantBudgetExceeded
from chat.models import Conversation, Message
from tests.ws.client import open_ready, receive
from tests.ws.fixtures import token  # noqa: F401

pytestmark = pytest.mark.django_db

USAGE_URL = "/api/v1/chat/usage"
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt fake audio bytes"


def utc_midnight(days=0) -> datetime:
    today = timezone.now().astimezone(UTC).date() + timedelta(days=days)
    return datetime.combine(today, datetime.min.time(), tzinfo=UTC)


def stored_answer(user, *, prompt, completion, at, tool_calls=None) -> Message:
    conversation = Conversation.objects.create(user=user, title="antes")
    return Message.objects.create(
        conversation=conversation,
        user=user,
        role="assistant",
        content="",
        tool_calls=tool_calls,
        prompt_tokens=prompt,
        completion_tokens=completion,
        created_at=at,
    )


def test_usage_starts_at_zero_with_the_budget_and_the_next_utc_midnight(api_client, user, settings):
    settings.ASSISTANT_DAILY_TOKEN_BUDGET = 5000

    body = api_client.get(USAGE_URL).json()

    assert body == {
        "date": utc_midnight().date().isoformat(),
        "timezone": "UTC",
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "tokens": 0,
        "budget": 5000,
        "remaining": 5000,
        # The same instant for everyone, written with the user's offset for display.
        "resets_at": utc_midnight(days=1).astimezone(user.tz).isoformat(),
    }


def test_usage_counts_each_turn_once_from_the_stored_answers(api_client, say, fake_openai):
    fake_openai.add_tool_calls(("list_categories", {}), usage=(20, 9))
    fake_openai.add_text("Ninguna.", usage=(12, 7))
    say("¿qué categorías tengo?")

    body = api_client.get(USAGE_URL).json()

    # The answer holds the turn's sum (32 + 16); the tool round's own record is not added again.
    assert (body["prompt_tokens"], body["completion_tokens"], body["tokens"]) == (32, 16, 48)
    assert body["remaining"] == body["budget"] - 48


def test_the_day_is_the_utc_day_whatever_the_users_zone(api_client, user):
    stored_answer(user, prompt=1000, completion=1, at=utc_midnight() - timedelta(seconds=1))
    stored_answer(user, prompt=30, completion=3, at=utc_midnight() + timedelta(seconds=1))
    stored_answer(user, prompt=500, completion=5, at=timezone.now(), tool_calls=[{"id": "x"}])

    body = api_client.get(USAGE_URL).json()

    assert (body["prompt_tokens"], body["completion_tokens"]) == (30, 3)


def test_another_users_usage_is_not_counted(api_client, other_user):
    stored_answer(other_user, prompt=100, completion=10, at=timezone.now())
    assert api_client.get(USAGE_URL).json()["tokens"] == 0


def test_usage_needs_authentication(anon_client):
    assert anon_client.get(USAGE_URL).status_code == 401


def test_a_turn_over_the_budget_is_429_and_stores_nothing(
    api_client, say, user, fake_openai, settings
):
    settings.ASSISTANT_DAILY_TOKEN_BUDGET = 19
    fake_openai.add_text("Hola.", usage=(12, 7))
    first = say("hola")
    before = Message.objects.count()

    response = api_client.post(
        "/api/v1/chat/message",
        {"content": "otra", "conversation_id": first["conversation_id"]},
        format="json",
    )

    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "assistant_budget_exceeded"
    assert error["resets_at"] == utc_midnight(days=1).astimezone(user.tz).isoformat()
    assert 0 < error["retry_after"] <= 25 * 3600
    assert response["Retry-After"] == str(error["retry_after"])
    assert Message.objects.count() == before
    assert len(fake_openai.requests) == 1
    usage = api_client.get(USAGE_URL).json()
    assert (usage["tokens"], usage["remaining"]) == (19, 0)


def test_moving_to_a_zone_whose_day_just_began_does_not_renew_a_spent_budget(api_client, user):
    """Issue 22: 210,000 tokens used by a user in Madrid became 0 after
    `PATCH /auth/me {"timezone": "Etc/GMT+11"}`, whose local day had begun after the turns."""
    now = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # 16:00 in Madrid, 04:00 at UTC-11
    stored_answer(user, prompt=200_000, completion=10_000, at=now - timedelta(hours=5))
    with pytest.raises(AssistantBudgetExceeded):
        budget.check_budget(user=user, now=now)

    assert api_client.patch("/api/v1/auth/me", {"timezone": "Etc/GMT+11"}).status_code == 200
    user.refresh_from_db()

    assert budget.usage_today(user=user, now=now).tokens == 210_000
    with pytest.raises(AssistantBudgetExceeded) as refused:
        budget.check_budget(user=user, now=now)
    assert refused.value.resets_at == datetime(2026, 12, 8, tzinfo=UTC)


def test_a_spent_budget_is_still_refused_after_a_time_zone_change(
    api_client, user, settings, fake_openai
):
    settings.ASSISTANT_DAILY_TOKEN_BUDGET = 200_000
    stored_answer(user, prompt=200_000, completion=10_000, at=timezone.now())

    api_client.patch("/api/v1/auth/me", {"timezone": "Etc/GMT+11"})
    response = api_client.post("/api/v1/chat/message", {"content": "hola"}, format="json")

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "assistant_budget_exceeded"
    # Renewed at 00:00 UTC, not at the new zone's midnight.
    resets_at = datetime.fromisoformat(response.json()["error"]["resets_at"])
    assert resets_at == utc_midnight(days=1)
    assert resets_at.utcoffset() == timedelta(hours=-11)
    usage = api_client.get(USAGE_URL).json()
    assert (usage["tokens"], usage["remaining"], usage["timezone"]) == (210_000, 0, "UTC")
    assert fake_openai.requests == []


def test_under_the_budget_turns_go_through(say, fake_openai, settings):
    settings.ASSISTANT_DAILY_TOKEN_BUDGET = 20
    fake_openai.add_text("Uno.", usage=(12, 7))
    fake_openai.add_text("Dos.", usage=(12, 7))
    say("uno")
    say("dos")  # 19 < 20 before it started; it may end over the budget
    assert len(fake_openai.requests) == 2


def test_a_zero_budget_means_no_limit(api_client, say, fake_openai, settings):
    settings.ASSISTANT_DAILY_TOKEN_BUDGET = 0
    fake_openai.add_text("Hola.", usage=(100000, 100000))
    fake_openai.add_text("Otra vez.")
    say("hola")
    say("otra")
    body = api_client.get(USAGE_URL).json()
    assert (body["budget"], body["remaining"], body["tokens"]) == (None, None, 200019)


def test_voice_over_the_budget_is_429_before_transcribing(
    api_client, user, fake_openai, fake_deepgram, settings
):
    settings.ASSISTANT_DAILY_TOKEN_BUDGET = 10
    stored_answer(user, prompt=10, completion=0, at=timezone.now())
    audio = SimpleUploadedFile("nota.wav", WAV, content_type="audio/wav")

    response = api_client.post("/api/v1/chat/voice", {"audio": audio}, format="multipart")

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "assistant_budget_exceeded"
    assert fake_deepgram.requests == []


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_over_the_budget_the_socket_gets_an_error_frame(token, fake_openai, settings):
    settings.ASSISTANT_DAILY_TOKEN_BUDGET = 19
    fake_openai.add_text("Hola.", usage=(12, 7))
    socket = await open_ready(token)
    await socket.send_json_to({"type": "message", "content": "hola"})
    while (await receive(socket))["type"] != "assistant.done":
        pass

    await socket.send_json_to({"type": "message", "content": "otra"})
    frame = await receive(socket)

    assert frame["type"] == "error"
    assert frame["code"] == "assistant_budget_exceeded"
    assert frame["resets_at"] and frame["retry_after"] > 0
    assert len(fake_openai.requests) == 1
    # The socket stays usable.
    await socket.send_json_to({"type": "ping"})
    assert await receive(socket) == {"type": "pong"}
    await socket.disconnect()


def test_the_schema_documents_the_usage_endpoint_and_the_new_errors(anon_client):
    schema = anon_client.get("/api/v1/schema", {"format": "json"}).json()
    usage = schema["paths"]["/api/v1/chat/usage"]["get"]
    ref = usage["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    properties = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
    assert {"tokens", "budget", "remaining", "resets_at", "date", "timezone"} <= set(properties)
    message = schema["paths"]["/api/v1/chat/message"]["post"]["responses"]
    assert "conversation_busy" in message["409"]["description"]
    assert "assistant_budget_exceeded" in message["429"]["description"]
    assert "ASSISTANT_TURN_TIMEOUT_SECONDS" in message["504"]["description"]
    voice = schema["paths"]["/api/v1/chat/voice"]["post"]["responses"]
    assert "invalid_audio" in voice["400"]["description"]
    assert "assistant_budget_exceeded" in voice["429"]["description"]
