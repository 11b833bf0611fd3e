"""OpenAPI post-processing: the error envelope and the errors every operation can answer."""

import copy

ERROR_COMPONENT = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "Stable snake_case code."},
                "message": {"type": "string", "description": "Text in the user's language."},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    "description": "Per-field messages; only for validation errors.",
                },
                "retry_after": {
                    "type": "integer",
                    "description": "Seconds to wait before trying again; only for 429 throttled.",
                },
            },
        }
    },
}

COMMON_ERRORS = {
    "400": "Invalid input: validation_error (with fields), malformed_json, null_character.",
    "401": "Missing, invalid, expired or revoked access token: not_authenticated, token_not_valid.",
    "404": "Not found, or it belongs to another user; a page past the end or not a positive "
    "integer: not_found.",
    "405": "Method not allowed: method_not_allowed.",
    "413": "Request body too large: payload_too_large.",
    "415": "Unsupported content type: unsupported_media_type.",
    "429": "Too many requests: throttled (wait `error.retry_after` seconds, also Retry-After).",
}


# Every operation needs the database (the user's row, if nothing else).
SERVICE_UNAVAILABLE = (
    "The database is away (an outage or a restart): service_unavailable. Retry after the "
    "seconds in Retry-After; see docs/api-conventions.md."
)
RETRY_AFTER_HEADER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying (sent with service_unavailable).",
        "schema": {"type": "integer"},
    }
}


def _add_service_unavailable(responses: dict, ref: dict) -> None:
    existing = responses.get("503")
    if existing is None:
        responses["503"] = {
            "description": SERVICE_UNAVAILABLE,
            "headers": copy.deepcopy(RETRY_AFTER_HEADER),
            "content": {"application/json": {"schema": ref}},
        }
        return
    # An operation that has a 503 of its own (the assistant's assistant_unavailable).
    described = existing.get("description", "").rstrip(". ")
    existing["description"] = (
        f"{described}. Or `service_unavailable`: the database is away; retry after the "
        "seconds in Retry-After."
    )
    existing.setdefault("headers", {}).update(copy.deepcopy(RETRY_AFTER_HEADER))


def add_error_responses(result, generator, request, public):
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["ErrorEnvelope"] = ERROR_COMPONENT
    ref = {"$ref": "#/components/schemas/ErrorEnvelope"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status_code, description in COMMON_ERRORS.items():
                if status_code == "401" and operation.get("security") == [{}]:
                    continue
                if status_code == "404" and "{" not in path and not _is_paginated(operation):
                    continue
                if status_code in {"413", "415"} and method not in {"post", "put", "patch"}:
                    continue
                if (
                    status_code == "400"
                    and method in {"get", "delete"}
                    and "{" in path
                    and not _takes_query(operation)
                ):
                    continue
                responses.setdefault(
                    status_code,
                    {"description": description, "content": {"application/json": {"schema": ref}}},
                )
            _add_service_unavailable(responses, ref)
            for status_code, response in responses.items():
                # Errors a view describes itself (OpenApiResponse(description=...)) have the
                # envelope's shape too.
                if str(status_code)[0] in "45" and not response.get("content"):
                    response["content"] = {"application/json": {"schema": ref}}
    return result


def _is_paginated(operation: dict) -> bool:
    # A page past the end (or not a positive integer) is a 404 on any list, with or without an
    # id.
    return any(
        p.get("in") == "query" and p.get("name") == "page" for p in operation.get("parameters", [])
    )


def _takes_query(operation: dict) -> bool:
    # A query string can be refused (a NUL in it is 400 null_character), even on a GET by id.
    return any(p.get("in") == "query" for p in operation.get("parameters", []))


def canonical_paths(endpoints):
    """PREPROCESSING_HOOK: document each route once, in its canonical slash-less form.

    Routes match with and without a trailing slash (`/?`); drf-spectacular renders that
    optional slash as a literal one, so `/api/v1/auth/login/` would be documented while
    DESIGN.md and the examples use `/api/v1/auth/login`.
    """
    canonical = []
    for path, path_regex, method, callback in endpoints:
        if path != "/" and path.endswith("/"):
            path = path.rstrip("/")
        canonical.append((path, path_regex, method, callback))
    return canonical
