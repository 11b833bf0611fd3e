"""Fixtures every test can use: users, authenticated API clients, a clean cache."""

import os

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

PASSWORD = "correct horse battery staple"


def using_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    db_vendor = settings.DATABASES["default"]["ENGINE"]
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    skip_redis = pytest.mark.skip(reason="needs Redis (set REDIS_URL)")
    for item in items:
        if "postgres" in item.keywords and "postgresql" not in db_vendor:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not os.environ.get("REDIS_URL"):
            item.add_marker(skip_redis)


@pytest.fixture(autouse=True)
def _fast_hashing_and_clean_cache(settings):
    from config.throttle_counters import reset_local_counts

    # Argon2 is deliberately slow; tests that check the production hasher override this back.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The per-user rate's counts ahead of the cache go with it: units pending from one test
    # would be sent into the next one's counters.
    cache.clear()
    reset_local_counts()
    yield
    cache.clear()
    reset_local_counts()


@pytest.fixture
def make_user(db):
    from accounts.models import User

    counter = {"n": 0}

    def make(**kwargs):
        counter["n"] += 1
        kwargs.setdefault("email", f"user{counter['n']}@example.com")
        kwargs.setdefault("name", f"User {counter['n']}")
        password = kwargs.pop("password", PASSWORD)
        return User.objects.create_user(password=password, **kwargs)

    return make


@pytest.fixture
def user(make_user):
    return make_user(email="ana@example.com", name="Ana", timezone="Europe/Madrid")


@pytest.fixture
def other_user(make_user):
    return make_user(email="otro@example.com", name="Otro", timezone="America/Mexico_City")


def access_token_for(user) -> str:
    return str(RefreshToken.for_user(user).access_token)


@pytest.fixture
def anon_client():
    return APIClient()


@pytest.fixture
def api_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token_for(user)}")
    return client


@pytest.fixture
def other_client(other_user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token_for(other_user)}")
    return client
