"""Password reset by mail: POST /auth/password/reset answers the same 202 for every address
and queues the mail; the worker sends it (here Django's SMTP backend to a local SMTP server,
the immediate task backend sending inside enqueue()); its link's token sets a new password
once and ends every session."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import tasks as jobs
from accounts.models import User
from accounts.tokens import password_reset_tokens, uid_for
from tests.accounts.conftest import STRONG_PASSWORD, error_of
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

RESET = "/api/v1/auth/password/reset"
CONFIRM = "/api/v1/auth/password/reset/confirm"


def ask_reset(email, client=None, **extra):
    return (client or APIClient()).post(RESET, {"email": email}, format="json", **extra)


def confirm(uid, token, new_password=STRONG_PASSWORD):
    body = {"uid": uid, "token": token, "new_password": new_password}
    return APIClient().post(CONFIRM, body, format="json")


def link_params(message) -> dict:
    query = parse_qs(urlsplit(message.link()).query)
    return {"uid": query["uid"][0], "token": query["token"][0]}


@pytest.fixture
def reset_mail(user, smtp_server, django_capture_on_commit_callbacks):
    """Ask for a reset of `user`'s password and answer the mail that arrives."""

    def ask():
        with django_capture_on_commit_callbacks(execute=True):
            assert ask_reset(user.email).status_code == 202
        [message] = smtp_server.to(user.email)
        return message

    return ask


@pytest.mark.parametrize(
    ("language", "subject", "greeting"),
    [("es", "Restablece tu contraseña", "Hola Ana:"), ("en", "Reset your password", "Hello Ana,")],
)
def test_the_reset_mail_arrives_in_the_users_language_as_text_and_html(
    user, reset_mail, settings, language, subject, greeting
):
    User.objects.filter(pk=user.pk).update(language=language)
    settings.PASSWORD_RESET_URL = "https://app.example.org/reset?uid={uid}&token={token}"

    message = reset_mail()

    assert message.subject == subject
    assert message.rcpt_tos == [user.email]
    assert message.mail_from in settings.DEFAULT_FROM_EMAIL
    assert message.text.startswith(greeting)
    assert greeting in message.html
    link = message.link()
    assert link.startswith("https://app.example.org/reset?uid=")
    assert link.replace("&", "&amp;") in message.html
    assert link_params(message)["uid"] == uid_for(user)


def test_the_links_token_sets_the_password_once(user, reset_mail, login):
    params = link_params(reset_mail())

    first = confirm(**params)
    again = confirm(**params, new_password="y otra clave distinta aun")

    assert first.status_code == 204
    assert again.status_code == 400
    assert error_of(again)["code"] == "invalid_reset_token"
    assert login(user.email, STRONG_PASSWORD).status_code == 200
    assert login(user.email, PASSWORD).status_code == 401


def test_an_expired_token_is_400_and_changes_nothing(user, reset_mail, settings, login):
    params = link_params(reset_mail())
    settings.PASSWORD_RESET_TIMEOUT = -1  # every token is past its lifetime

    response = confirm(**params)

    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_reset_token"
    assert login(user.email, PASSWORD).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"uid": "garbage", "token": "garbage"},
        {"uid": "", "token": ""},
        {"uid": "MTIz", "token": "abc-def"},
        {"uid": "\x00", "token": "x"},
        {"uid": 12, "token": ["x"]},
    ],
    ids=["garbage", "blank", "not-a-uuid", "nul", "wrong-types"],
)
def test_garbage_is_400_with_the_envelope(user, params):
    body = {**params, "new_password": STRONG_PASSWORD}
    response = APIClient().post(CONFIRM, body, format="json")

    assert response.status_code == 400
    # Bad shapes are refused by validation, well-formed nonsense by the token check.
    assert error_of(response)["code"] in {
        "invalid_reset_token",
        "validation_error",
        "null_character",
    }
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_token_for_another_user_does_not_work(user, other_user):
    token = password_reset_tokens.make_token(other_user)

    response = confirm(uid_for(user), token)

    assert error_of(response)["code"] == "invalid_reset_token"


def test_a_weak_new_password_is_400_on_the_field_and_the_link_still_works(user, reset_mail):
    params = link_params(reset_mail())

    weak = confirm(**params, new_password="123")

    assert weak.status_code == 400
    assert error_of(weak)["code"] == "validation_error"
    assert "new_password" in error_of(weak)["fields"]
    assert confirm(**params).status_code == 204


def test_a_login_after_the_mail_kills_the_link(user, reset_mail, login):
    params = link_params(reset_mail())
    assert login(user.email).status_code == 200  # the person remembered it

    assert error_of(confirm(**params))["code"] == "invalid_reset_token"


def test_the_reset_ends_every_session(user, tokens, reset_mail):
    params = link_params(reset_mail())

    assert confirm(**params).status_code == 204

    stale = APIClient()
    stale.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert stale.get("/api/v1/auth/me").status_code == 401
    refreshed = APIClient().post("/api/v1/auth/refresh", {"refresh": tokens["refresh"]})
    assert refreshed.status_code == 401


def test_the_reset_verifies_an_unverified_registration_address(user, reset_mail):
    assert user.email_verified_at is None

    assert confirm(**link_params(reset_mail())).status_code == 204

    user.refresh_from_db()
    assert user.email_verified_at is not None


# -- the same answer for every address --------------------------------------------------------
def test_known_and_unknown_addresses_get_the_same_answer(user, smtp_server):
    known = ask_reset(user.email, REMOTE_ADDR="10.0.0.1")
    unknown = ask_reset("nadie@example.com", REMOTE_ADDR="10.0.0.2")

    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json() == {"status": "queued"}
    assert known.headers.get("Content-Length") == unknown.headers.get("Content-Length")


def test_the_request_runs_the_same_statements_for_known_and_unknown_addresses(
    user, database_backend, django_capture_on_commit_callbacks
):
    """The request never looks the address up: the job does, on the worker. So the statements
    it runs (here: storing the job) are the same whatever the address, and it hashes nothing."""

    def statements(email, address):
        with CaptureQueriesContext(connection) as queries:
            with django_capture_on_commit_callbacks(execute=True):
                assert ask_reset(email, REMOTE_ADDR=address).status_code == 202
        return [q["sql"].split(" VALUES ")[0] for q in queries.captured_queries]

    known, unknown = statements(user.email, "10.0.0.1"), statements("nadie@x.org", "10.0.0.2")

    assert known == unknown
    assert not any('"users"' in sql for sql in known)


def test_with_the_database_backend_the_request_sends_nothing_and_queues_the_job(
    user, smtp_server, database_backend, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        assert ask_reset(user.email.upper()).status_code == 202

    assert smtp_server.messages == []
    [job] = DBTaskResult.objects.filter(task_path="accounts.tasks.send_password_reset")
    assert job.args_kwargs["kwargs"] == {"email": user.email}
    # The worker runs it: the mail goes out.
    assert jobs.send_password_reset.call(**job.args_kwargs["kwargs"]) == "sent"
    assert len(smtp_server.to(user.email)) == 1


def test_no_mail_for_an_unknown_or_deactivated_address(user, smtp_server):
    User.objects.filter(pk=user.pk).update(is_active=False)

    assert jobs.send_password_reset.call(email="nadie@example.com") == "no_account"
    assert jobs.send_password_reset.call(email=user.email) == "no_account"
    assert smtp_server.messages == []


def test_a_malformed_address_is_400(anon_client):
    response = ask_reset("not an address")

    assert response.status_code == 400
    assert "email" in error_of(response)["fields"]


# -- throttles ----------------------------------------------------------------------------------
def test_requests_are_throttled_per_address(user, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "password_reset_email": "2/hour"}

    answers = [ask_reset(user.email, REMOTE_ADDR=f"10.0.0.{n}").status_code for n in (1, 2, 3)]

    assert answers == [202, 202, 429]
    assert ask_reset("otra@example.com", REMOTE_ADDR="10.0.0.4").status_code == 202


def test_requests_are_throttled_per_network_an_ipv6_64_counting_as_one(settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "password_reset_ip": "2/hour"}
    addresses = ["2001:db8:1:2::1", "2001:db8:1:2::ffff", "2001:db8:1:2:abcd::9"]

    answers = [
        ask_reset(f"p{n}@example.com", REMOTE_ADDR=a).status_code for n, a in enumerate(addresses)
    ]

    assert answers == [202, 202, 429]
    assert (
        error_of(ask_reset("q@example.com", REMOTE_ADDR="2001:db8:1:2::7"))["code"] == "throttled"
    )
    assert ask_reset("q@example.com", REMOTE_ADDR="2001:db8:1:3::1").status_code == 202


def test_the_schema_documents_the_reset_endpoints(anon_client):
    schema = anon_client.get("/api/v1/schema", HTTP_ACCEPT="application/json").json()
    reset = schema["paths"]["/api/v1/auth/password/reset"]["post"]
    confirm_op = schema["paths"]["/api/v1/auth/password/reset/confirm"]["post"]

    assert set(reset["responses"]) >= {"202", "400", "429"}
    assert set(confirm_op["responses"]) >= {"204", "400", "429"}
    assert "invalid_reset_token" in confirm_op["responses"]["400"]["description"]


def test_verification_timestamps_are_untouched_by_a_reset_of_a_verified_address(user, reset_mail):
    verified_at = timezone.now().replace(microsecond=0)
    User.objects.filter(pk=user.pk).update(email_verified_at=verified_at)

    assert confirm(**link_params(reset_mail())).status_code == 204

    user.refresh_from_db()
    assert user.email_verified_at == verified_at
