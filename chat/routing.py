"""Websocket routes, mounted by config/asgi.py (behind the origin check and JWT middleware)."""

from django.urls import re_path

from chat.consumers import ChatConsumer

websocket_urlpatterns = [
    # With or without the trailing slash, like the REST routes; the query string is ignored
    # (tokens never travel in the URL).
    re_path(r"^ws/chat/?$", ChatConsumer.as_asgi()),
]
