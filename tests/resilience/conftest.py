import pytest
from django.db import connections

from tests.config.tcp_proxy import TcpProxy
from tests.resilience.servers import RedisServer


@pytest.fixture(scope="module")
def own_redis(tmp_path_factory):
    """A Redis of this module's own, which its tests stop and start again."""
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def database_proxy(transactional_db):
    """Every new connection of this process goes to PostgreSQL through a TcpProxy the test can
    cut (`stop()`) and restore (`start()`). Connections are made per thread, and the consumers'
    database calls run in other threads, so the settings every connection is made from are
    pointed at the proxy (not one connection object swapped)."""
    settings_dict = connections["default"].settings_dict
    saved = settings_dict["HOST"], settings_dict["PORT"]
    proxy = TcpProxy(saved[0] or "127.0.0.1", int(saved[1] or 5432)).start()
    connections.close_all()
    settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", str(proxy.port)
    try:
        yield proxy
    finally:
        settings_dict["HOST"], settings_dict["PORT"] = saved
        connections.close_all()
        proxy.stop()
