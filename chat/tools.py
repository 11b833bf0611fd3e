"""The assistant's tools (placeholder registry; filled in as the domain apps land)."""

import json


def schemas() -> list[dict]:
    return []


def run_tool(*, user, name: str, arguments: str) -> dict:
    try:
        parsed = json.loads(arguments or "{}")
    except ValueError:
        parsed = arguments
    return {
        "tool": name,
        "arguments": parsed,
        "result": {"error": {"code": "unknown_tool", "message": f"There is no tool {name!r}."}},
    }
