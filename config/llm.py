"""The one seam to the language model: the only module that imports `openai`.

It builds `AsyncOpenAI` from settings (`OPENAI_API_KEY`, `OPENAI_BASE_URL`, `OPENAI_MODEL`,
`OPENAI_TIMEOUT_SECONDS`, `OPENAI_MAX_RETRIES`) and speaks the Chat Completions API with
`stream=True`, so any OpenAI-compatible server (OpenAI, Ollama, vLLM, llama.cpp) works.
Callers get plain Python values and three exceptions, never SDK types:

- `LLMNotConfigured`: no API key; the caller should say the assistant is unavailable.
- `LLMTimeout`: the model did not answer within the timeout (after the SDK's retries).
- `LLMUpstreamError`: anything else the server or the connection did wrong.

`stream_chat()` yields `TextDelta`s as the model writes and ends with one `Completion`
holding the whole text, the tool calls (their argument fragments joined), the finish reason
and the token usage. Leaving the iteration early (or cancelling the task) closes the HTTP
response, so the model stops generating for us.

The SDK is imported at the first call that needs it, not with this module: it is ~25 MB of
the websocket process's memory (pydantic models for the whole API), which a process holding
idle sockets does not need until someone chats.
"""

from __future__ import annotations

import asyncio
import logging
import re
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings

from config.metrics.series import MODEL_REQUESTS, count_model_usage

if TYPE_CHECKING:
    import openai

logger = logging.getLogger(__name__)

_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _storable(text: str) -> str:
    """Model output as the database can keep it: without NUL (PostgreSQL text and jsonb refuse
    it) and with lone surrogates, which have no UTF-8 form, replaced by U+FFFD. The SDK decodes
    JSON escapes, so a model writing "\\u0000" or "\\ud800" hands us exactly these."""
    return _SURROGATE.sub("\ufffd", text.replace("\x00", ""))


class LLMError(Exception):
    """Base class; `str(exc)` is for logs, not for users."""


class LLMNotConfigured(LLMError):
    pass


class LLMTimeout(LLMError):
    pass


class LLMUpstreamError(LLMError):
    pass


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass
class ToolCallRequest:
    id: str
    name: str
    arguments: str  # raw JSON text as the model wrote it; may be malformed


@dataclass
class Completion:
    text: str = ""
    tool_calls: list[ToolCallRequest] = field(default_factory=list)
    finish_reason: str | None = None
    model: str = ""
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


def is_configured() -> bool:
    return bool(settings.OPENAI_API_KEY)


def model_name() -> str:
    return settings.OPENAI_MODEL


_openai = None


def _sdk():
    global _openai
    if _openai is None:
        import openai

        _openai = openai
    return _openai


async def _sdk_loaded():
    """The SDK, its first import run in a thread: it takes about a second of CPU, during which
    the event loop keeps serving the process's other sockets."""
    return _openai if _openai is not None else await asyncio.to_thread(_sdk)


# One client per event loop and configuration: the SDK's connection pool belongs to the loop
# that opened it, and a process (Daphne) normally runs one loop, so this is one client.
_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def get_client() -> openai.AsyncOpenAI:
    if not is_configured():
        raise LLMNotConfigured("OPENAI_API_KEY is not set")
    config = (
        settings.OPENAI_API_KEY,
        settings.OPENAI_BASE_URL,
        float(settings.OPENAI_TIMEOUT_SECONDS),
        int(settings.OPENAI_MAX_RETRIES),
    )
    loop = asyncio.get_running_loop()
    for old_loop in [known for known in _clients if known.is_closed()]:
        # The client's connections refer to their loop, so the weak key alone never dies.
        del _clients[old_loop]
    cached = _clients.get(loop)
    if cached is not None and cached[0] == config:
        return cached[1]
    api_key, base_url, timeout, retries = config
    client = _sdk().AsyncOpenAI(
        api_key=api_key, base_url=base_url, timeout=timeout, max_retries=retries
    )
    _clients[loop] = (config, client)
    return client


async def stream_chat(
    *,
    messages: list[dict],
    tools: list[dict] | None = None,
    model: str | None = None,
    temperature: float | None = None,
) -> AsyncIterator[TextDelta | Completion]:
    """Stream one completion: `TextDelta`s, then exactly one `Completion` (last item)."""
    if not is_configured():
        raise LLMNotConfigured("OPENAI_API_KEY is not set")
    openai = await _sdk_loaded()
    client = get_client()
    kwargs: dict = {
        "model": model or settings.OPENAI_MODEL,
        "messages": messages,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    if tools:
        kwargs["tools"] = tools
    if temperature is not None:
        kwargs["temperature"] = temperature

    result = Completion(model=kwargs["model"])
    calls: dict[int, dict] = {}
    text_parts: list[str] = []
    try:
        # Chunks as plain dicts: `chat.completions.create` builds a pydantic model per chunk,
        # which was most of this process's CPU per streamed delta (~60% of the event loop with
        # 50 chats streaming). The same request otherwise (auth, retries, timeouts, SSE parsing,
        # status errors and `{"error": ...}` events raised by the SDK), just untyped results.
        stream = await client.post(
            "/chat/completions",
            body=kwargs,
            options={"security": {"bearer_auth": True}},
            cast_to=object,
            stream=True,
            stream_cls=openai.AsyncStream[object],
        )
        async with stream:
            async for chunk in stream:
                if not isinstance(chunk, dict):
                    continue
                if chunk.get("model"):
                    result.model = str(chunk["model"])
                usage = chunk.get("usage")
                if isinstance(usage, dict):
                    result.prompt_tokens = usage.get("prompt_tokens")
                    result.completion_tokens = usage.get("completion_tokens")
                for choice in chunk.get("choices") or ():
                    if not isinstance(choice, dict):
                        continue
                    delta = choice.get("delta")
                    if not isinstance(delta, dict):
                        delta = {}
                    content = delta.get("content")
                    if isinstance(content, str) and content:
                        content = _storable(content)
                        text_parts.append(content)
                        yield TextDelta(content)
                    for call in delta.get("tool_calls") or ():
                        if not isinstance(call, dict):
                            continue
                        slot = calls.setdefault(
                            call.get("index", 0), {"id": "", "name": "", "args": []}
                        )
                        if call.get("id"):
                            slot["id"] = str(call["id"])
                        function = call.get("function")
                        if not isinstance(function, dict):
                            function = {}
                        if isinstance(function.get("name"), str):
                            slot["name"] += _storable(function["name"])
                        if isinstance(function.get("arguments"), str):
                            slot["args"].append(_storable(function["arguments"]))
                    if choice.get("finish_reason"):
                        result.finish_reason = choice["finish_reason"]
    except openai.APITimeoutError as exc:
        MODEL_REQUESTS.labels(model=kwargs["model"], outcome="timeout").inc()
        raise LLMTimeout(str(exc)) from exc
    except openai.APIStatusError as exc:
        MODEL_REQUESTS.labels(model=kwargs["model"], outcome="error").inc()
        raise LLMUpstreamError(f"HTTP {exc.status_code}: {exc.message}") from exc
    except openai.OpenAIError as exc:
        MODEL_REQUESTS.labels(model=kwargs["model"], outcome="error").inc()
        raise LLMUpstreamError(str(exc) or exc.__class__.__name__) from exc
    # Labelled with the model asked for (a closed set), not the one the server names.
    MODEL_REQUESTS.labels(model=kwargs["model"], outcome="ok").inc()
    count_model_usage(
        model=kwargs["model"],
        prompt_tokens=result.prompt_tokens,
        completion_tokens=result.completion_tokens,
        prices=(
            settings.OPENAI_PRICE_PROMPT_PER_MILLION,
            settings.OPENAI_PRICE_COMPLETION_PER_MILLION,
        ),
    )

    result.text = "".join(text_parts)
    result.tool_calls = [
        ToolCallRequest(
            id=slot["id"] or f"call_{index}", name=slot["name"], arguments="".join(slot["args"])
        )
        for index, slot in sorted(calls.items())
    ]
    yield result


async def complete_text(*, messages: list[dict], model: str | None = None) -> Completion:
    """A whole answer without tools (e.g. a daily summary's prose), streamed under the hood."""
    completion = Completion()
    async for item in stream_chat(messages=messages, model=model):
        if isinstance(item, Completion):
            completion = item
    return completion
