"""Chat fixtures: the fake OpenAI server (shared with the websocket tests)."""

from tests.fakes.openai_server import fake_openai  # noqa: F401  (pytest fixture)
