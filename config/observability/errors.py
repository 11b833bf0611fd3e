"""Errors to Sentry, when SENTRY_DSN is set (off by default), from every role: settings call
`init_sentry`, and every role loads the settings (http, ws, worker, scheduler, and manage.py
commands too).

sentry-sdk's Django integration reports an exception a view raised; its logging integration
reports every ERROR line (a job that failed in the worker, a websocket turn that crashed),
with the INFO lines before it as breadcrumbs. What an event may carry is decided here, not left
to the defaults of the day:

- no personal data: `send_default_pii=False` (no cookies, no user, no client address, the
  Authorization header filtered), no request bodies (`max_request_body_size="never"`), no local
  variables of the stack frames (they hold passwords, tokens and message text);
- `before_send` keeps of the user only the id, tags the event with the role and the ids of its
  unit of work (request id, job id) so it can be matched with the log lines, and replaces
  anything that looks like an email address, wherever in the event it is.
"""

import re

from config.observability import context

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
EMAIL_REPLACEMENT = "[email]"
TAGGED_FIELDS = ("request_id", "job_id", "connection_id")

_role = ""


def init_sentry(*, dsn: str | None, role: str, environment: str) -> bool:
    """Turn Sentry on for this process when `dsn` is set; True when it did."""
    global _role
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    _role = role
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        # Django (and the SDK's defaults: logging, threads, uncaught exceptions); not the
        # integrations it would add for whatever else is installed (the openai SDK's records
        # prompts when allowed), so that what is sent is decided here.
        integrations=[DjangoIntegration()],
        auto_enabling_integrations=False,
        # Outbound calls (the model, Deepgram, Expo) get no Sentry trace headers.
        trace_propagation_targets=[],
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        before_send=before_send,
    )
    return True


def before_send(event: dict, hint: dict) -> dict:
    fields = context.current()
    tags = event.get("tags")
    if not isinstance(tags, dict):
        tags = event["tags"] = {}
    if _role:
        tags["role"] = _role
    for name in TAGGED_FIELDS:
        if name in fields:
            tags[name] = fields[name]
    user = event.get("user") if isinstance(event.get("user"), dict) else {}
    user_id = fields.get("user_id") or user.get("id")
    event["user"] = {"id": str(user_id)} if user_id else {}
    request = event.get("request")
    if isinstance(request, dict):
        for name in ("data", "cookies", "env"):
            request.pop(name, None)
    return _without_emails(event)


def _without_emails(value):
    if isinstance(value, str):
        return EMAIL.sub(EMAIL_REPLACEMENT, value) if "@" in value else value
    if isinstance(value, dict):
        return {key: _without_emails(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_without_emails(item) for item in value]
    return value
