"""Log lines: one JSON object per line in production, readable text on a laptop.

Every line has `time`, `level`, `role` (which process of the stack: http, ws, worker,
scheduler, migrate, manage), `logger` and `message`, then the fields of the unit of work it
belongs to (`context`: `request_id`, `user_id`, and for jobs and sockets their own ids), then
whatever the call passed as `extra` (the access line's `route`, `method`, `status`,
`duration_ms`). python-json-logger writes the JSON (with orjson); this module only adds the
context and decides which fields a line may carry.

What keeps secrets out of the lines: the code logs ids, never bodies, headers, tokens or
message text (tests/observability/test_no_secrets_in_logs.py runs a whole flow at DEBUG and
looks); the libraries that log request contents at DEBUG are held at a higher level whatever
LOG_LEVEL says (`PINNED_LEVELS`); and an `extra` value that is not a plain value (a request
object, say) is written as its type's name, never its repr.
"""

import logging
import os

from pythonjsonlogger.orjson import OrjsonFormatter

from config.observability import context

# The roles of deploy/docker-entrypoint.sh, which exports APP_ROLE; a process started without
# it (`make serve`, a `docker exec … manage.py` shell) is named by its server, else `manage`.
ROLES = {"http", "ws", "worker", "scheduler", "migrate", "manage"}


def process_role() -> str:
    role = os.environ.get("APP_ROLE", "")
    if role:
        return role
    return {"wsgi": "http", "asgi": "ws"}.get(os.environ.get("APP_SERVER", ""), "manage")


# Loggers held at these levels whatever LOG_LEVEL is: at DEBUG they would write what may never
# be logged, or drown the rest.
PINNED_LEVELS = {
    # The vendor SDKs and their HTTP clients: openai 3.x sends through httpx2, which logs
    # every request line at INFO, and the transports log each step, response headers included,
    # at DEBUG. The SDK's own retries are INFO.
    "openai": "INFO",
    "httpx": "WARNING",
    "httpx2": "WARNING",
    "httpcore": "WARNING",
    "httpcore2": "WARNING",
    # Errors are logged by django.request; its 4xx warnings would repeat the access line.
    "django.request": "ERROR",
    # The scheduler (manage.py crontask) logs two lines per lock renewal, every 5 s; the jobs
    # log their own line when the worker runs them.
    "apscheduler": "WARNING",
}


class ContextFilter(logging.Filter):
    """Puts the role and the unit of work's fields on every record that passes a handler. A
    field the call set itself (`extra={"user_id": ...}`) wins."""

    def __init__(self, role: str = ""):
        super().__init__()
        self.role = role or process_role()

    def filter(self, record: logging.LogRecord) -> bool:
        record.role = self.role
        for name, value in context.current().items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


def _plain(value):
    """orjson's fallback for an `extra` value it cannot write: the type's name only (a repr
    could carry a request's query string or a model's fields)."""
    return f"<{type(value).__name__}>"


class JsonFormatter(OrjsonFormatter):
    """`{"time", "level", "role", "logger", "message", ...context, ...extra}` on one line;
    a traceback goes into `exc_info` as one string."""

    def __init__(self):
        super().__init__(
            ["levelname", "role", "name", "message"],
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
            json_default=_plain,
        )

    def process_log_record(self, log_data):
        # The time first (a person reading `docker service logs` scans down that column), the
        # ids that join lines across roles next, then the rest.
        first = {"time": log_data.pop("time")}
        for name in ("level", "role", "logger", "message", "request_id", "user_id"):
            if name in log_data:
                first[name] = log_data.pop(name)
        return {**first, **log_data}


# Fields the text format shows after the message, when a line has them.
TEXT_FIELDS = ("request_id", "user_id", "job_id", "connection_id")


class TextFormatter(logging.Formatter):
    """`2026-11-05 10:00:00,123 INFO http tasks.services message request_id=… user_id=…`."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(role)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "role"):
            record.role = "-"
        line = super().format(record)
        fields = " ".join(
            f"{name}={getattr(record, name)}" for name in TEXT_FIELDS if hasattr(record, name)
        )
        if not fields:
            return line
        # After the message's first line, so a traceback stays below it.
        first, newline, rest = line.partition("\n")
        return f"{first} {fields}{newline}{rest}"


def logging_config(*, log_format: str, level: str, role: str) -> dict:
    """settings.LOGGING: every line to stderr through one handler, in `log_format`."""
    formatter = "json" if log_format == "json" else "text"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": ContextFilter, "role": role}},
        "formatters": {"json": {"()": JsonFormatter}, "text": {"()": TextFormatter}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": formatter,
                "filters": ["context"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {name: {"level": pinned} for name, pinned in PINNED_LEVELS.items()},
    }
