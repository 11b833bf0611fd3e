"""bin/ws-server starts Daphne through config.ws_server: Daphne's own command line, without
Twisted's TLS support (Traefik terminates TLS). The servers themselves are exercised through
bin/ws-server by tests/config/test_shutdown.py, test_body_limits.py and tests/resilience."""

import json
from pathlib import Path

from tests.config.test_settings_env import run

REPO = Path(__file__).resolve().parents[2]

RUN_DAPHNE_HELP = """
import json, sys
from config import ws_server
sys.argv = ["ws-server", "--help"]
try:
    ws_server.main()
except SystemExit:
    pass
import config.asgi  # the application Daphne serves imports without pyOpenSSL too
from django.urls import get_resolver
get_resolver().url_patterns  # and every view behind it
print(json.dumps({
    "daphne_loaded": "daphne.server" in sys.modules,
    "reactor_loaded": "twisted.internet.tcp" in sys.modules,
    "openssl_loaded": sys.modules.get("OpenSSL") is not None,
    "tls_transport_loaded": "twisted.internet._newtls" in sys.modules,
}))
"""


def test_daphne_runs_its_own_command_line_without_twisted_tls():
    result = run(["-c", RUN_DAPHNE_HELP])
    assert result.returncode == 0, result.stderr
    assert "--ping-interval" in result.stdout  # Daphne's own options, answered by Daphne
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == {
        "daphne_loaded": True,
        "reactor_loaded": True,
        "openssl_loaded": False,
        "tls_transport_loaded": False,
    }


def test_pyopenssl_is_installed_so_the_launcher_is_what_keeps_it_out():
    result = run(["-c", "import OpenSSL, twisted.internet._newtls; print('ok')"])
    assert result.returncode == 0, result.stderr


def test_the_ws_role_starts_daphne_through_the_launcher():
    script = (REPO / "bin" / "ws-server").read_text()
    assert "exec bin/drain python -m config.ws_server --bind" in script
