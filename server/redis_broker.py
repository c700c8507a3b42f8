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
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Callable

import redis.asyncio as aioredis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from server.broker import EVERYTHING, PRESENCE, Listener, Listeners
from server.stores.base import StoreError
from server.stores.redis import PREFIX, connect

log = logging.getLogger("dialograum.broker")

CHANNEL = f"{PREFIX}:notify:"
PRESENCE_CHANNEL = f"{PREFIX}:presence:"


def online_key(room: str) -> str:
    return f"{PREFIX}:room:{room}:online"


def text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def now_ms() -> int:
    return time.time_ns() // 1_000_000


async def close_pubsub(pubsub: PubSub, within_s: float = 2.0) -> None:
    """Close a subscription without ever hanging the caller.

    ``PubSub.aclose()`` can wait forever for its socket to close (redis-py
    issue #3941, seen here as a test teardown and a server stop that never
    ended after the listening task was cancelled). Bounded, then the
    connection is cut without waiting.
    """
    try:
        await asyncio.wait_for(pubsub.aclose(), within_s)  # type: ignore[no-untyped-call]
    except Exception:  # a close that fails or hangs must not stop the caller
        connection = pubsub.connection
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.disconnect(nowait=True)


class RedisBroker:
    def __init__(self, url: str, presence_ttl_s: float = 30.0) -> None:
        self.url = url
        self.worker = secrets.token_hex(6)
        self.presence_ttl_ms = int(presence_ttl_s * 1000)
        self._redis: aioredis.Redis | None = None
        self._listeners = Listeners()
        self._task: asyncio.Task[None] | None = None
        self._shared: set[str] = set()  # rooms with a presence field of ours
        self.connected = asyncio.Event()
        # Told when the subscription is lost (False, reason) and back (True, "").
        self.on_connection: Callable[[bool, str], None] = lambda up, reason: None

    async def open(self) -> None:
        self._redis = await connect(self.url, socket_timeout=10)
        self._task = asyncio.get_running_loop().create_task(self._listen())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._redis is not None:
            with contextlib.suppress(RedisError, OSError):
                for room in self._shared:  # a clean stop takes our phones off the count now
                    await self._redis.hdel(online_key(room), self.worker)
            with contextlib.suppress(Exception):  # bounded: see close_pubsub
                await asyncio.wait_for(self._redis.aclose(), 5)
            self._redis = None
        self._shared.clear()
        self._listeners.clear()

    def _client(self) -> aioredis.Redis:
        if self._redis is None:
            raise StoreError("broker is not open")
        return self._redis

    async def publish(self, room: str, seq: int) -> None:
        try:
            await self._client().publish(CHANNEL + room, str(seq))
        except (RedisError, OSError) as exc:
            raise StoreError(f"Redis publish: {exc}") from exc

    def subscribe(self, room: str, listener: Listener) -> Callable[[], None]:
        return self._listeners.add(room, listener)

    async def share_online(self, room: str, online: frozenset[str]) -> None:
        client = self._client()
        try:
            if online:
                value = " ".join([str(now_ms() + self.presence_ttl_ms), *sorted(online)])
                async with client.pipeline(transaction=False) as pipe:
                    pipe.hset(online_key(room), self.worker, value)
                    pipe.pexpire(online_key(room), self.presence_ttl_ms * 2)
                    pipe.publish(PRESENCE_CHANNEL + room, self.worker)
                    await pipe.execute()
                self._shared.add(room)
            else:
                async with client.pipeline(transaction=False) as pipe:
                    pipe.hdel(online_key(room), self.worker)
                    pipe.publish(PRESENCE_CHANNEL + room, self.worker)
                    await pipe.execute()
                self._shared.discard(room)
        except (RedisError, OSError) as exc:
            raise StoreError(f"Redis presence: {exc}") from exc

    async def online_elsewhere(self, room: str) -> frozenset[str]:
        try:
            fields = await self._client().hgetall(online_key(room))
        except (RedisError, OSError) as exc:
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

    async def _listen(self) -> None:
        """Follow every room's channels; reconnect with backoff, then make all rooms catch up."""
        delay = 0.2
        first = True
        while True:
            pubsub = self._client().pubsub(ignore_subscribe_messages=True)
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
                    channel = message["channel"].decode()
                    if channel.startswith(PRESENCE_CHANNEL):
                        if message["data"].decode() != self.worker:
                            self._listeners.notify(channel[len(PRESENCE_CHANNEL) :], PRESENCE)
                        continue
                    self._listeners.notify(channel.removeprefix(CHANNEL), int(message["data"]))
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError, ValueError) as exc:
                self.connected.clear()
                first = False
                log.warning("broker: lost Redis (%s); retrying in %.1f s", exc, delay)
                self.on_connection(False, str(exc))
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
            finally:
                await close_pubsub(pubsub)
