"""The assistant's summary tool (how tools are written and run: `config/assistant_tools.py`)."""

from __future__ import annotations

from config.assistant_tools import Tool, validated
from summaries.selectors import day_stats, summary_find
from summaries.serializers import SummaryDayQuerySerializer


def get_summary(*, user, date=None) -> dict:
    query = validated(SummaryDayQuerySerializer, {} if date is None else {"date": date}, user=user)
    day = query.get("date") or user.local_now().date()
    stored = summary_find(user=user, day=day)
    if stored is not None:
        extra = {"text": stored.text, "generated_at": stored.generated_at.isoformat()}
        return {"summary": {**stored.stats, "stored": True, **extra}}
    return {"summary": {**day_stats(user=user, day=day), "stored": False, "text": None}}


TOOLS = [
    Tool(
        "get_summary",
        "One day in the user's time zone (default today): its stored daily summary (text "
        "and figures) if there is one, otherwise the figures computed now: tasks created "
        "and completed, time tracked in total and per category, goal progress, check-ins, "
        "the running timer, and the 7 days before as a baseline.",
        {"date": {"type": "string", "description": "YYYY-MM-DD; default today."}},
        (),
        get_summary,
    ),
]
