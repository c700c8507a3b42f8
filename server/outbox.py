"""One subscriber's outgoing messages: bounded, and latest-wins per view.

A view is a state, not a delta, so an undelivered render of a view is simply
replaced by the newer one. A slow phone therefore holds at most one pending
copy of each view plus a few acks, never a growing queue, and never slows
the others: each subscriber drains its own outbox in its own task.

While that task is idle (nothing waiting, no send in flight), a ``put``
starts the send itself instead of waking the task: a socket send that does
not need to wait for the network finishes at once, so a tick to a thousand
phones is one loop, not a thousand task wake-ups. A send that would wait
(the transport's buffer is over its high-water mark) is handed, mid-way, to
the subscriber's own task, so the sender (the hub's flush) never waits for
a slow phone. Where the server lets it (:mod:`server.framesend`), a direct
send skips even the ASGI send and writes the frame itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Generator, Sequence
from typing import Any

Message = str | bytes
"""A text message: a str, or the same text already encoded as UTF-8 (a JSON state
built from parts encoded once per tick, server/present.py)."""

Send = Callable[[Message], Coroutine[Any, Any, None]]


class OutboxOverflow(Exception):
    """More distinct messages are waiting than the limit allows."""


class _Rest:
    """The rest of a send that began outside the drain task and had to wait.

    ``yield from`` for a coroutine that already ran up to its first
    suspension: the awaiting task waits for what it was waiting for, then
    resumes it (and passes a cancellation on to it).
    """

    __slots__ = ("_coro", "_waiting_on")

    def __init__(self, coro: Coroutine[Any, Any, None], waiting_on: Any) -> None:
        self._coro = coro
        self._waiting_on = waiting_on

    def close(self) -> None:
        """Abandon the send: nobody will await it."""
        self._coro.close()

    def __await__(self) -> Generator[Any, None, None]:
        coro, waiting_on = self._coro, self._waiting_on
        while True:
            try:
                yield waiting_on
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:  # passed on to the send, as ``yield from`` does
                try:
                    waiting_on = coro.throw(exc)
                except StopIteration:
                    return
                continue
            try:
                waiting_on = coro.send(None)
            except StopIteration:
                return


def _page_part(text: Message) -> str:
    """A page's part: always a str (only JSON states are built as bytes)."""
    return text if isinstance(text, str) else text.decode()


def joinable(key: str) -> bool:
    """A page's HTML part (``shared:<part>``, ``personal``), as opposed to a JSON ack."""
    return key.startswith("shared:") or key == "personal"


class Outbox:
    """``join``: the subscriber is a page (htmx swaps every out-of-band element of
    one message), so the parts of one tick, and whatever parts wait together,
    go as one frame: one write per socket per tick instead of one per part
    (docs/architecture.md, "One frame per tick")."""

    def __init__(self, limit: int = 64, join: bool = False) -> None:
        self.join = join
        self._items: dict[str, Message] = {}
        self._ready = asyncio.Event()
        self._limit = limit
        self.closed = False
        self._send: Send | None = None  # set while the drain task idles: put may send
        self._rest: _Rest | None = None  # a direct send that has to wait, for the task
        self._failed: Exception | None = None  # a direct send that failed, for the task
        self.direct = 0  # sends finished by put itself (diagnostics, tests)
        # Writes a whole frame at once where the server allows (server/framesend.py):
        # tried first by a direct send; when it declines, the ASGI send goes as before.
        self.write: Callable[[Message], bool] | None = None

    def put(self, key: str, text: Message) -> None:
        """Queue ``text`` under ``key``, replacing an older unsent message with that key.

        If the drain task is idle, send ``text`` now instead (see the module's
        docstring); what cannot finish at once goes to the task.
        """
        if self.closed:
            return
        send = self._send
        if send is not None:
            write = self.write
            if write is not None and write(text):
                self.direct += 1
                return
            self._send = None
            coro = send(text)
            try:
                waiting_on = coro.send(None)
            except StopIteration:
                self._send = send  # sent; the task stays idle
                self.direct += 1
                return
            except Exception as exc:  # the task raises it, as if its own send had
                self._failed = exc
            else:
                self._rest = _Rest(coro, waiting_on)
            self._ready.set()
            return
        self._items.pop(key, None)
        self._items[key] = text
        if len(self._items) > self._limit:
            raise OutboxOverflow(f"{len(self._items)} messages waiting")
        self._ready.set()

    def put_many(self, frames: Sequence[tuple[str, Message]]) -> None:
        """Queue one tick's messages; a page's parts go as one frame when the task is idle.

        Waiting parts keep their own keys (latest-wins per part) and are joined
        when they are sent (:meth:`next`).
        """
        if (
            self.join
            and self._send is not None
            and len(frames) > 1
            and all(joinable(key) for key, _ in frames)
        ):
            self.put("joined", "".join(_page_part(text) for _, text in frames))
            return
        for key, text in frames:
            self.put(key, text)

    @property
    def idle(self) -> bool:
        """The drain task waits with nothing in flight: a ``put`` sends by itself."""
        return self._send is not None

    def __len__(self) -> int:
        return len(self._items)

    async def next(self, send: Send | None = None) -> Message | Awaitable[None] | None:
        """The oldest waiting message, or a direct send to finish; None once closed.

        With ``send``, a ``put`` while this waits sends by itself.
        """
        while True:
            if self._failed is not None:
                failed, self._failed = self._failed, None
                raise failed
            if self._rest is not None:
                rest, self._rest = self._rest, None
                return rest
            if self._items:
                key = next(iter(self._items))
                if self.join and joinable(key):
                    return self._joined()
                return self._items.pop(key)
            if self.closed:
                return None
            self._ready.clear()
            self._send = send
            try:
                await self._ready.wait()
            finally:
                self._send = None

    def _joined(self) -> str:
        """The waiting page parts from the front, up to the first JSON message, as one text."""
        keys = []
        for key in self._items:
            if not joinable(key):
                break
            keys.append(key)
        return "".join([_page_part(self._items.pop(key)) for key in keys])

    def close(self) -> None:
        self.closed = True
        self._send = None
        self._items.clear()
        self._ready.set()

    def discard(self) -> None:
        """Close, and drop the frame writer and a direct send the drain task never took over.

        For a session that has ended (its drain task is done): a send begun by
        :meth:`put` that had to wait is a suspended coroutine of the server's
        protocol, and one that failed is an exception whose traceback holds
        ``put``'s frame, which holds this outbox: either keeps the closed
        connection alive, the second in a reference cycle that only the
        cyclic GC frees (server/live.py, ``Session._unlink``).
        """
        self.close()
        self.write = None  # the frame writer holds the server's protocol
        if self._rest is not None:
            self._rest.close()
            self._rest = None
        self._failed = None


async def drain(
    outbox: Outbox,
    send: Send,
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
        while (job := await outbox.next(send)) is not None:
            started += 1
            pending = True
            try:
                await (send(job) if isinstance(job, str | bytes) else job)
            except asyncio.CancelledError:
                if not stuck:
                    raise
                task.uncancel()
                outbox.close()
                await on_stuck()
                return
            pending = False
            # Not kept while the task idles: a socket lasts hours, and its last
            # message (a welcome, a whole state, a console render) held by each
            # of 1,000 idle senders was tens of MB of a stamina run's RSS.
            job = None
    finally:
        if handle is not None:
            handle.cancel()
