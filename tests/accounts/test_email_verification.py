"""Email verification: a mail with a confirmation link at registration (sent by the worker,
here over SMTP to a local server), `email_verified` on /me, POST /auth/email/verify with the
link's uid and token, a throttled resend; a changed address is unverified again and gets no
reset mail until it is verified."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts import tasks as jobs
from accounts.models import User
from accounts.tokens import email_verification_tokens, uid_for
from tests.accounts.conftest import STRONG_PASSWORD, error_of

pytestmark = pytest.mark.django_db

VERIFY = "/api/v1/auth/email/verify"
RESEND = "/api/v1/auth/email/verify/resend"


def link_params(message) -> dict:
    query = parse_qs(urlsplit(message.link()).query)
    return {"uid": query["uid"][0], "token": query["token"][0]}


def verify(params):
    return APIClient().post(VERIFY, params, format="json")


def register(email="nueva@example.com", language="es"):
    body = {"email": email, "password": STRONG_PASSWORD, "name": "Nueva", "language": language}
    return APIClient().post("/api/v1/auth/register", body, format="json")


@pytest.mark.parametrize(
    ("language", "subject", "greeting"),
    [
        ("es", "Confirma tu dirección de email", "Hola Nueva:"),
        ("en", "Confirm your email address", "Hello Nueva,"),
    ],
)
def test_registration_sends_the_confirmation_mail(
    smtp_server, settings, django_capture_on_commit_callbacks, language, subject, greeting
):
    settings.EMAIL_VERIFY_URL = "https://app.example.org/verify?uid={uid}&token={token}"

    with django_capture_on_commit_callbacks(execute=True):
        response = register(language=language)

    assert response.status_code == 201
    assert response.json()["user"]["email_verified"] is False
    assert response.json()["user"]["email_verified_at"] is None
    [message] = smtp_server.to("nueva@example.com")
    assert message.subject == subject
    assert message.text.startswith(greeting)
    assert message.link().startswith("https://app.example.org/verify?uid=")
    assert message.link().replace("&", "&amp;") in message.html


def test_the_links_token_verifies_the_address_once(smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        access = register().json()["access"]
    params = link_params(smtp_server.to("nueva@example.com")[0])

    first = verify(params)
    again = verify(params)

    assert first.status_code == 200
    assert first.json()["email_verified"] is True
    assert again.status_code == 400
    assert error_of(again)["code"] == "invalid_verification_token"
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    body = me.get("/api/v1/auth/me").json()
    assert body["email_verified"] is True
    assert body["email_verified_at"] is not None


@pytest.mark.parametrize(
    "params",
    [
        {"uid": "x", "token": "y"},
        {"uid": "", "token": ""},
        {"token": "y"},
        {"uid": [1], "token": 2},
    ],
)
def test_garbage_is_400_with_the_envelope_and_changes_nothing(user, params):
    response = verify(params)

    assert response.status_code == 400
    assert error_of(response)["code"] in {"invalid_verification_token", "validation_error"}
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_an_expired_link_is_400(user, settings):
    params = {"uid": uid_for(user), "token": email_verification_tokens.make_token(user)}
    settings.EMAIL_VERIFY_TIMEOUT = -1

    assert error_of(verify(params))["code"] == "invalid_verification_token"


def test_a_reset_token_is_no_verification_token(user):
    from accounts.tokens import password_reset_tokens

    params = {"uid": uid_for(user), "token": password_reset_tokens.make_token(user)}

    assert error_of(verify(params))["code"] == "invalid_verification_token"


# -- resend ---------------------------------------------------------------------------------
def test_resend_mails_a_new_link_and_is_throttled_per_user(
    user, api_client, smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "email_verify_resend_user": "2/hour"}

    with django_capture_on_commit_callbacks(execute=True):
        answers = [api_client.post(RESEND) for _ in range(3)]

    assert [a.status_code for a in answers] == [202, 202, 429]
    assert answers[0].json() == {"status": "queued"}
    assert error_of(answers[2])["code"] == "throttled"
    assert len(smtp_server.to(user.email)) == 2
    assert verify(link_params(smtp_server.to(user.email)[-1])).status_code == 200


def test_resend_for_a_verified_address_is_409(user, api_client, smtp_server):
    User.objects.filter(pk=user.pk).update(email_verified_at="2026-01-01T00:00:00Z")

    response = api_client.post(RESEND)

    assert response.status_code == 409
    assert error_of(response)["code"] == "email_already_verified"
    assert smtp_server.messages == []


def test_resend_needs_authentication(anon_client):
    assert anon_client.post(RESEND).status_code == 401


def test_with_the_database_backend_registration_sends_nothing_itself(
    smtp_server, database_backend, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        user_id = register().json()["user"]["id"]

    assert smtp_server.messages == []
    [job] = DBTaskResult.objects.filter(task_path="accounts.tasks.send_email_verification")
    assert job.args_kwargs["kwargs"] == {"user_id": user_id}
    assert jobs.send_email_verification.call(user_id=user_id) == "sent"
    assert len(smtp_server.to("nueva@example.com")) == 1


# -- a changed address ------------------------------------------------------------------------
def change_email(user, new_email):
    """As the admin does: a plain save of the loaded row."""
    loaded = User.objects.get(pk=user.pk)
    loaded.email = new_email
    loaded.save()
    return loaded


def ask_reset(email):
    return APIClient().post("/api/v1/auth/password/reset", {"email": email}, format="json")


def test_a_changed_address_is_unverified_and_gets_no_reset_mail_until_verified(
    user, api_client, smtp_server, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=user.pk).update(email_verified_at="2026-01-01T00:00:00Z")
    old_link = {"uid": uid_for(user), "token": email_verification_tokens.make_token(user)}

    change_email(user, "nuevo@example.com")
    me = api_client.get("/api/v1/auth/me").json()
    assert (me["email"], me["email_verified"]) == ("nuevo@example.com", False)

    with django_capture_on_commit_callbacks(execute=True):
        assert ask_reset("nuevo@example.com").status_code == 202
    assert smtp_server.messages == []
    assert jobs.send_password_reset.call(email="nuevo@example.com") == "unverified"
    # A link made for the old address does not verify the new one.
    assert error_of(verify(old_link))["code"] == "invalid_verification_token"

    with django_capture_on_commit_callbacks(execute=True):
        assert api_client.post(RESEND).status_code == 202
    [confirmation] = smtp_server.to("nuevo@example.com")
    assert verify(link_params(confirmation)).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        assert ask_reset("nuevo@example.com").status_code == 202
    assert len(smtp_server.to("nuevo@example.com")) == 2
    assert "password" in smtp_server.to("nuevo@example.com")[-1].subject.lower() or (
        "contraseña" in smtp_server.to("nuevo@example.com")[-1].subject
    )


def test_saves_that_keep_the_address_keep_the_verification(user):
    User.objects.filter(pk=user.pk).update(email_verified_at="2026-01-01T00:00:00Z")
    loaded = User.objects.get(pk=user.pk)
    loaded.name = "Otro nombre"
    loaded.save()
    loaded.email = loaded.email.upper()  # the same address, as the admin may type it
    loaded.email = loaded.email.lower()
    loaded.save(update_fields=["email", "name"])

    loaded.refresh_from_db()
    assert loaded.email_verified and loaded.email_changed_at is None


def test_me_cannot_change_the_address(user, api_client):
    response = api_client.patch("/api/v1/auth/me", {"email": "otra@example.com"}, format="json")

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.email == "ana@example.com"


# -- EMAIL_VERIFICATION_REQUIRED ----------------------------------------------------------------
def test_by_default_an_unverified_account_uses_the_app(user, api_client):
    assert api_client.get("/api/v1/tasks").status_code == 200


def test_when_required_an_unverified_account_may_only_use_the_auth_endpoints(
    user, api_client, monkeypatch
):
    """EMAIL_VERIFICATION_REQUIRED=true makes this the default permission (config/settings.py);
    views take the default when their class is made, so the test sets it where they read it."""
    from rest_framework.views import APIView

    from accounts.permissions import IsAuthenticatedWithVerifiedEmail

    monkeypatch.setattr(APIView, "permission_classes", [IsAuthenticatedWithVerifiedEmail])

    refused = api_client.get("/api/v1/tasks")

    assert refused.status_code == 403
    assert error_of(refused)["code"] == "email_not_verified"
    assert api_client.get("/api/v1/auth/me").status_code == 200
    User.objects.filter(pk=user.pk).update(email_verified_at="2026-01-01T00:00:00Z")
    assert api_client.get("/api/v1/tasks").status_code == 200


def test_the_schema_documents_the_verification_endpoints(anon_client):
    schema = anon_client.get("/api/v1/schema", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]

    assert set(paths["/api/v1/auth/email/verify"]["post"]["responses"]) >= {"200", "400", "429"}
    assert set(paths["/api/v1/auth/email/verify/resend"]["post"]["responses"]) >= {
        "202",
        "409",
        "429",
    }
    user_schema = schema["components"]["schemas"]["User"]["properties"]
    assert user_schema["email_verified"]["readOnly"] is True


@pytest.mark.django_db(transaction=True)
def test_existing_users_are_verified_by_the_migration(user):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0005_account_deletions_and_admin_access_log")])
    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0006_user_email_verification")])

    assert User.objects.get(pk=user.pk).email_verified_at is not None
    call_command("migrate", verbosity=0)
