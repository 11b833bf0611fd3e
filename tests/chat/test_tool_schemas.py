"""The tool definitions the model is sent are frozen in `tool_schemas.json`.

They are a contract (DESIGN.md "The assistant") and part of every request's prompt, so a change
to a name, a description, an argument or the order is a decision, not a side effect of moving
code. To change them on purpose, regenerate the file from `chat.tools.schemas()` and review
the diff:

    .venv/bin/python -c "import django, json; django.setup(); from chat import tools; \\
      print(json.dumps(tools.schemas(), ensure_ascii=False, indent=2))" \\
      > tests/chat/tool_schemas.json      # with DJANGO_SETTINGS_MODULE=config.settings
"""

import json
from pathlib import Path

import pytest

from chat import tools
from checkins import tools as checkin_tools
from goals import tools as goal_tools
from insights import tools as insight_tools
from memories import tools as memory_tools
from planning import tools as planning_tools
from summaries import tools as summary_tools
from tasks import tools as task_tools

FROZEN = Path(__file__).with_name("tool_schemas.json")


def test_the_tool_definitions_are_the_frozen_ones_to_the_byte():
    text = json.dumps(tools.schemas(), ensure_ascii=False, indent=2) + "\n"
    assert text == FROZEN.read_text(encoding="utf-8")


def test_every_app_tool_is_offered_once_under_its_own_name():
    declared = [
        tool.name
        for module in (
            task_tools,
            goal_tools,
            checkin_tools,
            summary_tools,
            insight_tools,
            memory_tools,
            planning_tools,
        )
        for tool in module.TOOLS
    ]
    assert len(declared) == len(set(declared))
    assert list(tools.TOOLS) == declared


@pytest.mark.django_db
def test_the_model_receives_the_frozen_definitions(say, fake_openai):
    fake_openai.add_text("hola")
    say("hola")
    sent = fake_openai.requests[0].tools  # as the SDK put them on the wire, keys in order
    assert json.dumps(sent) == json.dumps(json.loads(FROZEN.read_text(encoding="utf-8")))
