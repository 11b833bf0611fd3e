"""The assistant's insights tool (how tools are written and run: `config/assistant_tools.py`)."""

from __future__ import annotations

from config.assistant_tools import Tool, plain, validated
from insights.selectors import insights
from insights.serializers import InsightsQuerySerializer, InsightsSerializer


def _without_messages(value):
    """The model reads `status`; the human sentence beside it is left out of its context."""
    if isinstance(value, dict):
        return {k: _without_messages(v) for k, v in value.items() if k != "message"}
    if isinstance(value, list):
        return [_without_messages(v) for v in value]
    return value


def get_insights(*, user, **arguments) -> dict:
    query = validated(InsightsQuerySerializer, arguments, user=user)
    result = insights(user=user, date_from=query["from"], date_to=query["to"])
    return {"insights": _without_messages(plain(InsightsSerializer(result).data))}


TOOLS = [
    Tool(
        "get_insights",
        "Figures computed from the user's own data over local days from..to (default the "
        "last 28 days): mood and energy against the categories worked on, the hour of day "
        "and the weekday; estimate accuracy (tracked / estimated time of completed tasks) per "
        "category; each active goal's pace and projected date. Every figure has its sample "
        "size n; status insufficient_data means too little data: say so, never guess.",
        {
            "from": {"type": "string", "description": "YYYY-MM-DD, first local day."},
            "to": {"type": "string", "description": "YYYY-MM-DD, last local day."},
        },
        (),
        get_insights,
    ),
]
