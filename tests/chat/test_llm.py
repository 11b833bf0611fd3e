"""config/llm.py against the fake server: the real SDK on the real wire format."""

import pytest

from config import llm
from tests.fakes.openai_server import ToolCall


async def collect(**kwargs):
    items = [item async for item in llm.stream_chat(**kwargs)]
    return items[:-1], items[-1]


MESSAGES = [{"role": "user", "content": "hola"}]


@pytest.mark.asyncio
async def test_text_streams_as_deltas_then_a_completion_with_usage(fake_openai):
    fake_openai.add_text("Ho", "la", usage=(30, 4))

    deltas, completion = await collect(messages=MESSAGES)

    assert [d.text for d in deltas] == ["Ho", "la"]
    assert completion.text == "Hola"
    assert completion.finish_reason == "stop"
    assert (completion.prompt_tokens, completion.completion_tokens) == (30, 4)
    assert completion.model == "fake-model"
    sent = fake_openai.requests[0].json
    assert sent["stream"] is True
    assert sent["stream_options"] == {"include_usage": True}
    assert sent["messages"] == MESSAGES
    assert fake_openai.requests[0].headers["authorization"] == "Bearer sk-test-fake"


@pytest.mark.asyncio
async def test_tool_call_fragments_are_joined_per_index(fake_openai):
    fake_openai.add_tool_calls(
        ToolCall("create_task", {"title": "Informe trimestral"}, id="call_a"),
        ("start_task", {"task_id": "x"}),
        pieces=4,
    )
    tools = [{"type": "function", "function": {"name": "create_task", "parameters": {}}}]

    deltas, completion = await collect(messages=MESSAGES, tools=tools)

    assert deltas == []
    assert completion.finish_reason == "tool_calls"
    assert (completion.tool_calls[0].id, completion.tool_calls[0].name) == ("call_a", "create_task")
    assert completion.tool_calls[0].arguments == '{"title": "Informe trimestral"}'
    assert completion.tool_calls[1].name == "start_task"
    assert fake_openai.requests[0].tool_names == ["create_task"]


@pytest.mark.asyncio
async def test_error_payload_in_stream_is_an_upstream_error(fake_openai):
    fake_openai.add_stream_error("overloaded", "par")
    with pytest.raises(llm.LLMUpstreamError):
        await collect(messages=MESSAGES)


@pytest.mark.asyncio
async def test_http_error_is_an_upstream_error(fake_openai):
    fake_openai.add_http_error(500, "boom")
    with pytest.raises(llm.LLMUpstreamError):
        await collect(messages=MESSAGES)


@pytest.mark.asyncio
async def test_slow_answer_is_a_timeout(fake_openai, settings):
    settings.OPENAI_TIMEOUT_SECONDS = 0.3
    fake_openai.add_slow(5)
    with pytest.raises(llm.LLMTimeout):
        await collect(messages=MESSAGES)


@pytest.mark.asyncio
async def test_retries_follow_settings(fake_openai, settings):
    settings.OPENAI_MAX_RETRIES = 1
    fake_openai.add_http_error(503, "busy")
    fake_openai.add_text("ok")

    _, completion = await collect(messages=MESSAGES)

    assert completion.text == "ok"
    assert len(fake_openai.requests) == 2


@pytest.mark.asyncio
async def test_no_key_is_not_configured(settings):
    settings.OPENAI_API_KEY = None
    with pytest.raises(llm.LLMNotConfigured):
        await collect(messages=MESSAGES)


@pytest.mark.asyncio
async def test_closing_the_stream_early_closes_the_http_response(fake_openai):
    fake_openai.add_hang("Hola")
    stream = llm.stream_chat(messages=MESSAGES)
    first = await anext(stream)
    assert first.text == "Hola"

    await stream.aclose()

    assert fake_openai.client_disconnected.wait(5)


@pytest.mark.asyncio
async def test_complete_text_returns_the_whole_answer(fake_openai):
    fake_openai.add_text("Un ", "resumen.")
    completion = await llm.complete_text(messages=MESSAGES)
    assert completion.text == "Un resumen."
