"""One subscriber's outgoing messages: bounded, and latest-wins per view.

A view is a state, not a delta, so an undelivered render of a view is simply
replaced by the newer one. A slow phone therefore holds at most one pending
copy of each view plus a few acks, never a growing queue, and never slows
the others: each subscriber drains its own outbox in its own task.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


class OutboxOverflow(Exception):
    """More distinct messages are waiting than the limit allows."""


class Outbox:
    def __init__(self, limit: int = 64) -> None:
        self._items: dict[str, str] = {}
        self._ready = asyncio.Event()
        self._limit = limit
        self.closed = False

    def put(self, key: str, text: str) -> None:
        """Queue ``text`` under ``key``, replacing an older unsent message with that key."""
        if self.closed:
            return
        self._items.pop(key, None)
        self._items[key] = text
        if len(self._items) > self._limit:
            raise OutboxOverflow(f"{len(self._items)} messages waiting")
        self._ready.set()

    def __len__(self) -> int:
        return len(self._items)

    async def next(self) -> str | None:
        """The oldest waiting message; None once the outbox is closed."""
        while not self._items:
            if self.closed:
                return None
            self._ready.clear()
            await self._ready.wait()
        key = next(iter(self._items))
        return self._items.pop(key)

    def close(self) -> None:
        self.closed = True
        self._items.clear()
        self._ready.set()


async def drain(
    outbox: Outbox,
    send: Callable[[str], Awaitable[None]],
    stuck_after: float,
    on_stuck: Callable[[], Awaitable[None]],
) -> None:
    """Send until the outbox closes; a send still pending after ``stuck_after`` gives up.

    The client of a stuck connection resumes on a fresh one and gets the
    current views, so nothing is lost by closing it.

    No timer per send: a watch fires every ``stuck_after`` and gives up when
    the same send was already pending at its previous look, so a stuck send
    is caught after between one and two ``stuck_after``. (An
    ``asyncio.timeout`` around each send cost ~9 % of the server's CPU when
    every tick went to a thousand phones, in a py-spy profile of the
    ``ceiling`` load test; ``wait_for`` before it, a task per send, more.)
    """
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    started = 0  # sends begun so far
    pending = False  # one of them is in progress
    looked_at = -1  # the send that was pending at the watch's last look
    stuck = False
    handle: asyncio.TimerHandle | None = None

    def watch() -> None:
        nonlocal looked_at, stuck, handle
        if pending and started == looked_at:
            stuck = True
            task.cancel()
            return
        looked_at = started if pending else -1
        handle = loop.call_later(stuck_after, watch)

    handle = loop.call_later(stuck_after, watch)
    try:
        while (text := await outbox.next()) is not None:
            started += 1
            pending = True
            try:
                await send(text)
            except asyncio.CancelledError:
                if not stuck:
                    raise
                task.uncancel()
                outbox.close()
                await on_stuck()
                return
            pending = False
    finally:
        if handle is not None:
            handle.cancel()
