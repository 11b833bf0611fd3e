"""Domain errors and the one exception handler that turns every error into the envelope

    {"error": {"code": "<stable_snake_case>", "message": "<text in the user's language>",
               "fields": {"<field>": ["..."]}}}

`fields` appears only for validation errors. Clients branch on `code`; `message` is for people.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from config.outage import DATABASE_ERRORS, RETRY_AFTER_SECONDS, UNAVAILABLE_MESSAGE, database_log

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule of the domain was broken. Subclasses set `status_code`, `code` and `message`."""

    status_code = status.HTTP_400_BAD_REQUEST
    code = "domain_error"
    message = gettext_lazy("The request cannot be carried out.")

    def __init__(self, message=None, *, code=None, status_code=None, fields=None):
        if message is not None:
            self.message = message
        if code is not None:
            self.code = code
        if status_code is not None:
            self.status_code = status_code
        self.fields = fields
        super().__init__(str(self.message))

    def as_dict(self) -> dict:
        """The envelope's inner object; also what the assistant's tools hand to the model."""
        body = {"code": self.code, "message": str(self.message)}
        if self.fields:
            body["fields"] = {k: [str(m) for m in v] for k, v in self.fields.items()}
        return body

    def headers(self) -> dict[str, str]:
        """HTTP headers the REST response carries besides the envelope."""
        return {}


class Conflict(DomainError):
    status_code = status.HTTP_409_CONFLICT
    code = "conflict"
    message = gettext_lazy("The request conflicts with the current state.")


class NotFound(DomainError):
    """Missing id, malformed id or another user's row: one answer for all three, so ids of
    other people's objects cannot be probed. Apps subclass it to name what was not found."""

    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"
    message = gettext_lazy("Not found.")


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"
    default_detail = gettext_lazy("The request body is too large.")


class ServiceUnavailable(exceptions.APIException):
    """A part the request needs (the database) is away: retry after `Retry-After` seconds.
    Distinct from a 500, so a client can tell an outage worth retrying from a bug."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "service_unavailable"
    default_detail = UNAVAILABLE_MESSAGE
    wait = RETRY_AFTER_SECONDS  # DRF's handler turns it into Retry-After


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    body = {"code": code, "message": str(message)}
    if fields:
        body["fields"] = fields
    return {"error": body}


def _flatten_fields(detail) -> dict:
    """DRF's nested error detail as {"field": ["msg", ...]}, nested fields joined with dots."""
    fields: dict[str, list[str]] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and value and not all(isinstance(v, str) for v in value):
            for index, inner in enumerate(value):
                walk(f"{prefix}.{index}" if prefix else str(index), inner)
        elif isinstance(value, list):
            fields.setdefault(prefix or "non_field_errors", []).extend(str(v) for v in value)
        else:
            fields.setdefault(prefix or "non_field_errors", []).append(str(value))

    walk("", detail)
    return fields


def _first_code(detail) -> str | None:
    if isinstance(detail, exceptions.ErrorDetail):
        return detail.code
    if isinstance(detail, dict):
        if isinstance(detail.get("code"), str):
            return detail["code"]
        for value in detail.values():
            found = _first_code(value)
            if found:
                return found
    if isinstance(detail, list):
        for value in detail:
            found = _first_code(value)
            if found:
                return found
    return None


def _simplejwt_message(detail: dict) -> str | None:
    messages = detail.get("messages")
    if isinstance(messages, list) and messages and isinstance(messages[0], dict):
        inner = messages[0].get("message")
        if inner:
            return str(inner)
    return None


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every error leaves as the envelope."""
    if isinstance(exc, DomainError):
        response = Response({"error": exc.as_dict()}, status=exc.status_code)
        for header, value in exc.headers().items():  # e.g. Retry-After on a 429
            response[header] = value
        if exc.status_code == status.HTTP_401_UNAUTHORIZED:
            # A 401 names the scheme to use (RFC 9110), as DRF does for its own 401s.
            response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, DATABASE_ERRORS):
        database_log.failed(exc)
        exc = ServiceUnavailable()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ServiceUnavailable):
        # Logged by config.outage a few lines per outage; Django would add an ERROR line for
        # every refused request.
        response._has_been_logged = True

    if isinstance(exc, exceptions.ValidationError):
        code = "validation_error"
        message = _("Invalid input.")
        fields = _flatten_fields(exc.detail)
        response.data = error_body(code, message, fields)
        return response

    detail = exc.detail if isinstance(exc, exceptions.APIException) else None
    code = getattr(exc, "default_code", "error")
    if isinstance(detail, dict):
        # simplejwt: {"detail": "Given token not valid for any token type",
        # "code": "token_not_valid", "messages": [{"token_class", "token_type", "message"}]}.
        # The per-class message ("Token is expired", "Token is invalid") is the useful one; the
        # token classes themselves are internals and stay out of the response.
        message = _simplejwt_message(detail) or str(detail.get("detail") or exc.default_detail)
        code = detail.get("code") or code
    elif isinstance(detail, list):
        message = " ".join(str(d) for d in detail)
        code = _first_code(detail) or code
    else:
        message = str(detail) if detail is not None else str(exc)
        code = getattr(detail, "code", None) or code
    response.data = error_body(str(code), message)
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        # Whole seconds, as in the Retry-After header: clients need not parse the message.
        response.data["error"]["retry_after"] = exc.wait
    return response


def json_error(status_code: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=status_code)


def service_unavailable_response() -> JsonResponse:
    """The 503 of a DRF view, for requests that fail outside DRF (config/middleware.py)."""
    response = json_error(503, ServiceUnavailable.default_code, str(UNAVAILABLE_MESSAGE))
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response._has_been_logged = True  # as in exception_handler
    return response
