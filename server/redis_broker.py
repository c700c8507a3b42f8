"""Redis pub/sub as the broker: a worker hears that a room's log has grown.

Pub/sub is at most once. A notice that is lost costs nothing, because the
hub fills gaps from the store; and after the subscription drops and comes
back, every room is told to catch up, since notices may have been missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from server.broker import Listener, Listeners
from server.stores.base import StoreError
from server.stores.redis import connect

log = logging.getLogger("dialograum.broker")

CHANNEL = "dg:notify:"
EVERYTHING = 2**62  # "you may have missed anything": makes every hub read the store


class RedisBroker:
    def __init__(self, url: str) -> None:
        self.url = url
        self._redis: aioredis.Redis | None = None
        self._listeners = Listeners()
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    async def open(self) -> None:
        self._redis = await connect(self.url)
        self._task = asyncio.get_running_loop().create_task(self._listen())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._redis is not None:
            await self._redis.aclose()
        self._listeners.clear()

    async def publish(self, room: str, seq: int) -> None:
        if self._redis is None:
            raise StoreError("broker is not open")
        try:
            await self._redis.publish(CHANNEL + room, str(seq))
        except (RedisError, OSError) as exc:
            raise StoreError(f"Redis publish: {exc}") from exc

    def subscribe(self, room: str, listener: Listener) -> Callable[[], None]:
        return self._listeners.add(room, listener)

    async def _listen(self) -> None:
        """Follow every room's channel; reconnect with backoff, then make all rooms catch up."""
        delay = 0.2
        first = True
        while True:
            assert self._redis is not None
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.psubscribe(CHANNEL + "*")
                self.connected.set()
                if not first:
                    log.info("broker: back on Redis; every room catches up from its log")
                    for room in self._listeners.rooms():
                        self._listeners.notify(room, EVERYTHING)
                first, delay = False, 0.2
                while True:
                    message = await pubsub.get_message(timeout=5.0)
                    if message is None or message.get("type") != "pmessage":
                        continue
                    channel = message["channel"].decode()
                    self._listeners.notify(channel.removeprefix(CHANNEL), int(message["data"]))
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError, ValueError) as exc:
                self.connected.clear()
                log.warning("broker: lost Redis (%s); retrying in %.1f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
