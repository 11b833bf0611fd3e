"""ASGI entry point: `daphne config.asgi:application` serves HTTP and websockets."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Django must be set up before anything imports models (the consumers do).
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import OriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from chat.routing import websocket_urlpatterns  # noqa: E402
from config.ws_auth import JWTAuthMiddleware  # noqa: E402


def allowed_origins() -> list[str]:
    """Browser origins allowed to open sockets: the allowed hosts and the CORS origins.
    Clients that send no Origin (the mobile app) are let through by the validator."""
    return [*settings.ALLOWED_HOSTS, *settings.CORS_ALLOWED_ORIGINS]


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": OriginValidator(
            JWTAuthMiddleware(URLRouter(websocket_urlpatterns)), allowed_origins()
        ),
    }
)
