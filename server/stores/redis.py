"""The scale-out store: one Redis Stream per room, appended by a Lua script.

The script checks the expected last ``seq`` and adds the entries with stream
ids ``<seq>-0`` in one atomic step, so every worker sees one gap-free,
totally ordered log. Configure Redis with AOF (``appendfsync everysec``) and
``maxmemory-policy noeviction``: a log must never be evicted.

On a Redis Cluster (``redis+cluster://`` or ``DIALOGRAUM_REDIS_CLUSTER=1``)
a room's keys carry the room code as a hash tag (``dg:room:{CODE}:log``), so
they share one slot and every script touches that slot only. The list of
rooms stays one key in one well-known slot, written apart from the room's
own script (docs/architecture.md, "Keys on a Redis Cluster"). A write is
acknowledged only once a replica of its slot has it too (``WAIT``), so the
failover of a master loses nothing that was acknowledged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis.asyncio as aioredis
from redis.asyncio.cluster import ClusterNode, PipelineCommand, RedisCluster
from redis.exceptions import RedisClusterException, RedisError, SlotNotCoveredError

from server.stores.base import SeqConflict, StoreError

log = logging.getLogger("dialograum.store")

PREFIX = "dg"

Client = aioredis.Redis | RedisCluster

# What a Redis that is away or reorganising raises (cluster errors are not all RedisErrors).
REDIS_ERRORS = (RedisError, RedisClusterException, OSError)

_CREATE = """
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('XADD', KEYS[1], '1-0', 'e', ARGV[1])
redis.call('SET', KEYS[2], 1)
redis.call('RPUSH', KEYS[3], ARGV[2])
return 1
"""

_APPEND = """
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
if last ~= tonumber(ARGV[1]) then return {0, last} end
for i = 2, #ARGV do
  last = last + 1
  redis.call('XADD', KEYS[1], last .. '-0', 'e', ARGV[i])
end
redis.call('SET', KEYS[2], last)
return {1, last}
"""


# Rewrite a room's stream with some entries replaced: read it, delete it, add it again
# with the same ids. Atomic like every script, so no append can slip in between.
_REPLACE = """
local wanted = {}
for i = 1, #ARGV, 2 do wanted[ARGV[i] .. '-0'] = ARGV[i + 1] end
local rows = redis.call('XRANGE', KEYS[1], '-', '+')
redis.call('DEL', KEYS[1])
for _, row in ipairs(rows) do
  local body = wanted[row[1]] or row[2][2]
  redis.call('XADD', KEYS[1], row[1], 'e', body)
end
return #rows
"""

_DELETE = """
local existed = redis.call('DEL', KEYS[1], KEYS[2])
redis.call('DEL', KEYS[4])
redis.call('LREM', KEYS[3], 0, ARGV[1])
return existed
"""

# On a cluster the room's scripts touch its own slot only; the list of rooms
# (another slot) is written by scripts of its own.
_CREATE_IN_SLOT = """
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('XADD', KEYS[1], '1-0', 'e', ARGV[1])
redis.call('SET', KEYS[2], 1)
return 1
"""

_DELETE_IN_SLOT = """
local existed = redis.call('DEL', KEYS[1], KEYS[2])
redis.call('DEL', KEYS[3])
return existed
"""

# A poll's secret: the first one proposed wins (HSETNX), and is read back.
_KEEP_FIRST = """
redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
return redis.call('HGET', KEYS[1], ARGV[1])
"""

_FORGET_SECRETS = """
if #ARGV == 0 then return redis.call('DEL', KEYS[1]) end
return redis.call('HDEL', KEYS[1], unpack(ARGV))
"""

_LIST = """
if not redis.call('LPOS', KEYS[1], ARGV[1]) then redis.call('RPUSH', KEYS[1], ARGV[1]) end
return 1
"""

_UNLIST = "return redis.call('LREM', KEYS[1], 0, ARGV[1])"

# A write that changes nothing, so that a WAIT on this connection covers every
# earlier write to the slot (WAIT counts this connection's last write only).
_TOUCH = """
local kind = redis.call('TYPE', KEYS[1])['ok']
if kind == 'string' then
  redis.call('SET', KEYS[1], redis.call('GET', KEYS[1]))
elseif kind == 'list' then
  redis.call('LSET', KEYS[1], 0, redis.call('LINDEX', KEYS[1], 0))
end
return 1
"""

ROOMS_KEY = f"{PREFIX}:rooms"

# How long an acknowledgement waits for a replica of the slot to confirm a write.
WAIT_MS = 1000

CLUSTER_SCHEMES = {"redis+cluster": "redis", "rediss+cluster": "rediss"}


def cluster_target(url: str, cluster: bool = False) -> tuple[str, bool]:
    """The URL redis-py understands, and whether it names a cluster.

    ``redis+cluster://host:port`` (or ``rediss+cluster://``) selects cluster
    mode, as does ``cluster=True`` (``DIALOGRAUM_REDIS_CLUSTER=1``) with a plain
    ``redis://`` URL; any one node of the cluster will do as the address.
    """
    scheme, sep, rest = url.partition("://")
    plain = CLUSTER_SCHEMES.get(scheme.lower())
    if sep and plain is not None:
        return f"{plain}://{rest}", True
    return url, cluster


class Keys:
    """Where a room's data lives.

    Single instance: the names every release so far has written, unchanged,
    so an existing deployment keeps its data without a migration. Cluster:
    the room code in braces, a hash tag, so a room's log, its seq, its
    presence hash and its pub/sub channels all map to one slot.
    """

    def __init__(self, cluster: bool) -> None:
        self.cluster = cluster

    def tag(self, room: str) -> str:
        return f"{{{room}}}" if self.cluster else room

    def log(self, room: str) -> str:
        return f"{PREFIX}:room:{self.tag(room)}:log"

    def seq(self, room: str) -> str:
        return f"{PREFIX}:room:{self.tag(room)}:seq"

    def online(self, room: str) -> str:
        return f"{PREFIX}:room:{self.tag(room)}:online"

    def secrets(self, room: str) -> str:
        return f"{PREFIX}:room:{self.tag(room)}:secrets"

    def notify(self, room: str) -> str:
        return f"{PREFIX}:notify:{self.tag(room)}"

    def presence(self, room: str) -> str:
        return f"{PREFIX}:presence:{self.tag(room)}"

    def room_of(self, channel: str) -> str:
        """The room a notify or presence channel belongs to."""
        room = channel.split(":", 2)[2]
        return room[1:-1] if self.cluster else room


SINGLE = Keys(cluster=False)


def log_key(room: str) -> str:
    return SINGLE.log(room)


def seq_key(room: str) -> str:
    return SINGLE.seq(room)


def secrets_key(room: str) -> str:
    """A hash of the room's poll secrets (anonymous ballots), beside its log."""
    return SINGLE.secrets(room)


def master_of(client: RedisCluster, key: str) -> ClusterNode:
    """The master that owns ``key``'s slot, as the client's slot map has it."""
    node = client.get_node_from_key(key)
    if node is None:
        raise SlotNotCoveredError(f"no node serves the slot of {key}")
    return node


def redacted(url: str) -> str:
    """The URL without its password, for logs and messages (REDIS_URL often carries one)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname}"
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


async def connect(url: str, cluster: bool = False, **options: Any) -> Client:
    """A client that has answered a PING, or a StoreError that says where Redis was expected.

    On a cluster the client learns the slot map from the node in the URL
    (CLUSTER SLOTS) and follows the cluster's redirections and failovers.
    """
    plain, cluster = cluster_target(url, cluster)
    client: Client
    if cluster:
        client = RedisCluster.from_url(plain, socket_connect_timeout=5, **options)
    else:
        client = aioredis.Redis.from_url(plain, socket_connect_timeout=5, **options)
    try:
        await client.ping()
    except REDIS_ERRORS as exc:
        await client.aclose()
        reason = str(exc).rstrip(".")
        raise StoreError(f"Redis at {redacted(url)} does not answer: {reason}") from exc
    return client


class RedisStore:
    def __init__(self, url: str, cluster: bool = False) -> None:
        self.url = url
        self.cluster = cluster_target(url, cluster)[1]
        self.keys = Keys(self.cluster)
        self._redis: Client | None = None
        self._create: Any = None
        self._append: Any = None
        self._replace: Any = None
        self._delete: Any = None
        self._refreshed = 0.0  # when the cluster's slot map was last re-read (monotonic)
        self._refresh: asyncio.Task[None] | None = None
        # writes whose slot's master did not answer, left to redis-py's routing (tests)
        self.rerouted = 0

    async def open(self) -> None:
        client = await connect(self.url, self.cluster, socket_timeout=10, health_check_interval=15)
        self._redis = client
        if isinstance(client, aioredis.Redis):
            self._create = client.register_script(_CREATE)
            self._append = client.register_script(_APPEND)
            self._replace = client.register_script(_REPLACE)
            self._delete = client.register_script(_DELETE)

    async def close(self) -> None:
        """Close the connections, within 5 s: redis-py may wait forever for a socket
        to close (redis-py #3941), and a stop must not hang on it."""
        if self._refresh is not None:
            self._refresh.cancel()
            with contextlib.suppress(BaseException):
                await self._refresh
            self._refresh = None
        if self._redis is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._redis.aclose(), 5)
            self._redis = None

    def _client(self) -> Client:
        if self._redis is None:
            raise StoreError(f"not connected to Redis at {redacted(self.url)}")
        return self._redis

    def _cluster_client(self) -> RedisCluster:
        client = self._client()
        assert isinstance(client, RedisCluster)
        return client

    async def create_room(self, room: str, first: bytes) -> bool:
        client = self._client()
        keys = self.keys
        try:
            if isinstance(client, RedisCluster):
                # Listed first: a worker that dies in between leaves a listed code
                # without a log, which rooms() passes over, never a log nobody lists.
                await self._durable([ROOMS_KEY], _LIST, [room])
                created = await self._durable(
                    [keys.log(room), keys.seq(room)], _CREATE_IN_SLOT, [first]
                )
            else:
                created = await self._create(
                    keys=[keys.log(room), keys.seq(room), ROOMS_KEY], args=[first, room]
                )
        except REDIS_ERRORS as exc:
            raise StoreError(f"Redis: {exc}") from exc
        return bool(created)

    async def rooms(self) -> list[str]:
        client = self._client()
        try:
            raw = await client.lrange(ROOMS_KEY, 0, -1)
            codes = [r.decode() if isinstance(r, bytes) else str(r) for r in raw]
            if not isinstance(client, RedisCluster) or not codes:
                return codes
            async with client.pipeline(transaction=False) as pipe:
                for code in codes:
                    pipe.exists(self.keys.seq(code))
                found = await pipe.execute()
        except REDIS_ERRORS as exc:
            raise StoreError(f"Redis: {exc}") from exc
        return [code for code, there in zip(codes, found, strict=True) if there]

    async def append(self, room: str, expected_seq: int, entries: list[bytes]) -> int:
        client = self._client()
        keys = [self.keys.log(room), self.keys.seq(room)]
        try:
            if isinstance(client, RedisCluster):
                ok, last = await self._durable(keys, _APPEND, [expected_seq, *entries])
            else:
                ok, last = await self._append(keys=keys, args=[expected_seq, *entries])
        except REDIS_ERRORS as exc:
            raise StoreError(f"Redis: {exc}") from exc
        if not ok:
            raise SeqConflict(room, expected_seq, int(last))
        return int(last)

    async def shared_value(self, name: str, proposed: str) -> str:
        """A value every worker agrees on (admin token, signing secret): the first one set wins."""
        key = f"{PREFIX}:config:{name}"
        try:
            await self._client().set(key, proposed, nx=True)
            value = await self._client().get(key)
        except REDIS_ERRORS as exc:
            raise StoreError(f"Redis: {exc}") from exc
        if not isinstance(value, bytes):
            raise StoreError(f"Redis: {key} vanished")
        return value.decode()

    async def read(self, room: str, after: int = 0) -> list[bytes]:
        try:
            rows = await self._client().xrange(self.keys.log(room), min=f"{after + 1}-0", max="+")
        except REDIS_ERRORS as exc:
            raise StoreError(f"Redis: {exc}") from exc
        entries: list[bytes] = []
        for _, fields in rows or []:
            body = (fields or {}).get(b"e")
            if not isinstance(body, bytes):
                raise StoreError(f"Redis: malformed log entry in room {room}")
            entries.append(body)
        return entries

    async def replace(self, room: str, entries: dict[int, bytes]) -> None:
        client = self._client()
        args: list[Any] = []
        for seq, body in entries.items():
            args += [seq, body]
        try:
            if isinstance(client, RedisCluster):
                await self._durable([self.keys.log(room), self.keys.seq(room)], _REPLACE, args)
            else:
                await self._replace(keys=[self.keys.log(room)], args=args)
        except REDIS_ERRORS as exc:
            raise StoreError(f"Redis: {exc}") from exc
        await self._rewrite_aof()

    async def delete_room(self, room: str) -> bool:
        client = self._client()
        keys = self.keys
        try:
            if isinstance(client, RedisCluster):
                existed = await self._durable(
                    [keys.log(room), keys.seq(room), keys.secrets(room)], _DELETE_IN_SLOT, []
                )
                await self._durable([ROOMS_KEY], _UNLIST, [room])
            else:
                existed = await self._delete(
                    keys=[keys.log(room), keys.seq(room), ROOMS_KEY, keys.secrets(room)],
                    args=[room],
                )
        except REDIS_ERRORS as exc:
            raise StoreError(f"Redis: {exc}") from exc
        await self._rewrite_aof()
        return bool(existed)

    async def poll_secret(self, room: str, poll: str, proposed: bytes) -> bytes:
        client = self._client()
        key = self.keys.secrets(room)
        try:
            if isinstance(client, RedisCluster):
                # On a replica before it is used: a secret lost in a failover would
                # give a voter a second pseudonym. The seq key is the room's slot's
                # string to WAIT on (a hash has no write that changes nothing).
                value = await self._durable(
                    [key, self.keys.seq(room)], _KEEP_FIRST, [poll, proposed]
                )
            else:
                await client.hsetnx(key, poll, proposed)
                value = await client.hget(key, poll)
        except REDIS_ERRORS as exc:
            raise StoreError(f"Redis: {exc}") from exc
        if not isinstance(value, bytes):
            raise StoreError(f"Redis: the secret of poll {poll} in room {room} vanished")
        return value

    async def poll_secrets(self, room: str) -> dict[str, bytes]:
        try:
            raw = await self._client().hgetall(self.keys.secrets(room))
        except REDIS_ERRORS as exc:
            raise StoreError(f"Redis: {exc}") from exc
        return {
            (k.decode() if isinstance(k, bytes) else str(k)): v
            for k, v in (raw or {}).items()
            if isinstance(v, bytes)
        }

    async def delete_poll_secrets(self, room: str, polls: list[str] | None = None) -> None:
        client = self._client()
        key = self.keys.secrets(room)
        try:
            if polls is not None and not polls:
                pass
            elif isinstance(client, RedisCluster):
                await self._durable([key, self.keys.seq(room)], _FORGET_SECRETS, polls or [])
            elif polls is None:
                await client.delete(key)
            else:
                await client.hdel(key, *polls)
        except REDIS_ERRORS as exc:
            raise StoreError(f"Redis: {exc}") from exc
        await self._rewrite_aof()

    async def _rewrite_aof(self) -> None:
        """Ask Redis to rewrite its append-only file, which still holds the old entries.

        Best effort: a rewrite already running, AOF switched off or the
        command renamed away all leave it to the operator (docs/privacy.md).
        On a cluster every node is asked, replicas too: they keep AOF files of
        their own.
        """
        client = self._client()
        try:
            if isinstance(client, RedisCluster):
                await client.bgrewriteaof(target_nodes=RedisCluster.ALL_NODES)
            else:
                await client.bgrewriteaof()
        except REDIS_ERRORS as exc:
            log.info("Redis BGREWRITEAOF after a redaction not started: %s", exc)

    # --- cluster: acknowledged means on a replica too -------------------------

    def _replicas(self, key: str) -> int:
        """1 if the key's slot has a replica to wait for, else 0 (the map as last read)."""
        client = self._cluster_client()
        nodes = client.nodes_manager.slots_cache.get(client.keyslot(key)) or []
        return 1 if len(nodes) > 1 else 0

    async def _durable(self, keys: list[str], script: str, args: list[Any]) -> Any:
        """Run a script on its slot's master, then WAIT for a replica, on one connection.

        WAIT covers the writes of the connection it is sent on, so script and
        WAIT go out as one pipeline to the node that owns the slot. If the
        slot moved or its master is gone, redis-py's own routing (which
        follows MOVED and fails over) runs the script, and a write that
        changes nothing is then WAITed for on the new owner: replication is
        in order, so it covers the script too. Redis replication is
        asynchronous; without the WAIT a failover could lose an acknowledged
        vote.
        """
        client = self._cluster_client()
        try:
            node = master_of(client, keys[0])
            commands = [PipelineCommand(0, "EVAL", script, len(keys), *keys, *args)]
            wanted = self._replicas(keys[0])
            if wanted:
                commands.append(PipelineCommand(1, "WAIT", wanted, WAIT_MS))
            await node.execute_pipeline(commands)
        except REDIS_ERRORS:
            pass
        else:
            result = commands[0].result
            if not isinstance(result, Exception):
                if not wanted:
                    return result
                if not isinstance(commands[1].result, Exception):
                    self._confirmed(node, wanted, commands[1].result)
                    return result
                # Written, but the WAIT's answer was lost (the master died?): confirm
                # on whoever owns the slot now, or refuse to acknowledge.
                await self._barrier(keys[-1])
                return result
        # The slot moved or its master is unreachable: let redis-py find the owner.
        self.rerouted += 1
        result = await client.eval(script, len(keys), *keys, *args)
        await self._barrier(keys[-1])
        return result

    async def _barrier(self, key: str) -> None:
        """Wait until a replica of ``key``'s slot holds every write made to it so far.

        Raises :class:`StoreError` when no master of the slot can be reached.
        """
        client = self._cluster_client()
        for _ in range(3):
            wanted = self._replicas(key)
            if not wanted:
                return
            node = master_of(client, key)
            commands = [
                PipelineCommand(0, "EVAL", _TOUCH, 1, key),
                PipelineCommand(1, "WAIT", wanted, WAIT_MS),
            ]
            try:
                await node.execute_pipeline(commands)
            except REDIS_ERRORS:
                await self._reread_slots()
                continue
            if isinstance(commands[0].result, Exception):
                await self._reread_slots()
                continue
            if isinstance(commands[1].result, Exception):
                await self._reread_slots()
                continue
            self._confirmed(node, wanted, commands[1].result)
            return
        # Not acknowledged: the command is answered store_unavailable and resent
        # with its cid, which the log (once a master answers) recognises.
        raise StoreError(f"Redis Cluster: no master confirmed that {key} is replicated")

    def _confirmed(self, node: ClusterNode, wanted: int, acked: Any) -> None:
        """A replica that did not confirm in time is down or lagging: the write stands
        (it is in the master's log), but say so, and re-read the slot map so a replica
        the cluster has marked failed is no longer waited for."""
        if isinstance(acked, int) and acked >= wanted:
            return
        log.warning(
            "Redis Cluster: %s's replica did not confirm a write within %d ms (%r)",
            node.name,
            WAIT_MS,
            acked,
        )
        if time.monotonic() - self._refreshed > 5 and (
            self._refresh is None or self._refresh.done()
        ):
            self._refresh = asyncio.get_running_loop().create_task(self._reread_slots())

    async def _reread_slots(self) -> None:
        self._refreshed = time.monotonic()
        with contextlib.suppress(*REDIS_ERRORS):
            await self._cluster_client().nodes_manager.initialize()
