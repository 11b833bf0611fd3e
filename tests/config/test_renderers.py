"""The orjson renderer writes what DRF's JSONRenderer wrote, for every type our responses hold."""

import json
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from config.renderers import ORJSONRenderer

SAMPLE = {
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "utc": datetime(2026, 12, 2, 9, 30, 15, 123456, tzinfo=UTC),
    "offset": datetime(2026, 12, 2, 9, 30, tzinfo=timezone(timedelta(hours=-6))),
    "day": date(2026, 12, 2),
    "amount": Decimal("7.50"),
    "lazy": gettext_lazy("Not found."),
    "text": "ñandú «x» \u2028 line separator \u2029",
    "nested": [{"n": 1, "f": 1.5, "none": None, "yes": True}],
    7: "an integer key",
}


def test_output_is_byte_for_byte_drfs():
    assert ORJSONRenderer().render(SAMPLE) == JSONRenderer().render(SAMPLE)


def test_line_separators_are_escaped_as_drf_does():
    out = ORJSONRenderer().render({"t": "a\u2028b\u2029c"})
    assert out == b'{"t":"a\\u2028b\\u2029c"}'
    assert json.loads(out) == {"t": "a\u2028b\u2029c"}


def test_integers_beyond_64_bits_fall_back_to_the_stdlib_encoder():
    assert ORJSONRenderer().render({"big": 2**70}) == b'{"big":1180591620717411303424}'


def test_indent_requests_are_pretty_printed_as_before():
    out = ORJSONRenderer().render({"a": 1}, "application/json; indent=2")
    assert out == JSONRenderer().render({"a": 1}, "application/json; indent=2")
    assert b"\n" in out


def test_no_data_renders_no_body():
    assert ORJSONRenderer().render(None) == b""
