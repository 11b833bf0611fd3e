"""The assistant's check-in tool (how tools are written and run: `config/assistant_tools.py`)."""

from __future__ import annotations

from checkins import services as checkin_services
from checkins.serializers import CheckInCreateSerializer, CheckInSerializer
from config.assistant_tools import SOURCE, Tool, plain, validated


def create_check_in(*, user, **arguments) -> dict:
    data = validated(CheckInCreateSerializer, arguments, user=user)
    checkin = checkin_services.checkin_create(user=user, source=SOURCE, **data)
    return {"check_in": plain(CheckInSerializer(checkin).data)}


TOOLS = [
    Tool(
        "create_check_in",
        "Record how the user feels now: mood and energy from 1 (low) to 5 (high).",
        {
            "mood": {"type": "integer", "minimum": 1, "maximum": 5},
            "energy": {"type": "integer", "minimum": 1, "maximum": 5},
            "note": {"type": "string", "maxLength": 2000},
            "kind": {"type": "string", "enum": ["morning", "evening", "adhoc"]},
        },
        ("mood", "energy"),
        create_check_in,
    ),
]
