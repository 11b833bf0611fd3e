"""How many tool calls one turn of the assistant may run.

A model can ask for any number of calls in one round (100 `create_task`s is one response).
At most `ASSISTANT_MAX_TOOL_CALLS_PER_ROUND` of a round's calls run (in the order the model
listed them) and at most `ASSISTANT_MAX_TOOL_CALLS_PER_TURN` over the whole turn. A call past
either limit is not run: its result tells the model so (code `tool_call_limit`), because the
API wants an answer to every call and the model must not believe it happened. Once the turn's
allowance is spent the model is called once more without tools, to tell the user what was done
and what is left (as after the last allowed round).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

LIMIT_CODE = "tool_call_limit"


@dataclass
class ToolCallLimits:
    per_round: int
    per_turn: int
    run_in_turn: int = 0
    run_in_round: int = 0

    @classmethod
    def from_settings(cls) -> ToolCallLimits:
        return cls(
            per_round=max(1, int(settings.ASSISTANT_MAX_TOOL_CALLS_PER_ROUND)),
            per_turn=max(1, int(settings.ASSISTANT_MAX_TOOL_CALLS_PER_TURN)),
        )

    @property
    def turn_spent(self) -> bool:
        return self.run_in_turn >= self.per_turn

    def new_round(self) -> None:
        self.run_in_round = 0

    def count(self) -> None:
        self.run_in_turn += 1
        self.run_in_round += 1

    def refusal(self) -> dict | None:
        """The error the model gets instead of running the next call, or None to run it."""
        if self.turn_spent:
            return {
                "code": LIMIT_CODE,
                "message": _(
                    "Not run: this message has used all %(n)d tool calls allowed. Tell the user "
                    "what was done and what is left, and invite them to continue in a new "
                    "message."
                )
                % {"n": self.per_turn},
            }
        if self.run_in_round >= self.per_round:
            return {
                "code": LIMIT_CODE,
                "message": _(
                    "Not run: at most %(n)d tool calls are run per step. Call it again in the "
                    "next step if it is still needed."
                )
                % {"n": self.per_round},
            }
        return None


def round_limit_note() -> str:
    """Told to the model when the turn's rounds or calls are spent (its last, tool-less call)."""
    return _(
        "You have used all the tool rounds or tool calls allowed for this message. Do not "
        "call tools now: "
        "tell the user briefly what was done and what is left, and invite them to continue "
        "in a new message."
    )


def round_limit_reply() -> str:
    """The answer when a server still asks for tools after the last round."""
    return _(
        "I have reached the limit of steps I can take for one message. Tell me how to "
        "continue and I will pick it up from here."
    )
