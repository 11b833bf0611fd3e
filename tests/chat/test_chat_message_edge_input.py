"""POST /api/v1/chat/message when the model writes text no database can store: NUL ("\\u0000")
and lone surrogates ("\\ud800"), in its answer or in a tool call's arguments. Found by probing
with the fake model: each was a 500 (UTF-8 encoding, PostgreSQL text/jsonb) after the user's
message had been stored."""

import pytest

from chat.models import Message
from tasks.models import Task
from tests.chat.conftest import tool_result
from tests.fakes.openai_server import ToolCall

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "raw",
    [
        '{"title": "x", "priority": "\\ud800"}',
        '{"title": "a\\ud800b"}',
        '{"title": "x", "description": "\\udfff"}',
        '{"title": "a\\u0000b"}',
        '{"title": "x", "priority": "a\\u0000"}',
        '{"\\ud800": 1}',
    ],
)
def test_tool_arguments_with_unstorable_text_are_invalid_and_change_nothing(say, fake_openai, raw):
    fake_openai.add_tool_calls(ToolCall("create_task", raw))
    fake_openai.add_text("Perdón.")

    body = say("crea una tarea")

    assert tool_result(fake_openai.requests[1])["error"]["code"] == "invalid_arguments"
    action = body["actions"][0]
    assert action["result"]["error"]["code"] == "invalid_arguments"
    assert action["arguments"] == raw  # shown as the model wrote it
    assert body["assistant_message"]["content"] == "Perdón."
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    ("fragments", "stored"),
    [
        (["Hola\x00 mundo"], "Hola mundo"),
        (["Hola ", "\ud800", "mundo"], "Hola \ufffdmundo"),
    ],
)
def test_answer_text_is_stored_without_nul_and_lone_surrogates(say, fake_openai, fragments, stored):
    fake_openai.add_text(*fragments)

    body = say("hola")

    assert body["assistant_message"]["content"] == stored
    assert Message.objects.get(pk=body["assistant_message"]["id"]).content == stored
