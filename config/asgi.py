"""ASGI entry point: `daphne config.asgi:application` serves websockets in production
(bin/ws-server) and everything in development (`make run`)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Settings pool database connections when they know they run under Daphne, whose threads never
# reuse a persistent connection (config/settings.py, database section); set before setup.
os.environ.setdefault("APP_SERVER", "asgi")
# Django must be set up before anything imports models (the consumers do).
django_asgi_app = get_asgi_application()

import logging  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import OriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from chat.routing import websocket_urlpatterns  # noqa: E402
from config import realtime  # noqa: E402
from config.body_limits import BodyLimitMiddleware, install_daphne_body_limit  # noqa: E402
from config.outage import WebsocketDatabaseGuard  # noqa: E402
from config.ws_auth import JWTAuthMiddleware  # noqa: E402

logger = logging.getLogger(__name__)

# How long a stopped Daphne waits for request threads before it leaves without them.
EXIT_GRACE_SECONDS = 3.0


class MissingOriginAllowedValidator(OriginValidator):
    """Channels' validator also refuses sockets that send no Origin at all. Browsers always send
    one; native clients (the mobile app) usually do not, and a socket without Origin cannot be a
    cross-site browser request, so only a present Origin is checked."""

    def valid_origin(self, parsed_origin):
        return parsed_origin is None or super().valid_origin(parsed_origin)


def allowed_origins() -> list[str]:
    """Browser origins allowed to open sockets: the allowed hosts and the CORS origins.
    Clients that send no Origin (the mobile app) are let through by the validator."""
    return [*settings.ALLOWED_HOSTS, *settings.CORS_ALLOWED_ORIGINS]


application = ProtocolTypeRouter(
    {
        # Bodies over the limit are refused before Django spools them (config/body_limits.py).
        "http": BodyLimitMiddleware(django_asgi_app),
        "websocket": MissingOriginAllowedValidator(
            WebsocketDatabaseGuard(JWTAuthMiddleware(URLRouter(websocket_urlpatterns))),
            allowed_origins(),
        ),
    }
)


def _exit_even_with_stuck_request_threads() -> None:
    """Bound Daphne's exit after SIGTERM.

    Under Daphne every HTTP request runs our sync-only middleware (and WhiteNoise's) in a
    thread that calls the async rest of the stack back on the server's event loop through
    async_to_sync. A request in flight when the loop stops waits for it forever, and the
    interpreter's exit joins that thread: Daphne never exits and Docker kills it 10 s later.
    Those requests cannot finish anyway (their loop is gone; their transactions roll back with
    the connection), so once the reactor has shut down, a watchdog gives the normal exit
    EXIT_GRACE_SECONDS and then ends the process, after sending queued live updates.
    """

    def watchdog():
        time.sleep(EXIT_GRACE_SECONDS)
        logger.warning("request threads still wait for the stopped event loop; exiting anyway")
        realtime.flush(realtime.EXIT_FLUSH_SECONDS)
        logging.shutdown()
        os._exit(0)

    threading.Thread(target=watchdog, name="daphne-exit-watchdog", daemon=True).start()


# Daphne is an installed app, so its asyncio reactor is already installed by now; the trigger
# only fires in a process where that reactor ran (Daphne), never in tests or manage.py.
from twisted.internet import reactor  # noqa: E402

# Daphne stores a request's whole body before calling the app; its request class refuses one
# over the limit first (config/body_limits.py). Harmless where Daphne is imported but not run.
install_daphne_body_limit()

reactor.addSystemEventTrigger("after", "shutdown", _exit_even_with_stuck_request_threads)
