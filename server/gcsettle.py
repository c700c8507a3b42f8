"""Keep a room's long-lived objects out of the cyclic GC's full collections.

A join storm of 1,000 phones leaves some 200,000 GC-tracked objects behind
(connections with their protocol, task and scope objects, and the room's
state). CPython's generation-2 collection walks all of them, and once
enough new objects have piled up it does so in the middle of whatever
comes next: in the plenum load test a 115-580 ms pause ten seconds after
the joins, during the votes, which made the ack p99 (docs/benchmarks.md).

So once the room has been quiet for ``quiet_s`` (no new subscriber), or at
the latest ``max_wait_s`` after the first unfrozen arrival, ``gc.freeze()``
moves everything alive to the permanent generation, and later full
collections walk only what is new. Frozen objects are still freed by
reference counting; only reference cycles among them wait until
:meth:`thaw` (an idle room was dropped, or the server stops) returns them
to the collector.
"""

from __future__ import annotations

import asyncio
import gc


class GcSettler:
    def __init__(self, quiet_s: float = 2.0, max_wait_s: float = 10.0) -> None:
        self.quiet_s = quiet_s
        self.max_wait_s = max_wait_s
        self._handle: asyncio.TimerHandle | None = None
        self._first: float | None = None  # loop time of the first poke since the last freeze
        self.freezes = 0

    def poke(self) -> None:
        """Something long-lived arrived: freeze once things have been quiet for a while."""
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
        gc.freeze()
        self.freezes += 1

    def thaw(self) -> None:
        """Hand every frozen object back to the collector (no collection now)."""
        gc.unfreeze()

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._first = None
        self.thaw()
