"""Typed access to the environment, with `<NAME>_FILE` for every secret (Docker secrets)."""

import os
from pathlib import Path
from urllib.parse import quote, unquote

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


class MaskedStr(str):
    """A string that must not be shown: `str()` and every use as a string are the value itself
    (redis-py sends it, django-crontask parses it), `repr()` is a mask, so a settings dump
    (`diffsettings`, Django's error page) or a `%r` in a log line shows no secret."""

    def __new__(cls, value: str, shown: str = "'********'"):
        masked = super().__new__(cls, value)
        masked._shown = shown
        return masked

    def __repr__(self) -> str:
        return self._shown

    def __reduce__(self):
        # copy/deepcopy (override_settings) and pickle keep the mask.
        return (MaskedStr, (str(self), self._shown))


def redis_connection(url: str | None, password: str | None) -> tuple[str | None, MaskedStr | None]:
    """REDIS_URL without a password, and the password to send.

    The password is `password` (REDIS_PASSWORD or REDIS_PASSWORD_FILE, the stack's Docker
    secret), or else the URL's own `redis://[user]:password@host` part, which is then taken out
    of the URL: every Redis client gets it as `password=` instead (a settings value named so
    is hidden by Django's error reports, and redis-py leaves it out of every repr). Both at
    once is refused (which one would be meant?). No URL: (None, None).
    """
    if not url:
        return None, None
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ImproperlyConfigured("REDIS_URL must be a URL such as redis://host:6379/0.")
    netloc, slash, path = rest.partition("/")
    userinfo, at, hostport = netloc.rpartition("@")
    if at:
        username, _, url_password = userinfo.partition(":")
        if url_password:
            if password:
                raise ImproperlyConfigured(
                    "REDIS_URL carries a password and REDIS_PASSWORD (or REDIS_PASSWORD_FILE)"
                    " is set too: keep the password in one place."
                )
            password = unquote(url_password)
        url = f"{scheme}://{username + '@' if username else ''}{hostport}{slash}{path}"
    return url, (MaskedStr(password) if password else None)


def url_with_password(url: str, password: str | None) -> str:
    """`url` with `password` put back in (percent-encoded), for a client that takes only a URL
    (django-crontask's lock). Its repr masks the password."""
    if not password:
        return url
    scheme, _, rest = url.partition("://")
    netloc, slash, path = rest.partition("/")
    username, _, hostport = netloc.rpartition("@")
    userinfo = f"{username}:{quote(password, safe='')}@"
    shown = f"{scheme}://{username}:********@{hostport}{slash}{path}"
    return MaskedStr(f"{scheme}://{userinfo}{hostport}{slash}{path}", repr(shown))
