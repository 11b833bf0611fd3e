"""Login failures are limited per client address and per email from one address, successes never
count; register is throttled per address and per email (429 with the envelope and retry_after)."""

import pytest

from tests.accounts.conftest import STRONG_PASSWORD, error_of

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login"
REGISTER = "/api/v1/auth/register"


@pytest.fixture
def rates(settings):
    def set_rates(**rates):
        settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, **rates}

    return set_rates


def attempt_login(client, email="ana@example.com", ip="203.0.113.5", **headers):
    return client.post(LOGIN, {"email": email, "password": "mal"}, REMOTE_ADDR=ip, **headers)


def test_login_failures_per_ip_answer_429_with_retry_after(user, anon_client, rates):
    rates(login_ip="3/min", login_email_ip="100/min")

    answers = [attempt_login(anon_client, email=f"u{i}@example.com") for i in range(4)]

    assert [r.status_code for r in answers] == [401, 401, 401, 429]
    throttled = answers[-1]
    error = error_of(throttled)
    assert error["code"] == "throttled"
    # A sliding window: the wait is within two windows of the rate, and said twice.
    assert 0 < error["retry_after"] <= 120
    assert int(throttled.headers["Retry-After"]) == error["retry_after"]


def test_login_failures_per_ip_do_not_affect_another_ip(user, anon_client, rates):
    rates(login_ip="2/min", login_email_ip="100/min")
    for _ in range(3):
        attempt_login(anon_client, ip="203.0.113.5")

    assert attempt_login(anon_client, ip="198.51.100.7").status_code == 401


def test_login_failures_per_email_count_per_address_so_a_victim_is_never_locked_out(
    user, anon_client, rates, login
):
    rates(login_ip="100/min", login_email_ip="2/min")

    answers = [
        attempt_login(anon_client, email="ana@example.com", ip="203.0.113.1"),
        attempt_login(anon_client, email="ANA@example.com", ip="203.0.113.1"),
        attempt_login(anon_client, email=" ana@EXAMPLE.com", ip="203.0.113.1"),
    ]

    assert [r.status_code for r in answers] == [401, 401, 429]
    # The attacker's address is stopped for that email; another email from it still counts
    # apart, and the owner, elsewhere, signs in.
    assert attempt_login(anon_client, email="otro@example.com", ip="203.0.113.1").status_code == 401
    assert login(user.email, REMOTE_ADDR="198.51.100.9").status_code == 200


def test_ten_successful_logins_in_a_row_are_never_throttled(user, anon_client, rates, login):
    rates(login_ip="2/min", login_email_ip="2/min")

    answers = [login(user.email, REMOTE_ADDR="203.0.113.5") for _ in range(10)]

    assert [r.status_code for r in answers] == [200] * 10
    # ...while failures from the same address are, at the limit.
    failures = [attempt_login(anon_client, ip="203.0.113.5") for _ in range(3)]
    assert [r.status_code for r in failures] == [401, 401, 429]


def test_login_throttle_also_stops_the_right_password(user, anon_client, rates):
    rates(login_ip="100/min", login_email_ip="1/min")
    attempt_login(anon_client)

    response = anon_client.post(
        LOGIN,
        {"email": "ana@example.com", "password": "correct horse battery staple"},
        REMOTE_ADDR="203.0.113.5",
    )

    assert response.status_code == 429


def test_register_per_ip_limit(anon_client, rates):
    rates(register_ip="2/min", register_email="100/min")

    answers = [
        anon_client.post(
            REGISTER,
            {"email": f"n{i}@example.com", "password": STRONG_PASSWORD},
            REMOTE_ADDR="203.0.113.9",
        )
        for i in range(3)
    ]

    assert [r.status_code for r in answers] == [201, 201, 429]
    assert error_of(answers[-1])["code"] == "throttled"
    assert "Retry-After" in answers[-1].headers


def test_register_per_email_limit(anon_client, rates):
    rates(register_ip="100/min", register_email="2/min")

    answers = [
        anon_client.post(
            REGISTER,
            {"email": "Mismo@example.com", "password": "123"},
            REMOTE_ADDR=f"203.0.113.{i}",
        )
        for i in range(3)
    ]

    assert [r.status_code for r in answers] == [400, 400, 429]


def test_throttled_message_is_in_the_request_language(user, anon_client, rates):
    rates(login_ip="1/min")
    attempt_login(anon_client)

    spanish = attempt_login(anon_client)
    english = attempt_login(anon_client, HTTP_ACCEPT_LANGUAGE="en")

    assert error_of(spanish)["message"].startswith("Solicitud fue regulada")
    assert error_of(english)["message"].startswith("Request was throttled")
