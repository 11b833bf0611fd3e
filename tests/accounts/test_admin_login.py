"""The admin's public login form: failures limited per address and per email, successes never
counted, and the cost of many parallel attempts bounded (Argon2 takes 100 MiB per hash)."""

import re
import threading
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from config import settings as project_settings
from tests.config.test_shutdown import free_port, server_env, start, wait_until_healthy
from tests.conftest import PASSWORD

URL = "/admin/login/"


@pytest.fixture
def staff(make_user):
    return make_user(email="staff@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def rates(settings):
    def set_rates(**rates):
        settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, **rates}

    return set_rates


def admin_login(client, email, password="mal", ip="203.0.113.5"):
    return client.post(URL, {"username": email, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_admin_login_failures_per_address_get_429_with_retry_after(client, staff, rates):
    rates(admin_login_ip="3/min", admin_login_email="100/min")

    answers = [admin_login(client, f"u{i}@example.com") for i in range(4)]

    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert 0 < int(answers[-1]["Retry-After"]) <= 120
    # Another address is not affected.
    assert admin_login(client, "x@example.com", ip="198.51.100.7").status_code == 200


@pytest.mark.django_db
def test_admin_login_failures_count_an_ipv6_64_as_one_client(client, staff, rates):
    rates(admin_login_ip="3/min", admin_login_email="100/min")

    answers = [admin_login(client, f"u{i}@example.com", ip=f"2001:db8:9:9::{i}") for i in range(4)]

    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert admin_login(client, "x@example.com", ip="2001:db8:9:a::1").status_code == 200


@pytest.mark.django_db
def test_admin_login_failures_per_email_span_addresses(client, staff, rates):
    rates(admin_login_ip="100/min", admin_login_email="2/min")

    answers = [admin_login(client, staff.email, ip=f"203.0.113.{i}") for i in range(3)]

    assert [r.status_code for r in answers] == [200, 200, 429]
    assert admin_login(client, "otro@example.com", ip="203.0.113.9").status_code == 200


@pytest.mark.django_db
def test_admin_logins_that_succeed_are_never_counted(client, staff, rates):
    rates(admin_login_ip="2/min", admin_login_email="2/min")

    for _ in range(10):
        response = admin_login(client, staff.email, PASSWORD)
        assert response.status_code == 302
        client.logout()


@pytest.mark.django_db
def test_admin_login_page_itself_is_not_throttled(client, rates):
    rates(admin_login_ip="1/min")
    admin_login(client, "a@example.com")

    assert client.get(URL).status_code == 200


# -- 40 parallel attempts against a real server with the real Argon2 hasher ------------------
PARALLEL = 40
ARGON2_MIB = 100  # Django's memory_cost, per hash in progress


def peak_rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def current_rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_forty_parallel_admin_logins_are_answered_within_bounded_memory(
    make_user, tmp_path, settings
):
    """Each attempt comes from its own address with its own email (so no throttle stops it;
    Django hashes the password of an unknown email too) and costs a real Argon2 hash. The
    server answers all of them while at most PASSWORD_HASHING_CONCURRENCY hashes hold their
    100 MiB at once, not forty (4 GiB). Without the bound, the forty also queued for the few
    pooled database connections Daphne has and got 500s."""
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    make_user(email="staff@example.com", is_staff=True, password=PASSWORD)
    port = free_port()
    log = tmp_path / "daphne.log"
    env = server_env(tmp_path, TRUSTED_PROXY_COUNT="1", PASSWORD_HASHING_CONCURRENCY="2")
    command = ["python", "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    process = start([*command, "config.asgi:application"], env, log)
    try:
        wait_until_healthy(process, port, log)
        base = f"http://127.0.0.1:{port}"
        cookies = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
        page = opener.open(base + URL).read().decode()
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        cookie = "; ".join(f"{c.name}={c.value}" for c in cookies)
        # Warm: one hash, so the baseline includes the interpreter's own first-use costs.
        statuses = []
        post(base, cookie, csrf, 250, statuses)
        baseline = current_rss_mib(process.pid)

        threads = [
            threading.Thread(target=post, args=(base, cookie, csrf, i, statuses))
            for i in range(PARALLEL)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        peak = peak_rss_mib(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)

    # Every attempt answered: the form again, with its error (a wrong password).
    assert statuses == [200] * (PARALLEL + 1), log.read_text(errors="replace")[-2000:]
    # Two hashes at a time and some slack; forty at once would be 4,000 MiB over the baseline.
    assert peak - baseline < 4 * ARGON2_MIB, (baseline, peak)


def post(base: str, cookie: str, csrf: str, n: int, statuses: list) -> None:
    fields = {"username": f"nadie{n}@example.com", "password": "x", "csrfmiddlewaretoken": csrf}
    request = urllib.request.Request(
        base + URL,
        data=urllib.parse.urlencode(fields).encode(),
        headers={"Cookie": cookie, "X-Forwarded-For": f"198.51.100.{n}", "Referer": base + URL},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            statuses.append(response.status)
    except urllib.error.HTTPError as exc:
        statuses.append(exc.code)
