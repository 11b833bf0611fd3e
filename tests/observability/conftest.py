"""Log lines as production writes them (the settings' logging config in JSON), captured."""

import io
import json
import logging
import logging.config

import pytest
from django.conf import settings

from config.observability.logs import logging_config
from tests.fakes.openai_server import fake_openai  # noqa: F401  (pytest fixture)
from tests.ws.fixtures import token  # noqa: F401  (pytest fixture)


class CapturedLines:
    def __init__(self, stream: io.StringIO):
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    @property
    def lines(self) -> list[dict]:
        """Every line, parsed: each must be one JSON object."""
        return [json.loads(line) for line in self.text.splitlines()]

    def where(self, **fields) -> list[dict]:
        return [
            line
            for line in self.lines
            if all(line.get(name) == value for name, value in fields.items())
        ]


def capture(level: str, role: str = "http") -> CapturedLines:
    stream = io.StringIO()
    logging.config.dictConfig(logging_config(log_format="json", level=level, role=role))
    for handler in logging.getLogger().handlers:
        handler.setStream(stream)
    return CapturedLines(stream)


@pytest.fixture
def json_logs():
    """Every line of the test, at INFO, in the production format."""
    yield capture("INFO")
    logging.config.dictConfig(settings.LOGGING)


@pytest.fixture
def debug_json_logs():
    """Every line of the test, at DEBUG (what LOG_LEVEL=DEBUG would write)."""
    yield capture("DEBUG")
    logging.config.dictConfig(settings.LOGGING)
