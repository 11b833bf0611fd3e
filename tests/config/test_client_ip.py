"""Throttles key on the client's address: REMOTE_ADDR unless the proxies in front are trusted.

Forwarded headers are honoured only as configured: X-Forwarded-For with TRUSTED_PROXY_COUNT
(the client is the N-th address from the right), CF-Connecting-IP only with
TRUST_CF_CONNECTING_IP. Tested through the real login throttle (1 attempt per address).
"""

import pytest
from django.test import RequestFactory

from config.client_ip import address_network, client_ip

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login"


@pytest.fixture(autouse=True)
def one_login_per_address(settings):
    settings.THROTTLE_RATES = {
        **settings.THROTTLE_RATES,
        "login_ip": "1/min",
        "login_email_ip": None,
        "login_email": None,
    }


def attempt(client, remote="10.0.0.2", **headers):
    body = {"email": "nadie@example.com", "password": "x"}
    return client.post(LOGIN, body, REMOTE_ADDR=remote, **headers).status_code


def test_forwarded_headers_are_ignored_without_trusted_proxies(anon_client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.TRUST_CF_CONNECTING_IP = False

    first = attempt(anon_client, HTTP_X_FORWARDED_FOR="198.51.100.1")
    forged_xff = attempt(anon_client, HTTP_X_FORWARDED_FOR="198.51.100.2")
    forged_cf = attempt(anon_client, HTTP_CF_CONNECTING_IP="198.51.100.3")

    assert (first, forged_xff, forged_cf) == (401, 429, 429)


def test_one_trusted_proxy_uses_the_last_forwarded_address(anon_client, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    first = attempt(anon_client, HTTP_X_FORWARDED_FOR="203.0.113.1")
    same_client_forging_more = attempt(anon_client, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.1")
    other_client = attempt(anon_client, HTTP_X_FORWARDED_FOR="203.0.113.2")

    assert (first, same_client_forging_more, other_client) == (401, 429, 401)


def test_two_trusted_proxies_use_the_second_address_from_the_right(anon_client, settings):
    """Cloudflare -> Traefik: "<forged>, <client>, <cloudflare edge>"."""
    settings.TRUSTED_PROXY_COUNT = 2

    first = attempt(anon_client, HTTP_X_FORWARDED_FOR="203.0.113.7, 172.64.0.1")
    via_other_edge = attempt(anon_client, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7, 172.64.0.9")
    other_client = attempt(anon_client, HTTP_X_FORWARDED_FOR="203.0.113.8, 172.64.0.1")

    assert (first, via_other_edge, other_client) == (401, 429, 401)


def test_cf_connecting_ip_is_used_only_when_trusted(anon_client, settings):
    settings.TRUST_CF_CONNECTING_IP = True

    first = attempt(anon_client, HTTP_CF_CONNECTING_IP="203.0.113.50")
    same = attempt(anon_client, remote="10.0.0.3", HTTP_CF_CONNECTING_IP="203.0.113.50")
    other = attempt(anon_client, HTTP_CF_CONNECTING_IP="203.0.113.51")

    assert (first, same, other) == (401, 429, 401)


@pytest.mark.parametrize(
    ("count", "trust_cf", "headers", "expected"),
    [
        (0, False, {"HTTP_X_FORWARDED_FOR": "1.1.1.1"}, "10.0.0.2"),
        (1, False, {"HTTP_X_FORWARDED_FOR": "1.1.1.1, 2.2.2.2"}, "2.2.2.2"),
        (2, False, {"HTTP_X_FORWARDED_FOR": "1.1.1.1, 2.2.2.2, 3.3.3.3"}, "2.2.2.2"),
        (2, False, {"HTTP_X_FORWARDED_FOR": " 2.2.2.2 ,3.3.3.3 "}, "2.2.2.2"),
        (3, False, {"HTTP_X_FORWARDED_FOR": "2.2.2.2"}, "2.2.2.2"),
        (1, False, {"HTTP_X_FORWARDED_FOR": ""}, "10.0.0.2"),
        (1, False, {}, "10.0.0.2"),
        (0, False, {"HTTP_CF_CONNECTING_IP": "4.4.4.4"}, "10.0.0.2"),
        (0, True, {"HTTP_CF_CONNECTING_IP": " 4.4.4.4 "}, "4.4.4.4"),
        (1, True, {"HTTP_X_FORWARDED_FOR": "2.2.2.2"}, "2.2.2.2"),
    ],
)
def test_client_ip_resolution(settings, count, trust_cf, headers, expected):
    settings.TRUSTED_PROXY_COUNT = count
    settings.TRUST_CF_CONNECTING_IP = trust_cf
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", **headers)

    assert client_ip(request.META) == expected


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.7", "203.0.113.7"),  # IPv4: each address counts alone
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::1", "2001:db8:1:2::/64"),
        ("[2001:db8:1:2::1]", "2001:db8:1:2::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),  # IPv4-mapped: the IPv4 address
        ("unknown", "unknown"),
    ],
)
def test_throttles_count_an_ipv6_client_by_its_64_and_an_ipv4_client_by_its_address(
    address, network
):
    assert address_network(address) == network


def test_forwarded_ipv6_clients_of_one_64_share_a_counter(anon_client, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    first = attempt(anon_client, HTTP_X_FORWARDED_FOR="2001:db8:5:6::1")
    same_64 = attempt(anon_client, HTTP_X_FORWARDED_FOR="2001:db8:5:6:ffff::2")
    next_64 = attempt(anon_client, HTTP_X_FORWARDED_FOR="2001:db8:5:7::1")

    assert (first, same_64, next_64) == (401, 429, 401)
