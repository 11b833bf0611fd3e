"""Ids from the outside world (paths, query strings, tool arguments)."""

import uuid


def parse_uuid(value) -> uuid.UUID | None:
    """`value` as a UUID, or None when it is not one: a malformed id is answered like a missing
    one (a 404, "unknown"), never a 500."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None
