"""The assistant's tool registry: what the model may do with the user's data.

Names, arguments and results are a contract (DESIGN.md "The assistant"). Each app writes its
own tools in `<app>/tools.py` with the kit in `config/assistant_tools.py` (validation with the
REST endpoint's serializer, the same service with `source="assistant"`, only the requesting
user's rows). This module collects them in the order the model is offered them, checks a
call's arguments against the tool's declared properties, and runs it in a savepoint.
Problems are answered to the model as `{"error": {"code", "message", "fields"?}}` instead of
raising, so it can correct itself.
"""

from __future__ import annotations

import json
import logging

from django.db import transaction
from django.utils.translation import gettext as _

from checkins import tools as checkin_tools
from config.assistant_tools import Tool, ToolError
from config.exceptions import DomainError
from config.parsers import contains_lone_surrogate, contains_nul
from goals import tools as goal_tools
from insights import tools as insight_tools
from memories import tools as memory_tools
from planning import tools as planning_tools
from summaries import tools as summary_tools
from tasks import tools as task_tools

logger = logging.getLogger(__name__)

# The order is the contract's: the model sees the tools in this order.
_ALL = [
    *task_tools.TOOLS,
    *goal_tools.TOOLS,
    *checkin_tools.TOOLS,
    *summary_tools.TOOLS,
    *insight_tools.TOOLS,
    *memory_tools.TOOLS,
    *planning_tools.TOOLS,
]
TOOLS: dict[str, Tool] = {tool.name: tool for tool in _ALL}


def schemas() -> list[dict]:
    """The tool definitions sent to the model with every request."""
    return [tool.schema() for tool in TOOLS.values()]


def _arguments(tool: Tool, raw: str) -> dict:
    try:
        arguments = json.loads(raw) if raw and raw.strip() else {}
    except ValueError:
        raise ToolError("invalid_arguments", _("The arguments are not valid JSON.")) from None
    if contains_nul(arguments) or contains_lone_surrogate(arguments):
        # Escapes such as "\\u0000" or a lone "\\ud800": text no column can store.
        raise ToolError("invalid_arguments", _("The arguments are not valid JSON."))
    if not isinstance(arguments, dict):
        raise ToolError("invalid_arguments", _("The arguments must be a JSON object."))
    unknown = sorted(set(arguments) - set(tool.properties))
    missing = [name for name in tool.required if arguments.get(name) in (None, "")]
    fields = {name: [_("Unknown argument.")] for name in unknown}
    fields.update({name: [_("This argument is required.")] for name in missing})
    if fields:
        raise ToolError("invalid_arguments", _("Invalid arguments."), fields)
    return arguments


def run_tool(*, user, name: str, arguments: str) -> dict:
    """Run one tool call; always answers an action `{"tool", "arguments", "result"}`."""
    try:
        shown = json.loads(arguments) if arguments and arguments.strip() else {}
    except ValueError:
        shown = arguments
    if contains_nul(shown) or contains_lone_surrogate(shown):
        shown = arguments  # as written, escapes and all: decoded, it could not be stored
    tool = TOOLS.get(name)
    try:
        if tool is None:
            raise ToolError("unknown_tool", _("There is no tool called %(name)s.") % {"name": name})
        parsed = _arguments(tool, arguments)
        # A savepoint per call: a failed tool leaves nothing half-done behind.
        with transaction.atomic():
            result = tool.handler(user=user, **parsed)
    except ToolError as exc:
        result = {"error": exc.as_dict()}
    except DomainError as exc:
        result = {"error": exc.as_dict()}
    except Exception:
        logger.exception("assistant tool %s failed", name)
        result = {"error": {"code": "tool_failed", "message": _("The action failed.")}}
    return {"tool": name, "arguments": shown, "result": result}
