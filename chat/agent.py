"""The agent loop shared by the REST endpoint and the websocket consumer.

One call of `run_turn` is one exchange: store the user's message, build the prompt, stream
the model, run the tools it asks for (several per round, at most `MAX_TOOL_ROUNDS` rounds),
and store the final answer with the actions the turn took and its token usage.

`emit` (optional) receives the websocket frames in order, as they happen:
`message.accepted`, `assistant.delta` per streamed fragment, `assistant.action` per tool run,
`assistant.done`. Failures raise `chat.errors` domain errors after the user's message (and any
tool action already done) is stored; a partial answer is only ever stored as `failed` or
`interrupted`, never as `complete`. If the task running the turn is cancelled, what was
completed is stored, the model's HTTP response is closed, and `CancelledError` propagates.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from contextlib import aclosing
from dataclasses import dataclass, field

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, transaction
from django.utils import translation

from chat import limits, nudges, prompt, selectors, services, tools
from chat.errors import (
    AssistantTimeout,
    AssistantTurnTimeout,
    AssistantUnavailable,
    AssistantUpstreamError,
)
from chat.limits import ToolCallLimits
from chat.models import Message
from chat.serializers import MessageSerializer
from config import llm
from config.exceptions import DomainError
from config.metrics.series import ASSISTANT_TURNS

logger = logging.getLogger(__name__)

MAX_TOOL_ROUNDS = 5
ROUND_SEPARATOR = "\n\n"

Emit = Callable[[dict], Awaitable[None]]


def _close_stale_connections() -> None:
    # What channels' database_sync_to_async does, except for a connection inside an atomic
    # block: closing it would break the caller's transaction (a test's, or a caller that
    # wraps the turn), and it is not stale anyway.
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


def database_sync_to_async(func, *, thread_sensitive: bool = True):
    """Run `func` in a thread, closing stale connections around it, as a long-lived consumer
    needs. Thread-sensitive by default: the request's own thread when called through
    async_to_sync from a sync view (its connection, its transaction). A websocket turn passes
    False: the process's thread pool (ASGI_THREADS, bounded by the psycopg pool), so 50 turns
    starting together do not queue on channels' one database thread. Each call still runs
    entirely in one thread, so a function's `atomic()` stays whole."""

    def run(*args, **kwargs):
        _close_stale_connections()
        try:
            return func(*args, **kwargs)
        finally:
            _close_stale_connections()

    return sync_to_async(run, thread_sensitive=thread_sensitive)


@dataclass
class TurnResult:
    conversation_id: str
    user_message: dict
    assistant_message: dict
    actions: list[dict] = field(default_factory=list)


def serialize_message(message: Message) -> dict:
    """Plain JSON values only (str ids, ISO datetimes): safe for a websocket frame."""
    data = MessageSerializer(message).data
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


async def _discard(frame: dict) -> None:
    return None


async def run_turn(
    *,
    user,
    content: str,
    conversation_id=None,
    source: str = "text",
    emit: Emit | None = None,
    thread_sensitive: bool = True,
) -> TurnResult:
    """`thread_sensitive=False` runs the turn's setup (store the message, build the prompt)
    on the thread pool (see `database_sync_to_async`): for callers without a thread of their
    own, the websocket. Everything after the model starts stays on the one thread-sensitive
    thread, whose order the cancellation path relies on: `_record_remains` must run after a
    tool or the final answer that was still saving, never beside it."""

    def setup_thread(func):
        return database_sync_to_async(func, thread_sensitive=thread_sensitive)

    with translation.override(user.language):
        # Refuses (nothing stored) over the daily budget or while the conversation is busy.
        user_message = await setup_thread(services.turn_start)(
            user=user, content=content, conversation_id=conversation_id, source=source
        )
        turn = None
        outcome = "error"  # agente_assistant_turns_total: complete, interrupted, or the code
        try:
            turn = _Turn(
                user=user,
                user_message=user_message,
                emit=emit if emit is not None else _discard,
                setup_thread=setup_thread,
            )
            await turn.send("message.accepted", message=turn.user_message_data)
            # No model: a nudge's conversation still takes its short answers (chat/nudges.py).
            result = await (turn.run() if llm.is_configured() else turn.run_without_model())
            outcome = "complete"
            return result
        except asyncio.CancelledError:
            outcome = "interrupted"
            raise
        except DomainError as exc:
            outcome = exc.code  # assistant_timeout, assistant_upstream_error, ...
            raise
        finally:
            ASSISTANT_TURNS.labels(source=source, outcome=outcome).inc()
            # Normally the final answer freed the conversation already (before `done`, so a
            # client may send its next message at once). Otherwise (a failure, a cancellation)
            # it is freed here, shielded so that a second cancellation cannot skip it.
            if turn is None or not turn.released:
                await asyncio.shield(
                    database_sync_to_async(services.turn_release)(
                        conversation_id=user_message.conversation_id,
                        token=user_message.conversation.turn_token,
                    )
                )


class _Turn:
    def __init__(self, *, user, user_message: Message, emit: Emit, setup_thread) -> None:
        self.setup_thread = setup_thread
        self.user = user
        self.user_message = user_message
        self.user_message_data = serialize_message(user_message)
        self.conversation_id = str(user_message.conversation_id)
        self.emit = emit
        self.text_parts: list[str] = []
        self.actions: list[dict] = []
        self.model = llm.model_name()
        self.prompt_tokens: int | None = None
        self.completion_tokens: int | None = None
        self.stored = False
        self.released = False
        self.limits = ToolCallLimits.from_settings()

    async def send(self, frame_type: str, **payload) -> None:
        await self.emit({"type": frame_type, "conversation_id": self.conversation_id, **payload})

    async def run(self) -> TurnResult:
        deadline = asyncio.timeout(float(settings.ASSISTANT_TURN_TIMEOUT_SECONDS))
        try:
            async with deadline:
                return await self._run()
        except TimeoutError:
            if not deadline.expired():
                raise
            # The whole turn's limit (each model request has its own, OPENAI_TIMEOUT_SECONDS).
            logger.warning("assistant turn over its time limit in %s", self.conversation_id)
            if not self.stored:
                await asyncio.shield(self._store_remains(Message.Status.FAILED))
            raise AssistantTurnTimeout() from None
        except asyncio.CancelledError:
            # The client went away: keep what was completed; the model stream is already
            # closed by leaving it. Shielded so a second cancellation cannot skip the save.
            if not self.stored:
                await asyncio.shield(self._store_remains(Message.Status.INTERRUPTED))
            raise
        except (AssistantTimeout, AssistantUpstreamError, AssistantUnavailable):
            if not self.stored:
                await self._store_remains(Message.Status.FAILED)
            raise
        except Exception:
            logger.exception("assistant turn failed in conversation %s", self.conversation_id)
            if not self.stored:
                await self._store_remains(Message.Status.FAILED)
            raise

    async def run_without_model(self) -> TurnResult:
        """A nudge's reply by a grammar, through the same tool; else 503 (chat/nudges.py)."""
        reply = await database_sync_to_async(nudges.nudge_reply_without_model)(
            user=self.user, conversation_id=self.conversation_id, content=self.user_message.content
        )
        self.model = ""  # a template, not a model's words
        for action in reply.actions:
            self.actions.append(action)
            await self.send("assistant.action", action=action)
        await self._say(reply.text)
        return await self._finish()

    async def _run(self) -> TurnResult:
        messages = await self.setup_thread(prompt.build_messages)(
            user=self.user, user_message=self.user_message
        )
        schemas = tools.schemas()
        for round_number in range(MAX_TOOL_ROUNDS + 1):
            offer_tools = round_number < MAX_TOOL_ROUNDS and not self.limits.turn_spent
            if not offer_tools:
                messages.append({"role": "system", "content": limits.round_limit_note()})
            completion = await self._stream(messages, schemas if offer_tools else None)
            if completion.tool_calls and offer_tools:
                await self._run_tools(completion, messages)
                continue
            if completion.tool_calls:
                # A server that ignores the missing `tools` and still asks: stop politely.
                await self._say(limits.round_limit_reply())
            break
        return await self._finish()

    async def _say(self, text: str) -> None:
        if self.text_parts and not self.text_parts[-1].endswith(ROUND_SEPARATOR):
            self.text_parts.append(ROUND_SEPARATOR)
            await self.send("assistant.delta", delta=ROUND_SEPARATOR)
        self.text_parts.append(text)
        await self.send("assistant.delta", delta=text)

    async def _stream(self, messages: list[dict], schemas: list[dict] | None) -> llm.Completion:
        completion = llm.Completion()
        started = False
        try:
            async with aclosing(llm.stream_chat(messages=messages, tools=schemas)) as stream:
                async for item in stream:
                    if isinstance(item, llm.Completion):
                        completion = item
                        continue
                    if not started and self.text_parts:
                        # A new round's text starts a new paragraph of the same answer.
                        self.text_parts.append(ROUND_SEPARATOR)
                        await self.send("assistant.delta", delta=ROUND_SEPARATOR)
                    started = True
                    self.text_parts.append(item.text)
                    await self.send("assistant.delta", delta=item.text)
        except llm.LLMTimeout as exc:
            logger.warning("assistant model timeout: %s", exc)
            raise AssistantTimeout() from None
        except llm.LLMUpstreamError as exc:
            logger.warning("assistant model error: %s", exc)
            raise AssistantUpstreamError() from None
        except llm.LLMNotConfigured:
            raise AssistantUnavailable() from None
        self.model = completion.model or self.model
        if completion.prompt_tokens is not None:
            self.prompt_tokens = (self.prompt_tokens or 0) + completion.prompt_tokens
        if completion.completion_tokens is not None:
            self.completion_tokens = (self.completion_tokens or 0) + completion.completion_tokens
        return completion

    async def _run_tools(self, completion: llm.Completion, messages: list[dict]) -> None:
        calls = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for call in completion.tool_calls
        ]
        await database_sync_to_async(services.tool_round_record)(
            user=self.user,
            conversation_id=self.conversation_id,
            content=completion.text,
            tool_calls=calls,
            model=completion.model or self.model,
            usage=(completion.prompt_tokens, completion.completion_tokens),
        )
        messages.append(
            {"role": "assistant", "content": completion.text or None, "tool_calls": calls}
        )
        self.limits.new_round()
        refused: list[tuple[llm.ToolCallRequest, dict]] = []
        for call in completion.tool_calls:
            refusal = self.limits.refusal()
            if refusal is not None:
                # Not run: the model reads why in the call's result (every call needs one).
                result = {"error": refusal}
                refused.append(
                    (call, {"tool": call.name, "arguments": call.arguments, "result": result})
                )
            else:
                self.limits.count()
                action = await database_sync_to_async(_run_tool_and_record)(
                    user=self.user, conversation_id=self.conversation_id, call=call
                )
                self.actions.append(action)
                result = action["result"]
                await self.send("assistant.action", action=action)
            messages.append(
                {
                    "role": "tool",
                    "tool_call_id": call.id,
                    "content": json.dumps(result, ensure_ascii=False),
                }
            )
        if refused:
            await database_sync_to_async(services.tool_results_refused)(
                user=self.user, conversation_id=self.conversation_id, refused=refused
            )

    async def _finish(self) -> TurnResult:
        answer = await database_sync_to_async(services.answer_record)(
            user=self.user,
            conversation_id=self.conversation_id,
            content="".join(self.text_parts),
            actions=self.actions,
            model=self.model,
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            turn_token=self.user_message.conversation.turn_token,
        )
        self.stored = self.released = True
        answer_data = serialize_message(answer)
        await self.send("assistant.done", message=answer_data)
        return TurnResult(
            conversation_id=self.conversation_id,
            user_message=self.user_message_data,
            assistant_message=answer_data,
            actions=self.actions,
        )

    async def _store_remains(self, status: str) -> None:
        """After a failure or a disconnect: keep the partial text and the actions already
        taken, marked `status` (never `complete`). Nothing is stored if nothing happened."""
        self.stored = True
        try:
            await database_sync_to_async(_record_remains)(
                user=self.user,
                user_message=self.user_message,
                content="".join(self.text_parts).strip(),
                status=status,
                model=self.model,
                prompt_tokens=self.prompt_tokens,
                completion_tokens=self.completion_tokens,
            )
        except Exception:
            logger.exception("could not store the remains of an assistant turn")


def _run_tool_and_record(*, user, conversation_id: str, call: llm.ToolCallRequest) -> dict:
    # One transaction for the tool's change and its record: the data never changes without
    # the conversation saying so (the realtime publish follows the commit).
    with transaction.atomic():
        action = tools.run_tool(user=user, name=call.name, arguments=call.arguments)
        services.tool_result_record(
            user=user, conversation_id=conversation_id, tool_call_id=call.id, action=action
        )
        if call.name in nudges.SETTLING_TOOLS:  # it may answer the question that opened it
            nudges.nudge_settle(user=user, conversation_id=conversation_id, action=action)
    return action


def _record_remains(
    *, user, user_message: Message, content: str, status: str, **usage
) -> Message | None:
    if selectors.turn_answered(conversation_id=user_message.conversation_id, since=user_message):
        # Cancelled while the final answer was being saved: its thread finished the job.
        return None
    # Read from the database, not memory: a tool that finished in its worker thread after
    # the cancellation still counts as done.
    actions = selectors.turn_actions(
        conversation_id=user_message.conversation_id, since=user_message
    )
    if not content and not actions:
        return None
    return services.answer_record(
        user=user,
        conversation_id=user_message.conversation_id,
        content=content,
        actions=actions,
        status=status,
        **usage,
    )
