"""manage.py assistant_check: one streamed request to the configured server."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def test_prints_the_streamed_text_tool_calls_and_usage(fake_openai):
    fake_openai.add_tool_calls(("create_task", {"title": "Prueba"}), text="Vale. ")

    out = StringIO()
    call_command("assistant_check", "crea Prueba", stdout=out)

    printed = out.getvalue()
    assert "Vale. " in printed
    assert 'tool call: create_task({"title": "Prueba"})' in printed
    assert "tokens: 20 in / 9 out" in printed
    assert "create_task" in fake_openai.requests[0].tool_names


def test_fails_clearly_without_a_key(settings):
    settings.OPENAI_API_KEY = None
    with pytest.raises(CommandError, match="OPENAI_API_KEY"):
        call_command("assistant_check")


def test_fails_clearly_when_the_server_errors(fake_openai):
    fake_openai.add_http_error(401, "bad key")
    with pytest.raises(CommandError, match="LLMUpstreamError"):
        call_command("assistant_check", stdout=StringIO())
