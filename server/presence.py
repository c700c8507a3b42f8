"""Presence: who is connected to a room right now, on this worker and on the others.

A job of its own because it is the one view of a room that is not in the
log. Who joined is an event; who is online changes with every Wi-Fi
hiccup, so it is counted from connections instead, and yet every worker's
screen must count the same people. So each worker counts its own
connections per participant (a phone with two tabs is one person), shares
that set through the broker, at most once per ``delay`` and renewed every
``refresh`` while anyone is here (the broker lets a field expire after 3×
that), and reads the union of the others' sets when they announce theirs.

It tells its owner (the fan-out) only when the union changed, since every
shared view that shows a count must then be rendered again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from server.broker import Broker
from server.stores.base import StoreError

log = logging.getLogger("dialograum.hub.presence")


class Presence:
    """One room's online set on this worker (see the module docstring)."""

    def __init__(
        self,
        code: str,
        broker: Broker,
        changed: Callable[[], None],
        *,
        shared: bool = False,
        delay: float = 0.25,
        refresh: float = 10.0,
    ) -> None:
        self.code = code
        self.broker = broker
        self._changed = changed
        self._shared = shared  # several workers: share the set through the broker
        self._delay = delay  # online changes are shared at most this often
        self._refresh = refresh  # and renewed this often (the TTL is 3x)
        self._here: dict[str, int] = {}  # participant -> open connections on this worker
        self._elsewhere: frozenset[str] = frozenset()  # online on other workers
        # The union, as every view counts it; built when read, not at every arrival: a
        # join storm's thousand arrivals each copied the whole set (O(n²); 3 % of the
        # event loop in the join profile), when the fan-out reads it once per tick.
        self._online: frozenset[str] | None = frozenset()
        self._share_handle: asyncio.TimerHandle | None = None
        self._share_task: asyncio.Task[None] | None = None
        self._refresh_handle: asyncio.TimerHandle | None = None
        self._share_again = False
        self._background: set[asyncio.Task[None]] = set()
        self._stopped = False

    async def load(self) -> None:
        """Learn who is online on the other workers."""
        try:
            self._elsewhere = await self.broker.online_elsewhere(self.code)
        except StoreError as exc:
            log.warning("room %s: presence unavailable: %s", self.code, exc)
        self._online = None

    @property
    def online(self) -> frozenset[str]:
        """Who is online on any worker."""
        if self._online is None:
            self._online = self._elsewhere.union(self._here)
        return self._online

    @property
    def count(self) -> int:
        """How many are online, without building the set where it is not needed."""
        if self._online is None and not self._elsewhere:
            return len(self._here)
        return len(self.online)

    def stop(self) -> None:
        """Share nothing more; this worker's field in the broker expires."""
        for timer in (self._share_handle, self._refresh_handle):
            if timer is not None:
                timer.cancel()
        self._share_handle = self._refresh_handle = None
        self._stopped = True

    def running(self) -> set[asyncio.Task[None]]:
        """The tasks still talking to the broker (see ``Hub.close``)."""
        tasks = set(self._background)
        if self._share_task is not None:
            tasks.add(self._share_task)
        return {t for t in tasks if not t.done()}

    def arrived(self, participant: str) -> None:
        """One more connection of ``participant`` on this worker."""
        count = self._here.get(participant, 0)
        self._here[participant] = count + 1
        if count == 0:
            self._here_changed(participant)

    def left(self, participant: str) -> None:
        """One connection of ``participant`` on this worker closed."""
        count = self._here.get(participant, 0) - 1
        if count <= 0:
            self._here.pop(participant, None)
            self._here_changed(participant)
        else:
            self._here[participant] = count

    def notice(self) -> None:
        """Another worker announced that its online set changed: read them all again."""
        task = asyncio.get_running_loop().create_task(self._refresh_elsewhere())
        self._background.add(task)  # the loop keeps only a weak reference
        task.add_done_callback(self._background.discard)

    def _set_online(self) -> None:
        """The other workers' sets were read again: tell the owner if the union moved."""
        before = self._online
        self._online = None
        if before is None or self.online != before:
            self._changed()

    def _here_changed(self, participant: str) -> None:
        """A participant came or went here: count them now, tell other workers soon."""
        if participant not in self._elsewhere:  # else the union is the same
            self._online = None
            self._changed()
        if self._share_handle is None and self._shared and not self._stopped:
            loop = asyncio.get_running_loop()
            self._share_handle = loop.call_later(self._delay, self._share_due)

    def _share_due(self) -> None:
        self._share_handle = None
        if self._stopped:
            return
        if self._share_task is not None:
            self._share_again = True  # shared once more when the running share ends
            return
        self._share_task = asyncio.get_running_loop().create_task(self._share())

    async def _share(self) -> None:
        """Share this worker's online set, and renew it while anyone is here."""
        try:
            again = True
            while again:
                self._share_again = False
                try:
                    await self.broker.share_online(self.code, frozenset(self._here))
                except StoreError as exc:
                    log.warning("room %s: could not share presence: %s", self.code, exc)
                again = self._share_again and not self._stopped
        finally:
            self._share_task = None
        if self._refresh_handle is not None:
            self._refresh_handle.cancel()
            self._refresh_handle = None
        if self._here and not self._stopped:
            loop = asyncio.get_running_loop()
            self._refresh_handle = loop.call_later(self._refresh, self._share_due)

    async def _refresh_elsewhere(self) -> None:
        try:
            self._elsewhere = await self.broker.online_elsewhere(self.code)
        except StoreError as exc:
            log.warning("room %s: presence unavailable: %s", self.code, exc)
            return
        self._set_online()
