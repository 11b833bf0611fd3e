"""Live updates: publish an event to every open socket of one user, after commit.

Apps below chat (tasks, goals, checkins) announce changes here instead of importing chat; the
chat consumer joins `user_group(user_id)` and forwards each event as a websocket frame. With
the Redis channel layer the event reaches sockets served by any process.
"""

import json
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

logger = logging.getLogger(__name__)

# The channel-layer message type the consumer handles (method `realtime_event`).
MESSAGE_TYPE = "realtime.event"


def user_group(user_id) -> str:
    return f"user.{user_id}"


def publish(user_id, event_type: str, payload: dict) -> None:
    """Send `{"type": event_type, **payload}` to the user's sockets once the transaction commits.

    The payload is made plain JSON now (ids and primitives, not model objects), so what is sent
    is what was true at commit time and it survives the Redis layer's msgpack encoding.
    """
    frame = json.loads(json.dumps({"type": event_type, **payload}, cls=DjangoJSONEncoder))
    transaction.on_commit(lambda: _send(str(user_id), frame))


def _send(user_id: str, frame: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(user_group(user_id), {"type": MESSAGE_TYPE, "event": frame})
    except Exception:
        # A live update is a courtesy: the change is committed; never fail the request for it.
        logger.exception("realtime publish failed for %s", frame.get("type"))
