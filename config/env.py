"""Typed access to the environment, with `<NAME>_FILE` for every secret (Docker secrets)."""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()

# Values that must never reach production: the development defaults and the usual placeholders.
INSECURE_SECRET_VALUES = frozenset(
    {"", "changeme", "change-me", "change_me", "secret", "insecure", "dev", "development"}
)


def secret(name: str, default: str | None = None) -> str | None:
    """Read a secret from `NAME_FILE` (a path, as Docker secrets are mounted) or `NAME`.

    The file wins when both are set, so a stack can override an image default. A `_FILE` that
    points nowhere is a configuration error, never a silent fallback.
    """
    file_path = env.str(f"{name}_FILE", default="")
    if file_path:
        try:
            return Path(file_path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE points to an unreadable file: {exc}") from exc
    # Read verbatim: django-environ would treat a value starting with "$" as a reference to
    # another variable, and random secrets and passwords may well start with "$".
    value = os.environ.get(name, "")
    return value or default


def required_secret(name: str, *, min_length: int = 32) -> str:
    """A secret production cannot run without: missing, placeholder or short ones are refused."""
    value = secret(name)
    if value is None or value.strip().lower() in INSECURE_SECRET_VALUES:
        raise ImproperlyConfigured(f"{name} (or {name}_FILE) must be set in production.")
    if value.startswith("django-insecure") or "insecure" in value.lower():
        raise ImproperlyConfigured(f"{name} is a development placeholder; set a real secret.")
    if len(value) < min_length:
        raise ImproperlyConfigured(f"{name} must be at least {min_length} characters long.")
    return value
