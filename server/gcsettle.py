"""Keep a room's long-lived objects out of the cyclic GC's full collections, without leaking.

A join storm of 1,000 phones leaves some 200,000 GC-tracked objects behind
(connections with their protocol, task and scope objects, and the room's
state). CPython's generation-2 collection walks all of them, and once
enough new objects have piled up it does so in the middle of whatever
comes next: in the plenum load test a 115-580 ms pause ten seconds after
the joins, during the votes, which made the ack p99 (docs/benchmarks.md).

So once the room has been quiet for ``quiet_s`` (no new subscriber), or at
the latest ``max_wait_s`` after the first unfrozen arrival, ``gc.freeze()``
moves everything alive to the permanent generation, and later full
collections walk only what is new.

Frozen objects are still freed by reference counting, but a reference
cycle among them is never collected while they stay frozen, and a closed
connection was such a cycle: uvicorn's protocol, its transport, events,
headers and closures (about 100 objects, ~30 KB). Phones reconnect all
through an event, so without more this leaked every connection that had
been frozen (the stamina load test, issue 19: RSS grew with every
reconnect). Hence: once ``collect_after`` subscribers have left since the
last full collection, and at least as many as are still attached, the next
freeze first thaws and collects everything. What closed connections can
hold is then bounded by about what the open ones hold, and a join storm
(arrivals, no departures) still triggers no collection.

Since then the cycles that held the connection itself are cut when its
socket ends (server/rawsend.py, ``Session._unlink`` in server/live.py), so
reference counting frees it at once; what is left for this collection per
closed connection is Litestar's ``WebSocket`` with its two closures and
its scope (about 30 small objects), and the garbage of renders (Jinja's
macros make cycles), not the protocol, its transport and buffers.

The price is one full collection per that many departures, a pause that
grows with the heap: 0.4-2.5 s of wall time with 1,000 phones on a
machine whose load average was 11-16 (docs/benchmarks.md, "Stamina"),
measured with the threshold at a quarter of those attached, then raised
to all of them to make the pauses four times rarer.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time

from server import allocator

log = logging.getLogger("dialograum.gc")


class GcSettler:
    def __init__(
        self, quiet_s: float = 2.0, max_wait_s: float = 10.0, collect_after: int = 200
    ) -> None:
        self.quiet_s = quiet_s
        self.max_wait_s = max_wait_s
        self.collect_after = collect_after
        self._handle: asyncio.TimerHandle | None = None
        self._first: float | None = None  # loop time of the first poke since the last freeze
        self.freezes = 0
        self.attached = 0  # subscribers now, as told by poke() and left()
        self.departed = 0  # subscribers gone since the last full collection
        self.collections = 0

    def poke(self) -> None:
        """Something long-lived arrived: freeze once things have been quiet for a while."""
        self.attached += 1
        self._arm()

    def left(self) -> None:
        """A subscriber left: its connection's cycles may be frozen; collect in a while."""
        self.attached = max(0, self.attached - 1)
        self.departed += 1
        if self.departed >= self._threshold():
            self._arm()

    def _threshold(self) -> int:
        return max(self.collect_after, self.attached)

    def _arm(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        if self._first is None:
            self._first = now
        if self._handle is not None:
            self._handle.cancel()
        delay = min(self.quiet_s, max(0.0, self._first + self.max_wait_s - now))
        self._handle = loop.call_later(delay, self._freeze)

    def _freeze(self) -> None:
        self._handle = None
        self._first = None
        if self.departed >= self._threshold():
            self._collect()
        gc.freeze()
        self.freezes += 1

    def _collect(self) -> None:
        """Thaw, collect the cycles closed connections left, and (the caller) freeze again."""
        started = time.perf_counter()
        gc.unfreeze()
        found = gc.collect()
        log.info(
            "freed %d objects of %d closed connections in %.0f ms",
            found,
            self.departed,
            (time.perf_counter() - started) * 1000,
        )
        self.departed = 0
        self.collections += 1
        allocator.trim("a collection of closed connections")

    def thaw(self) -> None:
        """Hand every frozen object back to the collector (no collection now)."""
        gc.unfreeze()
        self.departed = 0

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._first = None
        self.thaw()
