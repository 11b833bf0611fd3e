"""Settings read from the environment, checked in a fresh interpreter per case (settings are
evaluated once per process): production refusals, `check --deploy`, `<NAME>_FILE` secrets."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = secrets.token_urlsafe(64)
JWT_KEY = secrets.token_urlsafe(48)

PRINT_SETTINGS = """
import json
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "secret_key": s.SECRET_KEY, "jwt_key": s.SIMPLE_JWT["SIGNING_KEY"],
    "access_seconds": s.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds(),
    "refresh_seconds": s.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"].total_seconds(),
    "db": {k: db.get(k) for k in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT")},
    "db_options": db.get("OPTIONS", {}),
    "channel_backend": s.CHANNEL_LAYERS["default"]["BACKEND"],
    "cache_backend": s.CACHES["default"]["BACKEND"],
    "redis_url": s.REDIS_URL,
    "ssl_redirect": getattr(s, "SECURE_SSL_REDIRECT", False),
    "proxy_ssl_header": getattr(s, "SECURE_PROXY_SSL_HEADER", None),
    "hsts": getattr(s, "SECURE_HSTS_SECONDS", 0),
    "debug": s.DEBUG,
}))
"""


def run(args, **env_changes):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "JWT_"))}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def production(**env):
    return {
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "JWT_SIGNING_KEY": JWT_KEY,
        "DJANGO_ALLOWED_HOSTS": "api.example.org",
        # Django's deploy check refuses a console mailer (mail.E001): production sends mail.
        "EMAIL_URL": "smtp+tls://agente@smtp.example.org:587",
        **env,
    }


def settings_in(**env) -> dict:
    result = run(["-c", PRINT_SETTINGS], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_in_production_passes_without_warnings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **production())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_turns_on_https_settings():
    values = settings_in(**production())

    assert values["ssl_redirect"] is True
    assert values["proxy_ssl_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["hsts"] >= 31536000
    assert values["debug"] is False


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DJANGO_SECRET_KEY", None),
        ("DJANGO_SECRET_KEY", ""),
        ("DJANGO_SECRET_KEY", "changeme"),
        ("DJANGO_SECRET_KEY", "django-insecure-" + "x" * 60),
        ("DJANGO_SECRET_KEY", "dev-only-secret-key-not-for-production-0123456789"),
        ("DJANGO_SECRET_KEY", "short-but-random-Zq8"),
        ("JWT_SIGNING_KEY", None),
        ("JWT_SIGNING_KEY", "secret"),
        ("JWT_SIGNING_KEY", "tooshort"),
    ],
)
def test_production_refuses_to_start_without_a_real_secret(name, value):
    result = run(["-c", "import config.settings"], **production(**{name: value}))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr


def test_production_refuses_debug():
    result = run(["-c", "import config.settings"], **production(DJANGO_DEBUG="true"))

    assert result.returncode != 0
    assert "DJANGO_DEBUG" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run(["-c", "import config.settings"], **production(DJANGO_ALLOWED_HOSTS=None))

    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_unknown_django_env_is_refused():
    result = run(["-c", "import config.settings"], DJANGO_ENV="staging")

    assert result.returncode != 0
    assert "DJANGO_ENV" in result.stderr


def test_secrets_are_read_from_file_variables(tmp_path):
    key_file = tmp_path / "django_secret_key"
    key_file.write_text(SECRET_KEY + "\n")
    jwt_file = tmp_path / "jwt_secret"
    jwt_file.write_text(JWT_KEY)

    values = settings_in(
        **production(
            DJANGO_SECRET_KEY=None,
            JWT_SIGNING_KEY=None,
            DJANGO_SECRET_KEY_FILE=str(key_file),
            JWT_SIGNING_KEY_FILE=str(jwt_file),
        )
    )

    assert values["secret_key"] == SECRET_KEY  # the trailing newline is stripped
    assert values["jwt_key"] == JWT_KEY


def test_file_variable_wins_over_the_plain_one(tmp_path):
    key_file = tmp_path / "django_secret_key"
    key_file.write_text(SECRET_KEY)

    values = settings_in(
        **production(DJANGO_SECRET_KEY="x" * 60, DJANGO_SECRET_KEY_FILE=str(key_file))
    )

    assert values["secret_key"] == SECRET_KEY


def test_unreadable_secret_file_is_a_configuration_error(tmp_path):
    result = run(
        ["manage.py", "check"],
        **production(DJANGO_SECRET_KEY_FILE=str(tmp_path / "missing")),
    )

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY_FILE" in result.stderr


def test_empty_secret_file_is_refused_in_production(tmp_path):
    empty = tmp_path / "empty"
    empty.write_text("\n")

    result = run(["-c", "import config.settings"], **production(DJANGO_SECRET_KEY_FILE=str(empty)))

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_database_password_file_is_merged_into_database_url(tmp_path):
    password_file = tmp_path / "db_password"
    password_file.write_text("s3cr3t/with:odd@chars\n")

    values = settings_in(
        DATABASE_URL="postgres://agente@postgres.internal:5433/agente",
        DATABASE_PASSWORD_FILE=str(password_file),
    )

    assert values["db"] == {
        "ENGINE": "config.db_postgresql",  # Django's, see config/db_postgresql/base.py
        "NAME": "agente",
        "USER": "agente",
        "PASSWORD": "s3cr3t/with:odd@chars",
        "HOST": "postgres.internal",
        "PORT": 5433,
    }


def test_database_password_variable_overrides_the_url_password():
    values = settings_in(
        DATABASE_URL="postgres://agente:old@db:5432/agente", DATABASE_PASSWORD="new-password"
    )

    assert values["db"]["PASSWORD"] == "new-password"


def test_postgres_connections_time_out_instead_of_hanging():
    values = settings_in(DATABASE_URL="postgres://agente@db:5432/agente")

    assert 0 < int(values["db_options"]["connect_timeout"]) <= 10


def test_sqlite_when_database_url_is_unset():
    values = settings_in()

    assert values["db"]["ENGINE"] == "django.db.backends.sqlite3"
    assert values["db"]["NAME"].endswith("db.sqlite3")


def test_redis_url_switches_channel_layer_and_cache(tmp_path):
    without = settings_in()
    url_file = tmp_path / "redis_url"
    url_file.write_text("redis://redis:6379/0")
    with_file = settings_in(REDIS_URL_FILE=str(url_file))

    assert without["channel_backend"] == "channels.layers.InMemoryChannelLayer"
    assert without["cache_backend"] == "django.core.cache.backends.locmem.LocMemCache"
    assert with_file["channel_backend"] == "channels_redis.core.RedisChannelLayer"
    assert with_file["cache_backend"] == "django.core.cache.backends.redis.RedisCache"
    assert with_file["redis_url"] == "redis://redis:6379/0"


def test_token_lifetimes_are_configurable():
    values = settings_in(JWT_ACCESS_MINUTES="5", JWT_REFRESH_DAYS="7")

    assert values["access_seconds"] == 5 * 60
    assert values["refresh_seconds"] == 7 * 86400


PRODUCTION_REQUESTS = """
import json, django
django.setup()
from django.test import Client
c = Client()
out = {}
out["plain_http"] = c.get("/api/v1/auth/me", HTTP_HOST="api.example.org").status_code
out["plain_http_location"] = c.get("/api/v1/auth/me", HTTP_HOST="api.example.org").get("Location")
r = c.get("/api/v1/auth/me", HTTP_HOST="api.example.org", HTTP_X_FORWARDED_PROTO="https")
out["https"] = r.status_code
out["hsts"] = r.get("Strict-Transport-Security")
out["health_docker"] = c.get("/health", HTTP_HOST="127.0.0.1:8000").status_code
out["health_body"] = c.get("/health", HTTP_HOST="127.0.0.1:8000").json()
out["bad_host"] = c.get("/api/v1/auth/me", HTTP_HOST="evil.example.com",
                        HTTP_X_FORWARDED_PROTO="https").status_code
print(json.dumps(out))
"""


def test_production_redirects_plain_http_but_not_health_probes():
    result = run(["-c", PRODUCTION_REQUESTS], **production())

    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["plain_http"] == 301
    assert out["plain_http_location"] == "https://api.example.org/api/v1/auth/me"
    assert out["https"] == 401
    assert out["hsts"].startswith("max-age=31536000")
    assert out["health_docker"] == 200
    assert out["health_body"]["environment"] == "production"
    assert out["bad_host"] == 400


def test_secrets_starting_with_a_dollar_are_taken_verbatim():
    """django-environ reads "$NAME" as a reference to another variable; secrets must not be."""
    key = "$" + SECRET_KEY
    values = settings_in(
        **production(DJANGO_SECRET_KEY=key),
        DATABASE_URL="postgres://agente@db:5432/agente",
        DATABASE_PASSWORD="$HOME-is-not-expanded",
    )

    assert values["secret_key"] == key
    assert values["db"]["PASSWORD"] == "$HOME-is-not-expanded"
