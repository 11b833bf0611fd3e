"""Redis with a password (the stack's `redis_password` secret): the settings give it to every
Redis client of the project (channel layer, cache and throttle counters, the publisher's own
clients, django-crontask's lock) and never show it.

The settings are read in a fresh interpreter per case (they are evaluated once per process);
the last tests run those clients against a redis-server of their own started with
`requirepass`."""

import json
import secrets
import subprocess

import pytest

from tests.config.test_settings_env import production, run, settings_in
from tests.resilience.servers import RedisServer

# Characters a URL would have to escape: the password must survive them everywhere.
PASSWORD = f"p@ss:w/rd%?{secrets.token_hex(8)}"

PRINT_REDIS_SETTINGS = """
import json
from django.conf import settings as s
(host,) = s.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"]
print(json.dumps({
    "redis_url": s.REDIS_URL,
    "layer_address": host["address"],
    "layer_password": host.get("password"),
    "cache_location": s.CACHES["default"]["LOCATION"],
    "cache_password": s.CACHES["default"]["OPTIONS"].get("password"),
    "crontask_url": s.CRONTASK["REDIS_URL"],
    "reprs": repr((s.REDIS_URL, s.REDIS_PASSWORD, s.CACHES, s.CHANNEL_LAYERS, s.CRONTASK)),
}))
"""


def redis_settings(**env) -> dict:
    result = run(["-c", PRINT_REDIS_SETTINGS], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def password_file(tmp_path, value=PASSWORD):
    path = tmp_path / "redis_password"
    path.write_text(value + "\n")  # as `docker secret create` from echo leaves it
    return str(path)


def test_the_password_file_reaches_every_redis_client(tmp_path):
    from redis.connection import parse_url

    values = redis_settings(
        REDIS_URL="redis://redis:6379/0", REDIS_PASSWORD_FILE=password_file(tmp_path)
    )

    assert values["redis_url"] == values["layer_address"] == values["cache_location"]
    assert values["redis_url"] == "redis://redis:6379/0"
    assert values["layer_password"] == values["cache_password"] == PASSWORD
    # django-crontask takes only a URL: the password inside it, percent-encoded.
    assert parse_url(values["crontask_url"])["password"] == PASSWORD
    assert parse_url(values["crontask_url"])["host"] == "redis"


def test_the_password_variable_works_too():
    values = redis_settings(REDIS_URL="redis://redis:6379/0", REDIS_PASSWORD=PASSWORD)

    assert values["layer_password"] == values["cache_password"] == PASSWORD


def test_a_password_in_the_url_is_taken_out_of_it():
    from urllib.parse import quote

    values = redis_settings(REDIS_URL=f"redis://app:{quote(PASSWORD, safe='')}@redis:6379/2")

    assert values["redis_url"] == "redis://app@redis:6379/2"
    assert values["layer_password"] == values["cache_password"] == PASSWORD


def test_no_password_means_none_is_sent():
    values = redis_settings(REDIS_URL="redis://redis:6379/0")

    assert values["layer_password"] is None
    assert values["cache_password"] is None
    assert values["crontask_url"] == "redis://redis:6379/0"


def test_a_password_in_two_places_is_refused_without_showing_either(tmp_path):
    result = run(
        ["-c", PRINT_REDIS_SETTINGS],
        REDIS_URL="redis://:other-secret-value@redis:6379/0",
        REDIS_PASSWORD_FILE=password_file(tmp_path),
    )

    assert result.returncode != 0
    assert "REDIS_PASSWORD" in result.stderr and "one place" in result.stderr
    assert PASSWORD not in result.stderr and "other-secret-value" not in result.stderr


def test_the_password_is_in_no_repr_and_no_settings_dump(tmp_path):
    env = production(REDIS_URL="redis://redis:6379/0", REDIS_PASSWORD_FILE=password_file(tmp_path))
    values = redis_settings(**env)
    dump = run(["manage.py", "diffsettings", "--all"], **env)

    assert PASSWORD not in values["reprs"]
    assert "********" in values["reprs"]
    assert dump.returncode == 0, dump.stderr
    assert "CRONTASK" in dump.stdout and "REDIS_PASSWORD" in dump.stdout
    assert PASSWORD not in dump.stdout


def test_production_runs_with_a_redis_without_password():
    """Decision (docs, deploy/README.md): a Redis without a password is allowed, in production
    too (a laptop's, CI's); the stack always gives it one."""
    values = settings_in(**production(REDIS_URL="redis://redis:6379/0"))

    assert values["cache_backend"] == "django.core.cache.backends.redis.RedisCache"


# --- against a Redis that requires the password ----------------------------------------------

USE_EVERY_CLIENT = """
import asyncio, json, time
import django
django.setup()
from asgiref.sync import async_to_sync
from channels.layers import channel_layers
from django.core.cache import cache
from config import throttle_counters
from config.realtime_redis import SyncRedisGroupSender

out = {}
def attempt(name, use):
    try:
        out[name] = use()
    except Exception as exc:
        out[name] = f"error: {type(exc).__name__}: {exc}"

def cache_round_trip():
    cache.set("password-test", "stored", 30)
    return cache.get("password-test")

def throttle_counter():
    counter = throttle_counters.Counter("password-test", 5, 60)
    return throttle_counters._add_to_windows([counter], 1, time.time())[0][1]

async def layer_round_trip():
    layer = channel_layers.make_backend("default")
    channel = await layer.new_channel()
    await layer.group_add("password-test", channel)
    await layer.send(channel, {"type": "test.message", "n": 1})
    first = await asyncio.wait_for(layer.receive(channel), 5)
    await layer.flush()
    return first["n"]

def publisher_round_trip():
    layer = channel_layers.make_backend("default")
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)("password-test", channel)
    SyncRedisGroupSender.for_layer(layer).group_send_many(
        [("password-test", {"type": "test.message", "n": 2})]
    )
    return async_to_sync(layer.receive)(channel)["n"]

def crontask_lock():
    from crontask import utils
    taken = utils.lock.acquire(blocking=False)
    utils.lock.release()
    return taken

attempt("cache", cache_round_trip)
attempt("throttle_counter", throttle_counter)
attempt("channel_layer", lambda: asyncio.run(layer_round_trip()))
attempt("publisher", publisher_round_trip)
attempt("crontask_lock", crontask_lock)
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def redis_with_password(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis-auth"), password=PASSWORD).start()
    yield server
    server.stop()


def use_every_client(server, **env) -> tuple[dict, subprocess.CompletedProcess]:
    result = run(["-c", USE_EVERY_CLIENT], REDIS_URL=server.url, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1]), result


def test_every_redis_client_works_with_the_password_from_its_file(redis_with_password, tmp_path):
    used, _ = use_every_client(redis_with_password, REDIS_PASSWORD_FILE=password_file(tmp_path))

    assert used == {
        "cache": "stored",
        "throttle_counter": 1,
        "channel_layer": 1,
        "publisher": 2,
        "crontask_lock": True,
    }


def test_without_the_password_every_client_fails_with_an_authentication_error(
    redis_with_password,
):
    used, _ = use_every_client(redis_with_password)

    for name, outcome in used.items():
        assert str(outcome).startswith("error: AuthenticationError"), (name, outcome)


def test_a_wrong_password_fails_clearly_and_is_not_shown(redis_with_password, tmp_path):
    wrong = f"wrong-{secrets.token_hex(8)}"
    used, result = use_every_client(
        redis_with_password, REDIS_PASSWORD_FILE=password_file(tmp_path, wrong)
    )

    for name, outcome in used.items():
        assert str(outcome).startswith("error: AuthenticationError"), (name, outcome)
    assert wrong not in result.stdout + result.stderr
