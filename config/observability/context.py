"""The fields every log line of one unit of work carries: an HTTP request, a websocket turn, a
background job.

One context variable holds them all (a small dict, replaced, never changed in place), so each
asyncio task and each request thread sees its own, and a job or a turn started from a request
inherits the request's until it binds its own. `logs.ContextFilter` copies them onto every
record. Nothing secret is ever bound here: ids only.
"""

import re
import uuid
from contextvars import ContextVar, Token

_fields: ContextVar[dict[str, str] | None] = ContextVar("log_context", default=None)

# A request id from outside (Traefik, a client, a job row) is kept only when it is short and
# made of characters that cannot forge a log field or a header: letters, digits, `._:-`.
MAX_REQUEST_ID_LENGTH = 128
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*")


def new_request_id() -> str:
    return uuid.uuid4().hex


def safe_request_id(value) -> str | None:
    """`value` when it may be used as a request id as it is, else None."""
    if (
        isinstance(value, str)
        and 0 < len(value) <= MAX_REQUEST_ID_LENGTH
        and _SAFE_REQUEST_ID.fullmatch(value)
    ):
        return value
    return None


def edge_request_id(incoming) -> str:
    """The id of a request arriving from outside: the `X-Request-Id` it came with (Traefik
    passes on the client's) when that is safe to use, else a new one."""
    if isinstance(incoming, bytes):
        incoming = incoming.decode("latin-1")
    return safe_request_id(incoming) or new_request_id()


def start(**fields) -> Token:
    """Begin a unit of work with only these fields (None values left out); `reset()` with the
    token ends it and restores what was bound before."""
    return _fields.set({name: str(value) for name, value in fields.items() if value is not None})


def bind(**fields) -> None:
    """Add fields to the current unit of work (None leaves a field as it is)."""
    current = _fields.get() or {}
    added = {name: str(value) for name, value in fields.items() if value is not None}
    if added:
        _fields.set({**current, **added})


def reset(token: Token) -> None:
    _fields.reset(token)


def current() -> dict[str, str]:
    """The bound fields; the caller must not change the dict."""
    return _fields.get() or {}


def request_id() -> str | None:
    return current().get("request_id")
