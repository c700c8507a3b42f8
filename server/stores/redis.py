"""The scale-out store: one Redis Stream per room, appended by a Lua script.

The script checks the expected last ``seq`` and adds the entries with stream
ids ``<seq>-0`` in one atomic step, so every worker sees one gap-free,
totally ordered log. Configure Redis with AOF (``appendfsync everysec``) and
``maxmemory-policy noeviction``: a log must never be evicted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from server.stores.base import SeqConflict, StoreError

log = logging.getLogger("dialograum.store")

PREFIX = "dg"

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


def log_key(room: str) -> str:
    return f"{PREFIX}:room:{room}:log"


def seq_key(room: str) -> str:
    return f"{PREFIX}:room:{room}:seq"


def secrets_key(room: str) -> str:
    """A hash of the room's poll secrets (anonymous ballots), beside its log."""
    return f"{PREFIX}:room:{room}:secrets"


ROOMS_KEY = f"{PREFIX}:rooms"


def redacted(url: str) -> str:
    """The URL without its password, for logs and messages (REDIS_URL often carries one)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname}"
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


async def connect(url: str, **options: Any) -> aioredis.Redis:
    """A client that has answered a PING, or a StoreError that says where Redis was expected."""
    client = aioredis.Redis.from_url(url, socket_connect_timeout=5, **options)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        await client.aclose()
        reason = str(exc).rstrip(".")
        raise StoreError(f"Redis at {redacted(url)} does not answer: {reason}") from exc
    return client


class RedisStore:
    def __init__(self, url: str) -> None:
        self.url = url
        self._redis: aioredis.Redis | None = None
        self._create: Any = None
        self._append: Any = None
        self._replace: Any = None
        self._delete: Any = None

    async def open(self) -> None:
        client = await connect(self.url, socket_timeout=10, health_check_interval=15)
        self._redis = client
        self._create = client.register_script(_CREATE)
        self._append = client.register_script(_APPEND)
        self._replace = client.register_script(_REPLACE)
        self._delete = client.register_script(_DELETE)

    async def close(self) -> None:
        """Close the connections, within 5 s: redis-py may wait forever for a socket
        to close (redis-py #3941), and a stop must not hang on it."""
        if self._redis is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._redis.aclose(), 5)
            self._redis = None

    def _client(self) -> aioredis.Redis:
        if self._redis is None:
            raise StoreError(f"not connected to Redis at {redacted(self.url)}")
        return self._redis

    async def create_room(self, room: str, first: bytes) -> bool:
        self._client()
        try:
            created = await self._create(
                keys=[log_key(room), seq_key(room), ROOMS_KEY], args=[first, room]
            )
        except (RedisError, OSError) as exc:
            raise StoreError(f"Redis: {exc}") from exc
        return bool(created)

    async def rooms(self) -> list[str]:
        try:
            raw = await self._client().lrange(ROOMS_KEY, 0, -1)
        except (RedisError, OSError) as exc:
            raise StoreError(f"Redis: {exc}") from exc
        return [r.decode() if isinstance(r, bytes) else str(r) for r in raw]

    async def append(self, room: str, expected_seq: int, entries: list[bytes]) -> int:
        self._client()
        try:
            ok, last = await self._append(
                keys=[log_key(room), seq_key(room)], args=[expected_seq, *entries]
            )
        except (RedisError, OSError) as exc:
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
        except (RedisError, OSError) as exc:
            raise StoreError(f"Redis: {exc}") from exc
        if not isinstance(value, bytes):
            raise StoreError(f"Redis: {key} vanished")
        return value.decode()

    async def read(self, room: str, after: int = 0) -> list[bytes]:
        try:
            rows = await self._client().xrange(log_key(room), min=f"{after + 1}-0", max="+")
        except (RedisError, OSError) as exc:
            raise StoreError(f"Redis: {exc}") from exc
        entries: list[bytes] = []
        for _, fields in rows or []:
            body = (fields or {}).get(b"e")
            if not isinstance(body, bytes):
                raise StoreError(f"Redis: malformed log entry in room {room}")
            entries.append(body)
        return entries

    async def replace(self, room: str, entries: dict[int, bytes]) -> None:
        self._client()
        args: list[Any] = []
        for seq, body in entries.items():
            args += [seq, body]
        try:
            await self._replace(keys=[log_key(room)], args=args)
        except (RedisError, OSError) as exc:
            raise StoreError(f"Redis: {exc}") from exc
        await self._rewrite_aof()

    async def delete_room(self, room: str) -> bool:
        self._client()
        try:
            existed = await self._delete(
                keys=[log_key(room), seq_key(room), ROOMS_KEY, secrets_key(room)], args=[room]
            )
        except (RedisError, OSError) as exc:
            raise StoreError(f"Redis: {exc}") from exc
        await self._rewrite_aof()
        return bool(existed)

    async def poll_secret(self, room: str, poll: str, proposed: bytes) -> bytes:
        key = secrets_key(room)
        try:
            await self._client().hsetnx(key, poll, proposed)
            value = await self._client().hget(key, poll)
        except (RedisError, OSError) as exc:
            raise StoreError(f"Redis: {exc}") from exc
        if not isinstance(value, bytes):
            raise StoreError(f"Redis: the secret of poll {poll} in room {room} vanished")
        return value

    async def poll_secrets(self, room: str) -> dict[str, bytes]:
        try:
            raw = await self._client().hgetall(secrets_key(room))
        except (RedisError, OSError) as exc:
            raise StoreError(f"Redis: {exc}") from exc
        return {
            (k.decode() if isinstance(k, bytes) else str(k)): v
            for k, v in (raw or {}).items()
            if isinstance(v, bytes)
        }

    async def delete_poll_secrets(self, room: str, polls: list[str] | None = None) -> None:
        try:
            if polls is None:
                await self._client().delete(secrets_key(room))
            elif polls:
                await self._client().hdel(secrets_key(room), *polls)
        except (RedisError, OSError) as exc:
            raise StoreError(f"Redis: {exc}") from exc
        await self._rewrite_aof()

    async def _rewrite_aof(self) -> None:
        """Ask Redis to rewrite its append-only file, which still holds the old entries.

        Best effort: a rewrite already running, AOF switched off or the
        command renamed away all leave it to the operator (docs/privacy.md).
        """
        try:
            await self._client().bgrewriteaof()
        except (RedisError, OSError) as exc:
            log.info("Redis BGREWRITEAOF after a redaction not started: %s", exc)
