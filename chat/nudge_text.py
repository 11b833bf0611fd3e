"""The words of nudges, in the person's language: the question the assistant asks first (the
push's body and the conversation's first message), the replies it gives without a model, and
what the model is told about the question it asked.

The question is always this template, model or no model: it carries a time the person is
asked to confirm and figures of their own, which must be exact, and it is written by a job
that should not wait on a model. The model takes over from the answer.
"""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from accounts.notifications import duration_text

TENTHS = Decimal("0.1")


def clock(moment: datetime, user) -> str:
    """ "18:10" on the person's clock."""
    return moment.astimezone(user.tz).strftime("%H:%M")


def number(value: Decimal) -> str:
    """A figure as a person writes it: 2.50 -> "2.5", 3.00 -> "3", 2.68 -> "2.7"."""
    value = Decimal(value).quantize(TENTHS, rounding=ROUND_HALF_UP)
    text = f"{value.normalize():f}"
    return text


def _period(period: str) -> str:
    return {"daily": _("today"), "weekly": _("this week"), "monthly": _("this month")}[period]


# --- the questions ---------------------------------------------------------------------------


def stale_timer_question(*, user, task_title: str, proposed: datetime, minutes: int) -> str:
    with translation.override(user.language):
        return _("Did you stop at %(time)s? “%(title)s” has been running for %(running)s.") % {
            "time": clock(proposed, user),
            "title": task_title[:120],
            "running": duration_text(minutes),
        }


def goal_behind_title(*, user, goal_title: str) -> str:
    with translation.override(user.language):
        return _("“%(title)s” is behind pace") % {"title": goal_title[:120]}


def goal_behind_question(*, user, goal, current: Decimal, asked: Decimal, expected: Decimal) -> str:
    """`asked`: what the period asks (the target, less a paused share)."""
    with translation.override(user.language):
        return _(
            "“%(title)s” is behind %(period)s: %(current)s of %(target)s %(unit)s so far, where "
            "an even pace would be at %(expected)s. Shall we pause it for a few days (illness, "
            "travel, rest), or do you want to log what you have done?"
        ) % {
            "title": goal.title[:120],
            "period": _period(goal.period),
            "current": number(current),
            "target": number(asked),
            "unit": goal.unit,
            "expected": number(expected),
        }


# --- answers without a model, and from the notification's buttons -----------------------------


def stopped_reply(*, user, task_title: str, stopped_at: datetime, seconds: int) -> str:
    with translation.override(user.language):
        return _("Done: “%(title)s” stopped at %(time)s; that stretch counts %(running)s.") % {
            "title": task_title[:120],
            "time": clock(stopped_at, user),
            "running": duration_text(seconds // 60),
        }


def continue_reply(*, user, task_title: str) -> str:
    with translation.override(user.language):
        return _("All right, the timer on “%(title)s” keeps running.") % {"title": task_title[:120]}


def settled_reply(*, user, confirmation: str) -> str:
    with translation.override(user.language):
        return _("That was already settled.") + " " + confirmation


def unclear_reply(*, user, proposed: datetime) -> str:
    with translation.override(user.language):
        return _(
            "I did not understand. Answer “yes” if you stopped at %(time)s, “still working” if "
            "you are still at it, or the time you stopped, such as 18:40."
        ) % {"time": clock(proposed, user)}


def which_reply(*, user) -> str:
    with translation.override(user.language):
        return _(
            "Are you still working, or did you stop at another time? Answer “still working” or "
            "the time, such as 18:40."
        )


def bad_time_reply(*, user, started: datetime) -> str:
    with translation.override(user.language):
        return _(
            "That time does not fit: it has to be after the timer started (%(time)s) and not in "
            "the future. Which time did you stop?"
        ) % {"time": clock(started, user)}


def outdated_reply(*, user, task_title: str) -> str:
    with translation.override(user.language):
        return _("The timer on “%(title)s” is no longer running, so I changed nothing.") % {
            "title": task_title[:120]
        }


def goal_without_model_reply(*, user) -> str:
    with translation.override(user.language):
        return _(
            "Without the assistant I cannot do that from here: log your progress or pause the "
            "goal on its screen."
        )


def button_text(*, user, action: str, proposed: datetime | None) -> str:
    """The person's answer as the conversation shows it when it came from a button."""
    with translation.override(user.language):
        if action == "stopped":
            return _("Yes, at %(time)s") % {"time": clock(proposed, user)}
        return _("Still working")


# --- what the model is told (inside the system prompt, already in the person's language) -----


def nudge_context(nudge, *, user) -> str:
    """The question this conversation opened with, what it is about and how to settle it."""
    opening = _(
        "You opened this conversation by asking the user, in a notification: %(question)s"
    ) % {"question": nudge.question}
    if nudge.kind == "stale_timer":
        about = _(
            "It is about the task “%(title)s” (id %(id)s), whose timer has run since %(since)s; "
            "the stop you suggested is %(proposed)s. If they confirm, call correct_timer with "
            "that stopped_at; if they give another time, call correct_timer with it; if they "
            "are still working, call correct_timer with still_working true."
        ) % {
            "title": nudge.task.title if nudge.task else "",
            "id": nudge.task_id,
            "since": nudge.run_started_at.astimezone(user.tz).isoformat(),
            "proposed": nudge.proposed_stopped_at.astimezone(user.tz).isoformat(),
        }
    else:
        about = _(
            "It is about the goal “%(title)s” (id %(id)s). Pause it (pause_goal) only after "
            "they say yes to a pause, never without; if they report progress, log it "
            "(log_goal_progress)."
        ) % {"title": nudge.goal.title if nudge.goal else "", "id": nudge.goal_id}
    if nudge.is_answered:
        state = _("They have answered it already (%(answer)s): do not settle it again.") % {
            "answer": nudge.get_answer_display()
        }
    else:
        state = _("They have not answered it yet.")
    return " ".join((opening, about, state))
