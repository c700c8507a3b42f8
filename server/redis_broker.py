"""Redis pub/sub as the broker: a worker hears that a room's log has grown.

Pub/sub is at most once. A notice that is lost costs nothing, because the
hub fills gaps from the store; and after the subscription drops and comes
back, every room is told to catch up, since notices may have been missed.

Presence: each worker keeps its own online set for a room in one field of
the hash ``dg:room:CODE:online`` (``"<expires ms> <pid> <pid> …"``), renews
it while the room is loaded, and announces changes on ``dg:presence:CODE``.
A worker that dies stops renewing, and its field is ignored once expired;
its phones reconnect elsewhere and are counted there, so the union by
participant id never counts anyone twice.

Every command the broker sends is safe to send twice (a notice, a turn, a
presence field), so its client tries a command once more when the connection
it took from the pool turns out closed. After a Redis restart every pooled
connection is such a one, and redis-py (a client from a URL) does not retry by
itself: the first notice after the restart was lost, and a worker that had
already caught up never heard of the other's appends (a CI run of the Redis
restart test: a screen kept the old tally). The subscription has a client of
its own that never retries: a retry there reconnects and subscribes again
without a word, and the notices of the gap would be lost with nobody told to
catch up (a review's find: with one shared client, ``CLIENT KILL TYPE
pubsub`` went unnoticed).

On a Redis Cluster the names carry the room as a hash tag
(``dg:room:{CODE}:online``, ``dg:notify:{CODE}``), notices go out with
``SPUBLISH`` to the room's shard, and server/shard_listener.py subscribes
to the rooms this worker holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Callable

import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from server.broker import EVERYTHING, PRESENCE, TURN, Listener, Listeners
from server.shard_listener import ShardListener, close_pubsub
from server.stores.base import StoreError
from server.stores.redis import PREFIX, REDIS_ERRORS, SINGLE, Client, Keys, cluster_target, connect

log = logging.getLogger("dialograum.broker")

CHANNEL = f"{PREFIX}:notify:"
PRESENCE_CHANNEL = f"{PREFIX}:presence:"
TURN_PREFIX = "turn:"  # on a room's notice channel: a worker asks the others to hold
_TURN_BYTES = TURN_PREFIX.encode()
# once more, at once, on a connection found closed; not after a timeout (see the module doc)
STALE_CONNECTION_RETRY = Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,))


async def _close_bounded(client: Client) -> None:
    """Close a client within 5 s, whatever it raises (bounded: see ``close_pubsub``)."""
    with contextlib.suppress(Exception):
        await asyncio.wait_for(client.aclose(), 5)


def online_key(room: str) -> str:
    return SINGLE.online(room)


def text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class RedisBroker:
    def __init__(self, url: str, presence_ttl_s: float = 30.0, cluster: bool = False) -> None:
        self.url = url
        self.cluster = cluster_target(url, cluster)[1]
        self.keys = Keys(self.cluster)
        self.worker = secrets.token_hex(6)
        self.presence_ttl_ms = int(presence_ttl_s * 1000)
        self._redis: Client | None = None
        self._subscriber: aioredis.Redis | None = None  # the subscription's own client
        self._listeners = Listeners()
        self._task: asyncio.Task[None] | None = None
        self._shards: ShardListener | None = None
        self._shared: set[str] = set()  # rooms with a presence field of ours
        self.connected = asyncio.Event()
        # Told when the subscription is lost (False, reason) and back (True, "").
        self.on_connection: Callable[[bool, str], None] = lambda up, reason: None

    async def open(self) -> None:
        # A cluster client retries and re-reads the slot map on its own.
        once_more = {} if self.cluster else {"retry": STALE_CONNECTION_RETRY}
        self._redis = client = await connect(self.url, self.cluster, socket_timeout=10, **once_more)
        if isinstance(client, RedisCluster):
            self._shards = ShardListener(
                client,
                cluster_target(self.url)[0],
                self.keys,
                self._on_message,
                lambda room: self._listeners.notify(room, EVERYTHING),
                lambda up, reason: self.on_connection(up, reason),
            )
            for room in self._listeners.rooms():
                self._shards.want(room)
            self.connected.set()
            return
        try:
            subscriber = await connect(self.url, self.cluster, socket_timeout=10)
        except BaseException:  # a failed connect, or a shutdown meanwhile
            await self._close_client()
            raise
        assert isinstance(subscriber, aioredis.Redis)  # not a cluster: that returned above
        self._subscriber = subscriber
        self._task = asyncio.get_running_loop().create_task(self._listen(subscriber))

    async def close(self) -> None:
        if self._shards is not None:
            await self._shards.close()
            self._shards = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._subscriber is not None:
            await _close_bounded(self._subscriber)
            self._subscriber = None
        if self._redis is not None:
            with contextlib.suppress(*REDIS_ERRORS):
                for room in self._shared:  # a clean stop takes our phones off the count now
                    await self._redis.hdel(self.keys.online(room), self.worker)
        await self._close_client()
        self._shared.clear()
        self._listeners.clear()

    async def _close_client(self) -> None:
        if self._redis is not None:
            await _close_bounded(self._redis)
            self._redis = None

    def _client(self) -> Client:
        if self._redis is None:
            raise StoreError("broker is not open")
        return self._redis

    async def publish(self, room: str, seq: int) -> None:
        client = self._client()
        try:
            if isinstance(client, RedisCluster):
                await client.spublish(self.keys.notify(room), str(seq))
            else:
                await client.publish(self.keys.notify(room), str(seq))
        except REDIS_ERRORS as exc:
            raise StoreError(f"Redis publish: {exc}") from exc

    async def ask_turn(self, room: str) -> None:
        """On the room's notice channel, ``turn:<worker>``: the others hold, this one not."""
        client = self._client()
        message = f"{TURN_PREFIX}{self.worker}"
        try:
            if isinstance(client, RedisCluster):
                await client.spublish(self.keys.notify(room), message)
            else:
                await client.publish(self.keys.notify(room), message)
        except REDIS_ERRORS as exc:
            raise StoreError(f"Redis publish: {exc}") from exc

    def subscribe(self, room: str, listener: Listener) -> Callable[[], None]:
        remove = self._listeners.add(room, listener)
        if self._shards is None:
            return remove
        self._shards.want(room)
        shards = self._shards

        def unsubscribe() -> None:
            remove()
            if room not in self._listeners.rooms():
                shards.drop(room)

        return unsubscribe

    def _on_message(self, channel: str, data: bytes) -> None:
        """A notice on a room's channel: a new seq, or another worker's presence."""
        room = self.keys.room_of(channel)
        if channel.startswith(PRESENCE_CHANNEL):
            if text(data) != self.worker:
                self._listeners.notify(room, PRESENCE)
        elif data.startswith(_TURN_BYTES):
            if text(data)[len(TURN_PREFIX) :] != self.worker:
                self._listeners.notify(room, TURN)
        else:
            self._listeners.notify(room, int(data))

    async def share_online(self, room: str, online: frozenset[str]) -> None:
        client = self._client()
        key, channel = self.keys.online(room), self.keys.presence(room)
        try:
            async with client.pipeline(transaction=False) as pipe:
                if online:
                    value = " ".join([str(now_ms() + self.presence_ttl_ms), *sorted(online)])
                    pipe.hset(key, self.worker, value)
                    pipe.pexpire(key, self.presence_ttl_ms * 2)
                else:
                    pipe.hdel(key, self.worker)
                if isinstance(client, RedisCluster):
                    pipe.spublish(channel, self.worker)  # the hash's own shard
                else:
                    pipe.publish(channel, self.worker)
                await pipe.execute()
            if online:
                self._shared.add(room)
            else:
                self._shared.discard(room)
        except REDIS_ERRORS as exc:
            raise StoreError(f"Redis presence: {exc}") from exc

    async def online_elsewhere(self, room: str) -> frozenset[str]:
        try:
            fields = await self._client().hgetall(self.keys.online(room))
        except REDIS_ERRORS as exc:
            raise StoreError(f"Redis presence: {exc}") from exc
        now = now_ms()
        people: set[str] = set()
        for worker, value in fields.items():
            if text(worker) == self.worker:
                continue
            expires, *pids = text(value).split(" ")
            if int(expires) >= now:
                people.update(pids)
        return frozenset(people)

    async def _listen(self, client: aioredis.Redis) -> None:
        """Follow every room's channels; reconnect with backoff, then make all rooms catch up.

        ``client`` retries nothing (see the module docstring): each lost
        connection must end up here, so that every room catches up.
        """
        delay = 0.2
        first = True
        while True:
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.psubscribe(CHANNEL + "*", PRESENCE_CHANNEL + "*")
                self.connected.set()
                if not first:
                    log.info("broker: back on Redis; every room catches up from its log")
                    self.on_connection(True, "")
                    for room in self._listeners.rooms():
                        self._listeners.notify(room, EVERYTHING)
                first, delay = False, 0.2
                while True:
                    message = await pubsub.get_message(timeout=5.0)
                    if message is None or message.get("type") != "pmessage":
                        continue
                    self._on_message(message["channel"].decode(), message["data"])
            except asyncio.CancelledError:
                raise
            except (*REDIS_ERRORS, ValueError) as exc:
                self.connected.clear()
                first = False
                log.warning("broker: lost Redis (%s); retrying in %.1f s", exc, delay)
                self.on_connection(False, str(exc))
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
            finally:
                await close_pubsub(pubsub)
