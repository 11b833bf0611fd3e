"""The per-user rate is counted ahead in each process (config/throttle_counters.LocalCounts):
far from the limit a request is admitted without a round trip and its units are sent with a
later one; near the limit, after FRESH_SECONDS or at a window change every request asks the
cache. Two `LocalCounts` stand for two processes sharing one cache. The clock is the module's
own, held still, so a test sits 30 s into a minute unless it moves it."""

import threading
import time

import pytest
from django.core.cache import cache

from config import throttle_counters
from config.outage import FailOpenCache
from config.throttle_counters import FRESH_SECONDS, Counter, LocalCounts, take
from config.throttling import counter

LARGE = Counter(key="throttle:user:ahead", limit=1000, window=60)  # batch 15, headroom 250
BATCH_OF_LARGE = 15


class Clock:
    def __init__(self, now: float):
        self.now = now

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(int(time.time() // 60) * 60 + 30.0)
    monkeypatch.setattr(throttle_counters, "time", clock)
    return clock


@pytest.fixture
def round_trips(monkeypatch):
    """The units each round trip to the cache sent, in order."""
    sent = []
    add = throttle_counters._add_to_windows

    def counting(counters, amount, now):
        sent.append(amount)
        return add(counters, amount, now)

    monkeypatch.setattr(throttle_counters, "_add_to_windows", counting)
    return sent


def stored(limit: Counter, clock: Clock, windows_back: int = 0) -> int:
    """The cache's count of the clock's window (or one before it)."""
    index = int(clock.now // limit.window) - windows_back
    return int(cache.get(throttle_counters._window_key(limit, index)) or 0)


def test_far_below_the_limit_a_round_trip_carries_a_batch(clock, round_trips):
    process = LocalCounts()

    waits = [process.take(LARGE, 1) for _ in range(160)]

    assert waits == [0.0] * 160
    # The first request reads the totals; then each round trip sends a batch with its own unit.
    assert round_trips == [1] + [BATCH_OF_LARGE + 1] * 9
    assert stored(LARGE, clock) == 145  # 15 admitted and not sent yet


def test_pending_units_go_with_the_next_round_trip(clock, round_trips):
    process = LocalCounts()
    for _ in range(40):
        process.take(LARGE, 1)
    assert stored(LARGE, clock) < 40

    clock.advance(FRESH_SECONDS)
    process.take(LARGE, 1)

    assert stored(LARGE, clock) == 41 == sum(round_trips)


def test_near_the_limit_every_request_asks_and_the_limit_is_exact(clock, round_trips):
    one, other = LocalCounts(), LocalCounts()
    assert take([LARGE], 760) == 0  # already within the headroom (a quarter of 1000)
    round_trips.clear()

    admitted = 0
    while (one if admitted % 2 else other).take(LARGE, 1) == 0:
        admitted += 1
    refused_by_the_other = (other if admitted % 2 else one).take(LARGE, 1)

    assert admitted == 240
    assert refused_by_the_other > 0
    assert len(round_trips) == admitted + 2  # and nothing was pending to send
    assert round_trips == [1] * len(round_trips)
    assert stored(LARGE, clock) == 1000


def test_far_from_the_limit_a_process_is_at_most_one_batch_late(clock):
    late, busy = LocalCounts(), LocalCounts()
    assert late.take(LARGE, 1) == 0  # reads a total of 1

    assert busy.take(LARGE, 999) == 0  # the limit, unseen by `late` for FRESH_SECONDS
    admitted_late = 0
    while late.take(LARGE, 1) == 0:
        admitted_late += 1

    assert admitted_late == BATCH_OF_LARGE
    assert stored(LARGE, clock) == 1000 + BATCH_OF_LARGE
    assert busy.take(LARGE, 1) > 0


def test_totals_older_than_fresh_seconds_are_read_again(clock, round_trips):
    process = LocalCounts()
    process.take(LARGE, 1)

    clock.advance(FRESH_SECONDS - 0.25)
    process.take(LARGE, 1)
    trips_while_fresh = len(round_trips)
    clock.advance(0.25)
    process.take(LARGE, 1)

    assert trips_while_fresh == 1
    assert round_trips == [1, 2]


def test_a_new_window_is_read_at_its_first_request(clock, round_trips):
    process = LocalCounts()
    clock.advance(29.9)  # 0.1 s before the minute ends
    process.take(LARGE, 1)
    process.take(LARGE, 1)

    clock.advance(0.2)
    process.take(LARGE, 1)

    assert round_trips == [1, 2]
    # The unit admitted late in the last window is counted in this one: counted, never lost.
    assert stored(LARGE, clock, windows_back=1) == 1
    assert stored(LARGE, clock) == 2


def test_units_of_a_window_slid_out_are_not_sent(clock, round_trips):
    process = LocalCounts()
    process.take(LARGE, 1)
    process.take(LARGE, 1)

    clock.advance(2 * LARGE.window)
    process.take(LARGE, 1)

    assert round_trips == [1, 1]


def test_a_request_heavier_than_a_batch_asks(clock, round_trips):
    process = LocalCounts()
    process.take(LARGE, 1)

    process.take(LARGE, BATCH_OF_LARGE + 1)

    assert round_trips == [1, BATCH_OF_LARGE + 1]


@pytest.mark.parametrize("limit", [2, 4, 9, 60, 63])
def test_limits_under_64_units_ask_at_every_request(clock, round_trips, limit):
    small = Counter(key="throttle:user:small", limit=limit, window=60)
    process = LocalCounts()

    waits = [process.take(small, 1) for _ in range(limit + 1)]

    assert waits[:limit] == [0.0] * limit
    assert waits[-1] > 0
    assert round_trips == [1] * (limit + 1)
    assert stored(small, clock) == limit


def test_threads_of_one_process_lose_no_unit(clock, round_trips):
    process = LocalCounts()
    roomy = Counter(key="throttle:user:threads", limit=100_000, window=60)

    waits = []

    def requests():
        waits.extend(process.take(roomy, 1) for _ in range(100))

    threads = [threading.Thread(target=requests) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    clock.advance(FRESH_SECONDS)
    process.take(roomy, 1)

    assert waits == [0.0] * 800
    assert stored(roomy, clock) == 801 == sum(round_trips)
    assert len(round_trips) < 801 // 4


def test_units_on_their_way_count_in_the_other_threads_estimates(clock, monkeypatch):
    process = LocalCounts()
    assert take([LARGE], 734) == 0
    for _ in range(1 + BATCH_OF_LARGE):  # reads 735, then 15 pending: at the headroom
        process.take(LARGE, 1)
    add = throttle_counters._add_to_windows
    sent, on_its_way, arrive = [], threading.Event(), threading.Event()

    def slow(counters, amount, now):
        sent.append(amount)
        if len(sent) == 1:
            on_its_way.set()
            arrive.wait(5)
        return add(counters, amount, now)

    monkeypatch.setattr(throttle_counters, "_add_to_windows", slow)
    flushing = threading.Thread(target=process.take, args=(LARGE, 1))
    flushing.start()
    on_its_way.wait(5)
    process.take(LARGE, 1)
    arrive.set()
    flushing.join()

    assert sent == [BATCH_OF_LARGE + 1, 1]  # the second request asked: 751 is past the headroom


def test_with_the_cache_away_requests_pass_and_their_units_are_dropped(
    clock, round_trips, monkeypatch
):
    monkeypatch.setattr(FailOpenCache, "retry_seconds", 0)  # ask the cache again at once
    process = LocalCounts()
    process.take(LARGE, 1)
    process.take(LARGE, 1)  # pending
    add = throttle_counters._add_to_windows

    def away(counters, amount, now):
        raise ConnectionError("Redis is away")

    monkeypatch.setattr(throttle_counters, "_add_to_windows", away)
    clock.advance(FRESH_SECONDS)
    passed_while_away = process.take(LARGE, 1)
    monkeypatch.setattr(throttle_counters, "_add_to_windows", add)
    process.take(LARGE, 1)

    assert passed_while_away == 0
    assert round_trips == [1, 1]  # back: no totals kept, so it asks, with only its own unit
    assert stored(LARGE, clock) == 2


# -- through the API ----------------------------------------------------------------------------
@pytest.fixture
def user_rate(settings):
    def set_rate(rate):
        settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "user": rate}

    return set_rate


@pytest.mark.django_db
def test_requests_far_below_the_limit_share_round_trips(
    api_client, user, user_rate, clock, round_trips
):
    user_rate("1000/min")
    limit = counter("user", str(user.pk))

    answers = [api_client.get("/api/v1/goals").status_code for _ in range(32)]
    trips_for_32 = len(round_trips)
    clock.advance(FRESH_SECONDS)
    api_client.get("/api/v1/goals")

    assert answers == [200] * 32
    assert trips_for_32 == 2
    assert stored(limit, clock) == 33


@pytest.mark.django_db
def test_a_new_rate_applies_at_the_next_request_with_the_pending_units(
    api_client, user_rate, clock
):
    user_rate("1000/min")
    answers = [api_client.get("/api/v1/goals").status_code for _ in range(5)]

    user_rate("5/min")
    throttled = api_client.get("/api/v1/goals")

    assert answers == [200] * 5
    assert throttled.status_code == 429
