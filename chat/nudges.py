"""Nudges you can answer: the writes of `chat.models.Nudge` (docs/assistant.md, "Nudges").

- `nudge_open`: ask by push and open the conversation whose first message is the question,
  in one transaction with the notification, or do neither (quiet hours, the daily cap, that
  kind of push turned off, no device, asked already): a conversation exists only for a
  question that was sent.
- `nudge_answer`: a button under the notification (`POST /api/v1/nudges/{id}/answer`).
- `nudge_settle`: an answer in the conversation, once the assistant's tool
  (`correct_timer`, and for goals `pause_goal` or `log_goal_progress`) has done it.
- `nudge_reply_without_model`: the conversation's reply when no model is configured: the
  grammar of chat/nudge_replies.py, acting through the same `correct_timer` tool.

A nudge is settled once: the first answer wins and later ones change nothing. Locks: the
user's row, then the nudge's row, then what the task services lock (the user's row again, the
task's), the order the tool path takes too (the tool's service locks the user, then the
settling locks the nudge), so a button and a chat answer arriving together queue up.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.locks import lock_user
from accounts.notifications import notification_create
from chat import nudge_replies, nudge_text, selectors, tools
from chat.errors import (
    AssistantUnavailable,
    NudgeActionNotOffered,
    NudgeNotFound,
    NudgeOutdated,
)
from chat.models import Conversation, Message, Nudge
from config.ids import parse_uuid
from tasks.models import Task
from tasks.services import task_correct_timer

# The buttons under each kind of notification (Expo categories, docs/push.md), as actions.
BUTTONS = {Nudge.Kind.STALE_TIMER: (Nudge.Answer.STOPPED, Nudge.Answer.CONTINUE)}
# What the assistant's tools settle, per kind: a successful call about the nudge's subject.
_GOAL_TOOLS = {"pause_goal": Nudge.Answer.PAUSED, "log_goal_progress": Nudge.Answer.PROGRESS}
SETTLING_TOOLS = frozenset({"correct_timer", *_GOAL_TOOLS})


def nudge_open(
    *,
    user,
    kind: str,
    key: str,
    title: str,
    question: str,
    push_data: dict,
    now: datetime,
    category: str = "",
    task: Task | None = None,
    goal=None,
    run_started_at: datetime | None = None,
    proposed_stopped_at: datetime | None = None,
):
    """Queue the push and open its conversation, or neither; answers what
    `notification_create` answered: (outcome, notification or None).

    The push's `data` names the conversation and the nudge (`screen: "conversation"`), so the
    app opens the question, and its buttons can answer it. Skips are not recorded (the key
    stays free): a timer still running after the quiet hours is asked about then."""
    nudge_id, conversation_id = uuid.uuid4(), uuid.uuid4()
    data = {
        **push_data,
        "screen": "conversation",
        "conversation_id": str(conversation_id),
        "nudge_id": str(nudge_id),
    }
    with transaction.atomic():
        outcome, notification = notification_create(
            user=user,
            kind=kind,
            dedupe_key=key,
            title=title,
            body=question,
            data=data,
            now=now,
            record_skips=False,
            category=category,
        )
        if outcome != "queued":
            return outcome, None
        conversation = Conversation.objects.create(id=conversation_id, user=user, title=title[:120])
        Message.objects.create(
            conversation=conversation, user=user, role=Message.Role.ASSISTANT, content=question
        )
        Nudge.objects.create(
            id=nudge_id,
            user=user,
            kind=kind,
            key=key[:200],
            task=task,
            goal=goal,
            conversation=conversation,
            question=question,
            asked_at=now,
            run_started_at=run_started_at,
            proposed_stopped_at=proposed_stopped_at,
        )
    return outcome, notification


def _locked_nudge(*, user, nudge_id) -> Nudge:
    pk = parse_uuid(nudge_id)
    nudge = None
    if pk is not None:
        nudge = (
            Nudge.objects.select_for_update(of=("self",))
            .select_related("task")
            .filter(pk=pk, user=user)
            .first()
        )
    if nudge is None:
        raise NudgeNotFound()
    return nudge


def nudge_answer(*, user, nudge_id, action: str, now: datetime | None = None) -> Nudge:
    """A button under the notification: `stopped` stops the timer at the time the question
    proposed (`task_correct_timer`), `continue` leaves it running. The conversation gets the
    answer and the reply, as if typed. A nudge already settled is returned as it is.

    404 for another user's nudge; 409 `nudge_action_not_offered` when the kind has no such
    button; 409 `nudge_outdated` when the timer was stopped or restarted since (nothing
    changes, the nudge stays open)."""
    with transaction.atomic():
        # User first, then the nudge: the order the tool path takes (module docstring).
        lock_user(user.pk)
        nudge = _locked_nudge(user=user, nudge_id=nudge_id)
        if nudge.is_answered:
            return nudge
        if action not in BUTTONS.get(nudge.kind, ()):
            raise NudgeActionNotOffered()
        now = now or timezone.now()
        task = nudge.task
        if action == Nudge.Answer.STOPPED:
            running_since = (
                Task.objects.filter(pk=task.pk, user=user)
                .values_list("running_since", flat=True)
                .first()
            )
            if running_since is None or running_since != nudge.run_started_at:
                raise NudgeOutdated()
            event = task_correct_timer(
                user=user,
                task=task,
                stopped_at=nudge.proposed_stopped_at,
                source="api",
                now=now,
            )
            nudge.stopped_at = event.segment_end
        _settle(nudge, answer=action, channel=Nudge.Channel.PUSH, now=now)
        if nudge.conversation_id is not None:
            _converse(
                nudge,
                said=nudge_text.button_text(
                    user=user, action=action, proposed=nudge.proposed_stopped_at
                ),
                reply=_confirmation(nudge, user=user),
            )
    return nudge


def _settle(nudge: Nudge, *, answer: str, channel: str, now: datetime) -> None:
    nudge.answer, nudge.answered_by, nudge.answered_at = answer, channel, now
    nudge.save(update_fields=["answer", "answered_by", "answered_at", "stopped_at"])


def _converse(nudge: Nudge, *, said: str, reply: str) -> None:
    user_message = Message.objects.create(
        conversation_id=nudge.conversation_id,
        user_id=nudge.user_id,
        role=Message.Role.USER,
        content=said,
    )
    answer = Message.objects.create(
        conversation_id=nudge.conversation_id,
        user_id=nudge.user_id,
        role=Message.Role.ASSISTANT,
        content=reply,
    )
    Conversation.objects.filter(pk=nudge.conversation_id).update(
        updated_at=max(user_message.created_at, answer.created_at)
    )


def _confirmation(nudge: Nudge, *, user) -> str:
    if nudge.answer == Nudge.Answer.STOPPED:
        return nudge_text.stopped_reply(
            user=user,
            task_title=nudge.task.title,
            stopped_at=nudge.stopped_at,
            seconds=int((nudge.stopped_at - nudge.run_started_at).total_seconds()),
        )
    return nudge_text.continue_reply(user=user, task_title=nudge.task.title)


def _argument(action: dict, name: str):
    arguments = action.get("arguments")
    return arguments.get(name) if isinstance(arguments, dict) else None


def _same_id(value, pk) -> bool:
    return pk is not None and parse_uuid(value) == pk


def nudge_settle(*, user, conversation_id, action: dict) -> Nudge | None:
    """Settle the conversation's open nudge if `action` (a tool the assistant ran in it)
    answered it: `correct_timer` on the nudge's task (stopped, or still working), or for a
    goal `pause_goal` / `log_goal_progress` on the nudge's goal. A failed call settles
    nothing. Runs in the tool's transaction, after it."""
    result = action.get("result")
    if not isinstance(result, dict) or "error" in result:
        return None
    nudge = (
        Nudge.objects.select_for_update(of=("self",))
        .filter(conversation_id=conversation_id, user=user, answered_at__isnull=True)
        .first()
    )
    if nudge is None:
        return None
    tool = action.get("tool")
    answer = None
    if nudge.kind == Nudge.Kind.STALE_TIMER and tool == "correct_timer":
        if _same_id(_argument(action, "task_id"), nudge.task_id):
            corrected = result.get("corrected")
            if corrected:
                nudge.stopped_at = datetime.fromisoformat(corrected["to"])
                answer = Nudge.Answer.STOPPED
            elif result.get("still_working"):
                answer = Nudge.Answer.CONTINUE
    elif nudge.kind == Nudge.Kind.GOAL_BEHIND_PACE and tool in _GOAL_TOOLS:
        if _same_id(_argument(action, "goal_id"), nudge.goal_id):
            answer = _GOAL_TOOLS[tool]
    if answer is None:
        return None
    _settle(nudge, answer=answer, channel=Nudge.Channel.CHAT, now=timezone.now())
    return nudge


@dataclass
class NudgeReply:
    text: str
    actions: list[dict] = field(default_factory=list)


def nudge_reply_without_model(*, user, conversation_id, content: str) -> NudgeReply:
    """The reply in a nudge's conversation when no model is configured; in any other
    conversation the assistant is unavailable, as before (503, the message kept)."""
    nudge = selectors.conversation_nudge(conversation_id=conversation_id)
    if nudge is None or nudge.user_id != user.pk:
        raise AssistantUnavailable()
    if nudge.kind != Nudge.Kind.STALE_TIMER:
        return NudgeReply(nudge_text.goal_without_model_reply(user=user))
    if nudge.is_answered:
        confirmation = _confirmation(nudge, user=user)
        return NudgeReply(nudge_text.settled_reply(user=user, confirmation=confirmation))
    reading = nudge_replies.read_reply(content, tz=user.tz, now=timezone.now())
    if reading.intent == nudge_replies.UNCLEAR:
        return NudgeReply(nudge_text.unclear_reply(user=user, proposed=nudge.proposed_stopped_at))
    if reading.intent == nudge_replies.NO:
        return NudgeReply(nudge_text.which_reply(user=user))
    task = nudge.task
    arguments: dict = {"task_id": str(task.pk)}
    if reading.intent == nudge_replies.STILL:
        arguments["still_working"] = True
    else:
        if task.running_since != nudge.run_started_at:
            return NudgeReply(nudge_text.outdated_reply(user=user, task_title=task.title))
        stopped_at = reading.stopped_at or nudge.proposed_stopped_at
        arguments["stopped_at"] = stopped_at.astimezone(user.tz).isoformat()
    # The assistant's own tool, as a model would call it: one implementation of the answer.
    with transaction.atomic():
        action = tools.run_tool(
            user=user, name="correct_timer", arguments=json.dumps(arguments, ensure_ascii=False)
        )
        settled = nudge_settle(user=user, conversation_id=conversation_id, action=action)
    if settled is not None:
        return NudgeReply(_confirmation(settled, user=user), [action])
    code = action["result"].get("error", {}).get("code")
    if code == "task_not_running":
        text = nudge_text.outdated_reply(user=user, task_title=task.title)
    elif code == "validation_error":
        text = nudge_text.bad_time_reply(user=user, started=nudge.run_started_at)
    else:
        text = nudge_text.unclear_reply(user=user, proposed=nudge.proposed_stopped_at)
    return NudgeReply(text, [action])
