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

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import OriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from chat.routing import websocket_urlpatterns  # noqa: E402
from config.ws_auth import JWTAuthMiddleware  # noqa: E402


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
        "http": django_asgi_app,
        "websocket": MissingOriginAllowedValidator(
            JWTAuthMiddleware(URLRouter(websocket_urlpatterns)), allowed_origins()
        ),
    }
)
