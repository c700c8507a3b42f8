"""The broker tells every worker's hub that a room's log has grown.

In-process for the embedded default (there is only one worker, so it only
has to keep the interface honest); Redis pub/sub for scale-out. A broker
may drop notices: hubs fill gaps from the store, which is the truth.

It also carries presence: who is connected to a room on which worker. The
log holds who joined; who is online right now is not an event (it changes
with every Wi-Fi hiccup) but every worker's screen must count the same
people, so each worker shares its own set and reads the others'.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

Listener = Callable[[str, int], None]

PRESENCE = -1  # the "seq" of a notice that says: another worker's online set changed
EVERYTHING = 2**62  # "you may have missed anything": makes every hub read the store
TURN = -2  # the "seq" of a notice that says: another worker lost append races here, hold on


class Broker(Protocol):
    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def publish(self, room: str, seq: int) -> None:
        """Announce that ``room`` now has entries up to ``seq``."""

    async def ask_turn(self, room: str) -> None:
        """Ask the other workers to hold their appends to ``room`` for a moment.

        A worker that lost the append race again and again (another worker
        kept appending while it recovered) sends this; the others get a
        :data:`TURN` notice (server/writer.py, ``give_turn``).
        """

    def subscribe(self, room: str, listener: Listener) -> Callable[[], None]:
        """Call ``listener(room, seq)`` on notices; returns the unsubscribe function.

        ``seq`` is :data:`PRESENCE` when another worker's online set changed,
        and :data:`TURN` when another worker asks for a turn at appending.
        """

    async def share_online(self, room: str, online: frozenset[str]) -> None:
        """Tell the other workers who is connected to ``room`` here (empty: nobody)."""

    async def online_elsewhere(self, room: str) -> frozenset[str]:
        """Who is connected to ``room`` on the other workers."""


class Listeners:
    """Who listens to which room: the part every broker shares."""

    def __init__(self) -> None:
        self._by_room: dict[str, list[Listener]] = {}

    def rooms(self) -> list[str]:
        return list(self._by_room)

    def add(self, room: str, listener: Listener) -> Callable[[], None]:
        self._by_room.setdefault(room, []).append(listener)

        def remove() -> None:
            listeners = self._by_room.get(room, [])
            if listener in listeners:
                listeners.remove(listener)
            if not listeners:
                self._by_room.pop(room, None)

        return remove

    def notify(self, room: str, seq: int) -> None:
        for listener in list(self._by_room.get(room, ())):
            listener(room, seq)

    def clear(self) -> None:
        self._by_room.clear()


class LocalBroker:
    def __init__(self) -> None:
        self._listeners = Listeners()

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        self._listeners.clear()

    async def publish(self, room: str, seq: int) -> None:
        self._listeners.notify(room, seq)

    async def ask_turn(self, room: str) -> None:
        return None  # one worker: nobody else appends, nobody to ask

    def subscribe(self, room: str, listener: Listener) -> Callable[[], None]:
        return self._listeners.add(room, listener)

    async def share_online(self, room: str, online: frozenset[str]) -> None:
        return None  # one worker: nobody else to tell

    async def online_elsewhere(self, room: str) -> frozenset[str]:
        return frozenset()
