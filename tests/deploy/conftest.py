import pytest


@pytest.fixture(autouse=True)
def _fast_hashing_and_clean_cache(settings):
    """The root conftest's fixture without its cache.clear(): that is a FLUSHDB on the Redis
    database the production smoke test's servers share for the whole module (the channel
    layer's groups, the scheduler's lock). No test here reads Django's cache."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield
