"""The kit every app's assistant tools are written with (`<app>/tools.py`).

A tool is a `Tool`: a name, a description and JSON-schema properties (what the model is sent)
and a handler `handler(*, user, **arguments) -> dict`. The registry that offers the tools to the
model, checks the arguments against the properties and runs the handlers is `chat/tools.py`;
it lives above every app, so the apps' tool modules import this kit from `config/`, never from
`chat` (docs/architecture.md).

A handler validates its arguments with the serializer its REST endpoint uses (`validated`),
calls the same service with `source=SOURCE`, touches only the requesting user's rows (another
user's id is simply "not found"), and answers plain JSON values (`plain`). A problem is raised
as `ToolError` (or the app's `DomainError`); the registry answers it to the model as
`{"error": {"code", "message", "fields"?}}` so it can correct itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

SOURCE = "assistant"
# A list answer is cut here (newest first) so one call cannot flood the model's context.
LIST_LIMIT = 50


class ToolError(Exception):
    def __init__(self, code: str, message: str, fields: dict | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.fields = code, message, fields

    def as_dict(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return body


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    properties: dict
    required: tuple[str, ...]
    handler: Callable[..., dict]

    def schema(self) -> dict:
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": {
                    "type": "object",
                    "properties": self.properties,
                    "required": list(self.required),
                    "additionalProperties": False,
                },
            },
        }


def plain(data) -> dict:
    """Serializer output as plain JSON values (what the model and the frames get)."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def validated(serializer_class, data: dict, *, user, **kwargs) -> dict:
    serializer = serializer_class(data=data, context={"user": user}, **kwargs)
    if not serializer.is_valid():
        raise ToolError("validation_error", _("Invalid input."), _fields(serializer.errors))
    return serializer.validated_data


def _fields(errors) -> dict:
    if isinstance(errors, dict):
        return {
            key: [str(m) for m in value] if isinstance(value, list) else [str(value)]
            for key, value in errors.items()
        }
    return {"non_field_errors": [str(e) for e in errors]}
