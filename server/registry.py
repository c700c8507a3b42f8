"""Which rooms this worker holds in memory, and creating new ones.

A room is loaded (by replaying its log) on first use and kept while it has
subscribers; after the last one leaves it stays for a grace period, so a
Wi-Fi hiccup does not cost a replay, then it is dropped.
"""

from __future__ import annotations

import asyncio
import secrets

from rooms import room
from rooms.base import Actor, Rejected, Role
from rooms.codes import code_from_bytes
from rooms.lobby.domain import CreateEvent, EventDetails, Format, Language
from server.ballot_keys import BallotKeys
from server.broker import Broker
from server.fanout import Presenter, Subscriber
from server.gcsettle import GcSettler
from server.hub import Hub, HubSettings
from server.stores.base import EventStore
from server.writer import encode_entry, now_ms


class Rooms:
    def __init__(
        self,
        store: EventStore,
        broker: Broker,
        presenter: Presenter,
        hub_settings: HubSettings,
        grace: float = 60.0,
        keys: BallotKeys | None = None,
    ) -> None:
        self.store = store
        self.keys = keys if keys is not None else BallotKeys(store)
        self.broker = broker
        self.presenter = presenter
        self.hub_settings = hub_settings
        self.grace = grace
        self._hubs: dict[str, Hub] = {}
        self._loading: dict[str, asyncio.Future[Hub | None]] = {}
        self._evictions: dict[str, asyncio.TimerHandle] = {}
        # freezes long-lived objects once a join storm settles; collects after many leave
        self.gc = GcSettler()

    async def get(self, code: str) -> Hub | None:
        """The room's hub, loaded if needed; None for a code that names no event."""
        hub = self._hubs.get(code)
        if hub is not None:
            self._keep(code)
            return hub
        if code in self._loading:
            return await asyncio.shield(self._loading[code])
        future: asyncio.Future[Hub | None] = asyncio.get_running_loop().create_future()
        self._loading[code] = future
        try:
            hub = Hub(code, self.store, self.broker, self.presenter, self.hub_settings, self.keys)
            await hub.load()
            if not hub.exists:
                hub.stop()
                future.set_result(None)
                return None
            self._hubs[code] = hub
            self._keep(code)
            future.set_result(hub)
            return hub
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters re-raise it themselves
            raise
        finally:
            del self._loading[code]

    def attach(self, hub: Hub, sub: Subscriber) -> None:
        self._keep(hub.code)
        hub.attach(sub)
        self.gc.poke()

    def detach(self, hub: Hub, sub: Subscriber) -> None:
        hub.detach(sub)
        self._keep(hub.code)
        self.gc.left()

    def _keep(self, code: str) -> None:
        """(Re)arm the eviction timer for an idle room; disarm it for a busy one."""
        handle = self._evictions.pop(code, None)
        if handle is not None:
            handle.cancel()
        hub = self._hubs.get(code)
        if hub is not None and not hub.subscribers:
            loop = asyncio.get_running_loop()
            self._evictions[code] = loop.call_later(self.grace, self._evict, code)

    def _evict(self, code: str) -> None:
        self._evictions.pop(code, None)
        hub = self._hubs.get(code)
        if hub is None:
            return
        if hub.subscribers or hub.busy:
            self._keep(code)
            return
        hub.stop()
        del self._hubs[code]
        self.keys.drop(code)
        self.gc.thaw()  # the dropped room's leftovers go back to the collector

    @property
    def loaded(self) -> int:
        return len(self._hubs)

    async def create_event(
        self,
        title: str,
        format: Format,
        language: Language,
        date: str | None,
        moderator_key_hash: str,
        details: EventDetails | None = None,
    ) -> str | Rejected:
        """Create an event under a fresh join code; returns the code or the refusal."""
        for _ in range(20):
            code = code_from_bytes(secrets.token_bytes(6))
            command = CreateEvent(code, title, format, language, date, moderator_key_hash, details)
            # The room's first entry, decided and enveloped like any other command's.
            created = room.handle(
                room.RoomState(),
                command,
                Actor(Role.ADMIN),
                None,
                now_ms(),
                self.hub_settings.limits,  # the configured ones, as for every later command
            )
            if not created.ok and created.reason is not None:
                return Rejected(created.reason, created.transient)
            [entry] = created.envelopes  # event.create writes exactly one event
            if await self.store.create_room(code, encode_entry(entry)):
                return code
        raise RuntimeError("no free join code after 20 tries")

    def forget(self, code: str) -> None:
        """Drop one room now (its log was rewritten or deleted): sockets close, clients reload."""
        handle = self._evictions.pop(code, None)
        if handle is not None:
            handle.cancel()
        hub = self._hubs.pop(code, None)
        if hub is not None:
            hub.stop()
        self.keys.drop(code)

    def drop_all(self) -> None:
        """Forget every room (the store went away): close its sockets, reload on next use."""
        for handle in self._evictions.values():
            handle.cancel()
        self._evictions.clear()
        hubs, self._hubs = self._hubs, {}
        for hub in hubs.values():
            hub.stop()

    async def close(self) -> None:
        self.gc.stop()
        for handle in self._evictions.values():
            handle.cancel()
        self._evictions.clear()
        hubs, self._hubs = list(self._hubs.values()), {}
        # before the store closes: a hub's catch-up must not outlive its connections
        await asyncio.gather(*(hub.close() for hub in hubs))
