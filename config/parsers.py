"""JSON parsing that answers 400 (never 500) for malformed bodies, lone surrogates and NUL
characters."""

import json
import math
import re

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Far deeper than any request of this API needs; deeper documents are refused before anything
# (our checks, serializers, json.dumps in JSONField) walks them recursively and overflows.
MAX_JSON_DEPTH = 64

_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _strings(value):
    """Every string (keys and values) in a parsed JSON document, depth first. Iterative, so a
    deeply nested document cannot exhaust the stack."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def contains_nul(value) -> bool:
    """True when any string (key or value) in a parsed JSON document holds U+0000.

    PostgreSQL cannot store NUL in text columns; rejecting it at the edge keeps such input a 400
    on every field, including JSON fields and query-like values no serializer looks at.
    """
    return any("\x00" in text for text in _strings(value))


def contains_lone_surrogate(value) -> bool:
    """True when any string (key or value) holds a lone UTF-16 surrogate (U+D800..U+DFFF).

    JSON can spell one with an escape (`"\\ud800"`) although no UTF-8 text can carry it: it
    would fail later, wherever the string is encoded (an error message echoing it, a throttle's
    cache key, the database), as a 500. A paired escape (`"\\ud83d\\ude00"`) is already one
    code point here.
    """
    return any(_SURROGATE.search(text) for text in _strings(value))


def json_depth(value) -> int:
    """How many arrays/objects deep a parsed JSON document goes (a scalar is 0)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, depth)
            stack.extend((inner, depth + 1) for inner in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, depth)
            stack.extend((inner, depth + 1) for inner in item)
    return deepest


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            raw = stream.read() if stream is not None else b""
            data = json.loads(
                raw.decode(encoding), parse_constant=_reject_constant, parse_float=_finite_float
            )
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            # RecursionError: nesting deeper than the interpreter's stack ("[[[[..."), which
            # fits easily within the body limit and would otherwise be a 500.
            raise ParseError(_("The body is not valid JSON."), code="malformed_json") from exc
        if json_depth(data) > MAX_JSON_DEPTH:
            raise ParseError(_("The body is nested too deeply."), code="malformed_json")
        if contains_nul(data):
            raise ParseError(_("Text may not contain NUL characters."), code="null_character")
        if contains_lone_surrogate(data):
            # Not valid I-JSON (RFC 7493); the websocket refuses such frames the same way.
            raise ParseError(_("The body is not valid JSON."), code="malformed_json")
        return data


def _reject_constant(name: str):
    # NaN and Infinity are not JSON; Python's parser accepts them unless told otherwise.
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    # 1e400 parses as inf, which no column can store (PostgreSQL rejects it inside jsonb).
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of range")
    return value
