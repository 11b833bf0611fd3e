"""Login failures are limited per client network (an IPv6 /64, an IPv4 address), per email from
one network and per email from networks it has not signed in from lately; successes never count;
register is throttled per network and per email (429 with the envelope and retry_after)."""

import time

import pytest
from django.contrib.auth.signals import user_login_failed

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


# -- networks, and the limit per account across networks ----------------------------------------
def test_forty_wrong_passwords_from_one_ipv6_64_meet_429s(user, anon_client):
    """The attack of issue 22: one email, one password each from 40 addresses of one /64, with
    the default rates. A /64 is one subscriber's, so it counts as one client."""
    answers = [
        attempt_login(anon_client, email=user.email, ip=f"2001:db8:1:2::{i:x}") for i in range(40)
    ]

    codes = [r.status_code for r in answers]
    assert set(codes) == {401, 429}
    assert codes.count(401) <= 10  # THROTTLE_LOGIN_EMAIL_IP: 10 per email and network
    assert codes[codes.index(429) :] == [429] * (40 - codes.index(429))


def test_ipv6_networks_are_counted_apart_and_addresses_within_one_together(anon_client, rates):
    rates(login_ip="2/min", login_email_ip=None, login_email=None)

    same_64 = [
        attempt_login(anon_client, email=f"u{i}@example.com", ip=f"2001:db8:aa:1:{i}::9")
        for i in range(3)
    ]
    next_64 = attempt_login(anon_client, ip="2001:db8:aa:2::9")

    assert [r.status_code for r in same_64] == [401, 401, 429]
    assert next_64.status_code == 401


def test_ipv4_addresses_are_counted_one_by_one(anon_client, rates):
    rates(login_ip="1/min", login_email_ip=None, login_email=None)

    answers = [attempt_login(anon_client, ip=f"198.51.100.{i}") for i in range(1, 4)]

    assert [r.status_code for r in answers] == [401, 401, 401]


def test_the_limit_per_account_stops_guesses_from_many_networks(user, anon_client, rates):
    rates(login_email="5/15min")

    answers = [
        attempt_login(anon_client, email=user.email, ip=f"2001:db8:{i:x}::1") for i in range(40)
    ]
    other_email = attempt_login(anon_client, email="otra@example.com", ip="2001:db8:ff::1")

    assert [r.status_code for r in answers] == [401] * 5 + [429] * 35
    error = error_of(answers[-1])
    assert error["code"] == "throttled"
    # Short: within two windows of the rate, and in the header too.
    assert 0 < error["retry_after"] <= 2 * 15 * 60
    assert int(answers[-1].headers["Retry-After"]) == error["retry_after"]
    assert other_email.status_code == 401


def test_a_refused_attempt_checks_no_password(user, anon_client, rates):
    rates(login_email="3/15min")
    checked = []

    def count(**kwargs):
        checked.append(kwargs)

    user_login_failed.connect(count)
    try:
        answers = [
            attempt_login(anon_client, email=user.email, ip=f"203.0.113.{i}") for i in range(10)
        ]
    finally:
        user_login_failed.disconnect(count)

    assert [r.status_code for r in answers] == [401] * 3 + [429] * 7
    assert len(checked) == 3  # Django's authenticate() ran (and hashed) only for the 401s


def test_the_owner_signs_in_from_a_known_network_while_the_account_limit_is_full(
    user, anon_client, rates, login
):
    rates(login_email="3/15min")
    assert login(user.email, REMOTE_ADDR="2001:db8:cafe:1::10").status_code == 200
    for i in range(10):
        attempt_login(anon_client, email=user.email, ip=f"198.51.100.{i}")

    # Another address of the owner's /64 (a phone's privacy address changes): still theirs.
    at_home = login(user.email, REMOTE_ADDR="2001:db8:cafe:1::77")
    elsewhere = login(user.email, REMOTE_ADDR="2001:db8:beef:1::10")

    assert at_home.status_code == 200
    assert elsewhere.status_code == 429
    assert error_of(elsewhere)["retry_after"] <= 2 * 15 * 60


def test_a_known_network_still_meets_its_own_limits(user, anon_client, rates, login):
    rates(login_email="3/15min", login_email_ip="2/15min")
    assert login(user.email, REMOTE_ADDR="203.0.113.70").status_code == 200

    answers = [attempt_login(anon_client, email=user.email, ip="203.0.113.70") for _ in range(3)]

    assert [r.status_code for r in answers] == [401, 401, 429]


def test_the_account_limit_lets_the_owner_in_once_its_window_has_passed(
    user, anon_client, rates, login
):
    rates(login_email="2/1second")
    for i in range(4):
        attempt_login(anon_client, email=user.email, ip=f"198.51.100.{i}")
    refused = login(user.email, REMOTE_ADDR="2001:db8:beef:1::10")
    assert refused.status_code == 429

    time.sleep(2.05)  # two windows: the sliding estimate has let every failure go

    assert login(user.email, REMOTE_ADDR="2001:db8:beef:1::10").status_code == 200
