"""JSON rendering with orjson: the same bytes clients got from DRF's JSONRenderer, faster.

DRF's renderer runs the stdlib encoder with a Python `default` hook; on a page of 20 tasks it
costs about as much as the database. orjson writes the same compact UTF-8 JSON in C. What orjson
does not know (lazy translations, Decimal, date-times in DRF's "Z" form) goes through DRF's own
encoder hook, so the output is what it was; anything orjson refuses (integers over 64 bits, a
pretty-print request through `indent`) falls back to DRF's renderer.
"""

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
_default = JSONEncoder().default
# DRF escapes these two so that the JSON is also valid JavaScript; so do we.
_LINE_SEPARATOR = "\u2028".encode()
_PARAGRAPH_SEPARATOR = "\u2029".encode()


def dumps(data) -> bytes:
    """`data` as compact JSON bytes, with DRF's encoding of the types JSON lacks."""
    return _escape_separators(orjson.dumps(data, default=_default, option=_OPTIONS))


def _escape_separators(out: bytes) -> bytes:
    if _LINE_SEPARATOR in out or _PARAGRAPH_SEPARATOR in out:
        out = out.replace(_LINE_SEPARATOR, b"\\u2028").replace(_PARAGRAPH_SEPARATOR, b"\\u2029")
    return out


class ORJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}) is None:
            try:
                return dumps(data)
            except orjson.JSONEncodeError:
                pass  # e.g. an integer beyond 64 bits: the stdlib encoder takes any size
        return super().render(data, accepted_media_type, renderer_context)
