"""Opening the store and broker, and living with a Redis that comes and goes.

SQLite is a file next to the server: if it cannot be opened, that is a
configuration error, and the server stops with the reason. Redis is another
process, possibly another machine, that may start later or restart under
load. A server that exits when Redis is down would be restarted by systemd
straight into the same failure (a crash loop, with the reason scrolling
away in the journal), so with Redis the server starts anyway:

- it logs one clear error and retries in the background with backoff;
- pages answer 503 with a translated explanation (server/pages.py), the
  JSON API ``store_unavailable``, live sockets close with 1013 so clients
  retry and show "Verbindung wird wiederhergestellt";
- ``/healthz`` says what is wrong.

When the broker loses Redis mid-event, every room this worker holds is
dropped and its sockets are closed with 1013: clients reconnect (to any
worker), which reloads the room from the log once Redis is back, and resend
what was not acknowledged. Nothing is decided on a state that may be stale.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from server.broker import Broker
from server.registry import Rooms
from server.stores.base import EventStore, StoreError

log = logging.getLogger("dialograum")

# What /healthz and the pages may say; the details (address, error) go to the log only.
UNREACHABLE = "Redis does not answer"
LOST = "lost the connection to Redis"


class Backends:
    def __init__(
        self,
        store: EventStore,
        broker: Broker,
        rooms: Rooms,
        where: str,
        on_open: Callable[[], Awaitable[None]],
        retry: bool,
    ) -> None:
        """``on_open`` runs once both are open (shared secrets, the start banner)."""
        self.store = store
        self.broker = broker
        self.rooms = rooms
        self.where = where
        self._on_open = on_open
        self._retry = retry
        self._task: asyncio.Task[None] | None = None
        self.opened = asyncio.Event()
        self.problem: str | None = "starting"  # public: /healthz shows it

    async def start(self) -> None:
        """Open both, or (with ``retry``) log why not and keep trying in the background."""
        try:
            await self._open()
        except StoreError as exc:
            if not self._retry:
                log.error("cannot open the event store: %s", exc)
                raise SystemExit(f"Dialograum: cannot open the event store: {exc}") from exc
            self.problem = UNREACHABLE
            log.error(
                "cannot reach Redis: %s. Dialograum keeps running and tries again; "
                "pages say that the server is not ready until Redis answers.",
                exc,
            )
            self._task = asyncio.get_running_loop().create_task(self._keep_trying())

    async def _open(self) -> None:
        await self.store.open()
        try:
            await self.broker.open()
        except BaseException:
            await self.store.close()
            raise
        try:
            await self._on_open()
        except BaseException:
            await self.broker.close()
            await self.store.close()
            raise
        self.problem = None
        self.opened.set()

    async def _keep_trying(self) -> None:
        delay = 0.5
        while True:
            await asyncio.sleep(delay)
            try:
                await self._open()
            except StoreError as exc:
                delay = min(delay * 2, 10.0)
                log.warning("Redis still unreachable (%s); next try in %.0f s", exc, delay)
                continue
            log.info("Redis answers at %s; Dialograum is ready", self.where)
            return

    def connection_changed(self, up: bool, reason: str = "") -> None:
        """The broker's view of Redis: on loss, drop every room so nobody works on stale state."""
        if up:
            if self.problem is not None and self.opened.is_set():
                log.info("Redis is back; rooms load again from their logs")
                self.problem = None
            return
        if self.problem is None:
            log.error("lost Redis (%s): closing live connections until it is back", reason)
        self.problem = LOST
        self.rooms.drop_all()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.rooms.close()
        if self.opened.is_set():
            await self.broker.close()
            await self.store.close()
