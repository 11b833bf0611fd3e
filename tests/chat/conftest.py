"""Chat fixtures: the fake OpenAI server (shared with the websocket tests) and a helper that
talks to the assistant through the REST endpoint."""

import json

import pytest

from tests.fakes.deepgram_server import fake_deepgram  # noqa: F401  (pytest fixture)
from tests.fakes.openai_server import fake_openai  # noqa: F401  (pytest fixture)

MESSAGE_URL = "/api/v1/chat/message"


@pytest.fixture
def say(api_client):
    """say("texto", conversation_id=None) -> the 201 body of POST /chat/message."""

    def send(content, conversation_id=None, client=None, expect=201):
        payload = {"content": content}
        if conversation_id:
            payload["conversation_id"] = conversation_id
        response = (client or api_client).post(MESSAGE_URL, payload, format="json")
        assert response.status_code == expect, response.content
        return response.json()

    return send


def tool_result(request, index=-1) -> dict:
    """The JSON content of a `tool` message the model received in `request`."""
    tool_messages = [m for m in request.messages if m["role"] == "tool"]
    return json.loads(tool_messages[index]["content"])
