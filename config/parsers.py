"""JSON parsing that answers 400 (never 500) for malformed bodies and NUL characters."""

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


def contains_nul(value) -> bool:
    """True when any string (key or value) in a parsed JSON document holds U+0000.

    PostgreSQL cannot store NUL in text columns; rejecting it at the edge keeps such input a 400
    on every field, including JSON fields and query-like values no serializer looks at.
    """
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(contains_nul(v) for v in value)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            raw = stream.read() if stream is not None else b""
            data = json.loads(raw.decode(encoding), parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            # RecursionError: nesting deeper than the interpreter's stack ("[[[[..."), which
            # fits easily within the body limit and would otherwise be a 500.
            raise ParseError(_("The body is not valid JSON."), code="malformed_json") from exc
        if contains_nul(data):
            raise ParseError(_("Text may not contain NUL characters."), code="null_character")
        return data


def _reject_constant(name: str):
    # NaN and Infinity are not JSON; Python's parser accepts them unless told otherwise.
    raise ValueError(f"{name} is not valid JSON")
