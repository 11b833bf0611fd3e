"""channels_redis's group_send over synchronous redis-py clients, for the publisher thread of
config/realtime.py."""

import logging
import time

import redis

logger = logging.getLogger("config.realtime")

# One send may not hold the queue up longer than this (Redis unreachable, a full channel).
SEND_TIMEOUT_SECONDS = 5.0


# channels_redis 4.3's group_send script, verbatim (channels_redis/core.py): add the message to
# each member channel's sorted set unless the channel is at capacity.
_GROUP_SEND_LUA = """
    local over_capacity = 0
    local current_time = ARGV[#ARGV - 1]
    local expiry = ARGV[#ARGV]
    for i=1,#KEYS do
        if redis.call('ZCOUNT', KEYS[i], '-inf', '+inf') < tonumber(ARGV[i + #KEYS]) then
            redis.call('ZADD', KEYS[i], current_time, ARGV[i])
            redis.call('EXPIRE', KEYS[i], expiry)
        else
            over_capacity = over_capacity + 1
        end
    end
    return over_capacity
"""


class SyncRedisGroupSender:
    """channels_redis's `group_send` over synchronous redis-py clients.

    The async layer costs an event-loop turn and several coroutine hops per Redis command; in a
    WSGI worker that is CPU taken from requests. This does the same Redis work with the
    layer's own key names, hashing and message encoding (its methods), the same script, and
    plain sockets with a timeout, so a stalled Redis fails the send instead of hanging it.
    Layers it cannot mirror (Sentinel hosts, another backend) get `None` from `for_layer` and
    keep the async path.
    """

    def __init__(self, layer, clients: list):
        self.layer = layer
        self.clients = clients

    @classmethod
    def for_layer(cls, layer) -> "SyncRedisGroupSender | None":
        try:
            from channels_redis.core import RedisChannelLayer
        except ImportError:
            return None
        if type(layer) is not RedisChannelLayer:
            return None
        clients = []
        for host in layer.hosts:
            host = dict(host)
            if "master_name" in host:
                return None
            options = {
                "socket_timeout": SEND_TIMEOUT_SECONDS,
                "socket_connect_timeout": SEND_TIMEOUT_SECONDS,
            }
            # Our timeouts win over the layer's (its read timeout is set for blocking receives).
            if "address" in host:
                address = host.pop("address")
                clients.append(redis.Redis.from_url(address, **{**host, **options}))
            else:
                clients.append(redis.Redis(**{**host, **options}))
        return cls(layer, clients)

    def group_send_many(self, items: list[tuple[str, dict]]) -> None:
        """`group_send` of each (group, message), in order; the members of all the groups are
        looked up together, one round trip per Redis server (with nobody listening, the
        common case for a busy API, that is all)."""
        layer = self.layer
        by_client: dict[int, list[str]] = {}
        for group in dict.fromkeys(group for group, _ in items):
            by_client.setdefault(layer.consistent_hash(group), []).append(group)
        members: dict[str, list] = {}
        expired = int(time.time()) - layer.group_expiry
        for index, groups in by_client.items():
            pipe = self.clients[index].pipeline(transaction=False)
            for group in groups:
                pipe.zremrangebyscore(layer._group_key(group), min=0, max=expired)
                pipe.zrange(layer._group_key(group), 0, -1)
            replies = pipe.execute()
            members.update(zip(groups, replies[1::2], strict=True))
        for group, message in items:
            if members[group]:
                self._send_to_members(group, members[group], message)

    def _send_to_members(self, group: str, members: list, message: dict) -> None:
        layer = self.layer
        channel_names = [member.decode("utf8") for member in members]
        by_connection, messages, capacities = layer._map_channel_keys_to_connection(
            channel_names, message
        )
        for index, channel_keys in by_connection.items():
            client = self.clients[index]
            pipe = client.pipeline(transaction=False)
            for channel_key in channel_keys:
                pipe.zremrangebyscore(channel_key, min=0, max=int(time.time()) - int(layer.expiry))
            pipe.execute()
            args = [messages[k] for k in channel_keys] + [capacities[k] for k in channel_keys]
            over = client.eval(
                _GROUP_SEND_LUA, len(channel_keys), *channel_keys, *args, time.time(), layer.expiry
            )
            if over:
                logger.info("%s channels over capacity in group %s", over, group)
