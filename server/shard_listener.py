"""Sharded pub/sub on a Redis Cluster: the broker's ears, one connection per master.

Plain ``PUBLISH`` on a cluster is copied to every node over the cluster bus,
so its cost grows with the cluster. ``SPUBLISH`` stays on the shard that owns
the channel's slot, and a room's channels (``dg:notify:{CODE}``,
``dg:presence:{CODE}``) carry the room's hash tag: a notice travels from the
master that just appended the room's log to the workers that hold the room,
and nowhere else.

Sharded channels have no patterns, so a worker subscribes to the rooms it
holds, each on the master of the room's slot, and drops them when the room
is unloaded. Each master gets one subscriber connection and one reader task.

A subscription that took effect is confirmed by Redis; the room is then told
to read its log (``EVERYTHING``), which covers whatever was appended between
loading the room and the subscription. When a master goes away (failover) or
a slot moves, Redis ends the subscriptions (``sunsubscribe``) or the socket
drops: every connection is rebuilt from a fresh slot map, and the
confirmations make every room catch up. Notices are at most once either way;
the log is the truth (server/broker.py).

redis-py's own ``ClusterPubSub`` reads its node connections in turn, each with
the full timeout, so one quiet master delays another's notices; hence a
reader per master here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import redis.asyncio as aioredis
from redis.asyncio.client import PubSub
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from server.stores.redis import PREFIX, REDIS_ERRORS, Keys, master_of

log = logging.getLogger("dialograum.broker")

NOTIFY = f"{PREFIX}:notify:"


def node_url(url: str, host: str, port: int | str) -> str:
    """``url`` (scheme, credentials) pointed at one node of the cluster."""
    parts = urlsplit(url)
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"{credentials}@{host}:{port}" if credentials else f"{host}:{port}"
    return parts._replace(netloc=netloc, path="").geturl()


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


class _Master:
    """One master's subscriber connection and the reader that follows it."""

    def __init__(self, url: str) -> None:
        # No retries inside redis-py: a dropped connection must reach the listener,
        # which rebuilds from a fresh slot map (the master may be gone for good).
        self.client = aioredis.Redis.from_url(
            url, socket_connect_timeout=5, retry=Retry(NoBackoff(), 0)
        )
        self.pubsub: PubSub = self.client.pubsub()
        self.rooms: set[str] = set()
        self.task: asyncio.Task[None] | None = None

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(BaseException):
                await self.task
        await close_pubsub(self.pubsub)
        with contextlib.suppress(Exception):  # bounded, redis-py #3941
            await asyncio.wait_for(self.client.aclose(), 2)


class ShardListener:
    """Follows the notify and presence channels of the rooms this worker holds."""

    def __init__(
        self,
        cluster: RedisCluster,
        url: str,
        keys: Keys,
        on_message: Callable[[str, bytes], None],
        on_subscribed: Callable[[str], None],
        on_connection: Callable[[bool, str], None],
    ) -> None:
        self.cluster = cluster
        self.url = url  # a redis:// URL of the cluster (credentials, TLS)
        self.keys = keys
        self.on_message = on_message  # (channel, data)
        self.on_subscribed = on_subscribed  # (room): the room may have missed notices
        self.on_connection = on_connection
        self._wanted: set[str] = set()
        self._masters: dict[str, _Master] = {}  # node name -> its subscriber
        self._lock = asyncio.Lock()  # subscriptions and rebuilds one at a time
        self._tasks: set[asyncio.Task[None]] = set()
        self._rebuild: asyncio.Task[None] | None = None
        self._again = False
        self._down = False

    # --- what the broker asks ---------------------------------------------------

    def want(self, room: str) -> None:
        if room not in self._wanted:
            self._wanted.add(room)
            self._spawn(self._subscribe(room))

    def drop(self, room: str) -> None:
        if room in self._wanted:
            self._wanted.discard(room)
            self._spawn(self._unsubscribe(room))

    async def close(self) -> None:
        tasks = [*self._tasks, *([self._rebuild] if self._rebuild else [])]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
        self._tasks.clear()
        self._rebuild = None
        await self._close_masters()
        self._wanted.clear()

    # --- subscriptions ----------------------------------------------------------

    def _spawn(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _channels(self, room: str) -> tuple[str, str]:
        return self.keys.notify(room), self.keys.presence(room)

    def _master_for(self, room: str) -> _Master:
        node = master_of(self.cluster, self.keys.notify(room))
        master = self._masters.get(node.name)
        if master is None:
            master = self._masters[node.name] = _Master(node_url(self.url, node.host, node.port))
        return master

    async def _subscribe(self, room: str) -> None:
        async with self._lock:
            if room not in self._wanted:
                return
            if any(room in m.rooms for m in self._masters.values()):
                # Dropped and wanted again before the SUNSUBSCRIBE went out: still
                # subscribed, but the new listener loaded the room without it.
                self.on_subscribed(room)
                return
            try:
                master = self._master_for(room)
                # Both channels of a room share its slot: one SSUBSCRIBE may name them.
                await master.pubsub.ssubscribe(*self._channels(room))
            except REDIS_ERRORS as exc:
                self._lost(f"subscribing to room {room}: {exc}")
                return
            master.rooms.add(room)
            if master.task is None:
                master.task = asyncio.get_running_loop().create_task(self._read(master))

    async def _unsubscribe(self, room: str) -> None:
        async with self._lock:
            if room in self._wanted:
                return
            for master in self._masters.values():
                if room in master.rooms:
                    master.rooms.discard(room)
                    with contextlib.suppress(*REDIS_ERRORS):
                        await master.pubsub.sunsubscribe(*self._channels(room))

    async def _read(self, master: _Master) -> None:
        try:
            while True:
                message = await master.pubsub.get_message(timeout=5.0)
                if message is None:
                    continue
                kind = message.get("type")
                channel = message["channel"]
                channel = channel.decode() if isinstance(channel, bytes) else str(channel)
                if kind == "smessage":
                    self.on_message(channel, message["data"])
                elif kind == "ssubscribe" and channel.startswith(NOTIFY):
                    self.on_subscribed(self.keys.room_of(channel))
                elif kind == "sunsubscribe" and self.keys.room_of(channel) in master.rooms:
                    # Not asked for: the slot moved or its master stepped down.
                    self._lost(f"Redis ended the subscription of {channel} (slot moved)")
                    return
        except asyncio.CancelledError:
            raise
        except (*REDIS_ERRORS, RuntimeError, ValueError) as exc:
            self._lost(f"lost a cluster node's subscription: {exc}")

    # --- rebuilding after a failover -------------------------------------------

    def _lost(self, reason: str) -> None:
        if self._rebuild is not None and not self._rebuild.done():
            self._again = True
            return
        log.warning("broker: %s; subscribing again from a fresh slot map", reason)
        self._rebuild = asyncio.get_running_loop().create_task(self._rebuild_all())

    async def _close_masters(self) -> None:
        masters, self._masters = list(self._masters.values()), {}
        current = asyncio.current_task()
        for master in masters:
            if master.task is current:  # a reader that reported its own loss
                master.task = None
            await master.close()

    async def _rebuild_all(self) -> None:
        """Read the slot map again and subscribe every wanted room on its new master.

        Only a cluster of which no node answers counts as Redis lost (the
        server then drops its rooms, server/backends.py). A single master that
        is gone stops its own rooms' writes until its replica takes over
        (seconds: ``cluster-node-timeout``); the other rooms go on, and no
        room decides on a stale state, since every append checks the seq.
        """
        delay = 0.1
        while True:
            self._again = False
            async with self._lock:
                await self._close_masters()
                try:
                    await self.cluster.nodes_manager.initialize()
                except REDIS_ERRORS as exc:
                    if not self._down:
                        self._down = True
                        self.on_connection(False, str(exc))
                    log.warning("broker: no cluster node answers (%s); again in %.1f s", exc, delay)
                else:
                    if self._down:
                        self._down = False
                        self.on_connection(True, "")
                    try:
                        for room in sorted(self._wanted):
                            master = self._master_for(room)
                            await master.pubsub.ssubscribe(*self._channels(room))
                            master.rooms.add(room)
                        for master in self._masters.values():
                            master.task = asyncio.get_running_loop().create_task(self._read(master))
                    except REDIS_ERRORS as exc:
                        await self._close_masters()
                        log.warning("broker: cluster not ready (%s); again in %.1f s", exc, delay)
                    else:
                        if not self._again:
                            log.info("broker: subscribed again on the cluster")
                            return
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)
