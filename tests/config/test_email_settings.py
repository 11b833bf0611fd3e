"""Email settings from the environment (EMAIL_URL, the email_password secret), checked in a
fresh interpreter per case as tests/config/test_settings_env.py does."""

import json

from tests.config.test_settings_env import production, run

PRINT_MAILER = """
import json
from django.conf import settings as s
mailer = s.MAILERS["default"]
options = mailer["OPTIONS"]
print(json.dumps({
    "backend": mailer["BACKEND"],
    "options": {k: str(v) for k, v in options.items()},
    "shown": repr(s.MAILERS),
    "permissions": s.REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"],
}))
"""


def mailer(**env) -> dict:
    result = run(["-c", PRINT_MAILER], DJANGO_SETTINGS_MODULE="config.settings", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_email_url_mails_go_to_the_console():
    values = mailer()

    assert values["backend"] == "django.core.mail.backends.console.EmailBackend"


def test_in_production_without_email_url_mails_are_neither_sent_nor_printed():
    """A reset link printed on the console would sit in the container logs."""
    values = mailer(**production(EMAIL_URL=""))

    assert values["backend"] == "django.core.mail.backends.dummy.EmailBackend"


def test_email_url_with_the_password_from_a_secret_file(tmp_path):
    secret_file = tmp_path / "email_password"
    secret_file.write_text("s3cr3t-smtp-pass\n")

    values = mailer(
        **production(
            EMAIL_URL="smtp+tls://apikey@smtp.example.org:587",
            EMAIL_PASSWORD_FILE=str(secret_file),
        )
    )

    assert values["backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["options"]["host"] == "smtp.example.org"
    assert values["options"]["port"] == "587"
    assert values["options"]["username"] == "apikey"
    assert values["options"]["password"] == "s3cr3t-smtp-pass"
    assert values["options"]["use_tls"] == "True"
    assert "s3cr3t-smtp-pass" not in values["shown"]


def test_smtp_ssl_defaults_to_port_465():
    values = mailer(**production(EMAIL_URL="smtp+ssl://u:p@smtp.example.org"))

    assert (values["options"]["port"], values["options"]["use_ssl"]) == ("465", "True")
    assert "'p'" not in values["shown"]


def test_production_refuses_smtp_without_tls():
    result = run(["manage.py", "check"], **production(EMAIL_URL="smtp://smtp.example.org:25"))

    assert result.returncode != 0
    assert "EMAIL_URL must use TLS in production" in result.stderr


def test_a_password_in_the_url_and_in_the_secret_is_refused():
    result = run(
        ["manage.py", "check"],
        EMAIL_URL="smtp+tls://u:inurl@smtp.example.org:587",
        EMAIL_PASSWORD="insecret",
    )

    assert result.returncode != 0
    assert "keep the password in one place" in result.stderr


def test_verification_required_makes_the_verified_email_permission_the_default():
    assert mailer()["permissions"] == ["rest_framework.permissions.IsAuthenticated"]
    assert mailer(EMAIL_VERIFICATION_REQUIRED="true")["permissions"] == [
        "accounts.permissions.IsAuthenticatedWithVerifiedEmail"
    ]


def test_reset_urls_must_carry_uid_and_token():
    result = run(["manage.py", "check"], PASSWORD_RESET_URL="https://app.example.org/reset")

    assert result.returncode != 0
    assert "PASSWORD_RESET_URL must contain {uid} and {token}" in result.stderr
