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


def get_by_id(queryset, raw_id, not_found: type[Exception]):
    """The row of `queryset` (already scoped to the acting user) with id `raw_id`; a missing,
    malformed or someone else's id raises the same `not_found` (a 404)."""
    pk = parse_uuid(raw_id)
    if pk is None:
        raise not_found()
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist as exc:
        raise not_found() from exc
