"""drain's stuck watch: gives up a send that hangs, not one that is merely slow or cancelled."""

from __future__ import annotations

import asyncio
import gc
import weakref

import pytest

from server.outbox import Message, Outbox, drain

pytestmark = pytest.mark.anyio


async def test_sends_that_finish_in_time_are_never_given_up() -> None:
    box = Outbox()
    sent: list[str] = []
    all_sent = asyncio.Event()

    async def send(text: Message) -> None:
        await asyncio.sleep(0)  # a send that yields, as a real socket write may
        sent.append(text if isinstance(text, str) else text.decode())
        if len(sent) == 3:
            all_sent.set()

    async def on_stuck() -> None:
        raise AssertionError("not stuck")

    task = asyncio.create_task(drain(box, send, 0.05, on_stuck))
    for i in range(3):
        box.put(f"k{i}", f"v{i}")
    await asyncio.wait_for(all_sent.wait(), 5)
    box.close()
    await asyncio.wait_for(task, 5)
    assert sent == ["v0", "v1", "v2"]


async def test_a_drain_cancelled_from_outside_stays_cancelled() -> None:
    box = Outbox()
    box.put("shared", "v1")
    sending = asyncio.Event()
    never = asyncio.Event()

    async def send(text: Message) -> None:
        sending.set()
        await never.wait()

    async def on_stuck() -> None:
        raise AssertionError("a cancelled drain is not a stuck one")

    task = asyncio.create_task(drain(box, send, 60, on_stuck))
    await asyncio.wait_for(sending.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


class Text(str):
    """A str that can be weakly referenced: is a sent message still held by someone?"""


async def test_an_idle_drain_keeps_no_message_it_sent() -> None:
    """A socket lasts hours; the last message it sent must not live as long.

    The stamina run found each idle sender task holding its last message (a
    welcome, a whole state, a console render) in its frame: 1,000 sockets,
    tens of MB. Messages queued before the task runs go through the task's
    own send (not a direct send from ``put``), the path that held them.
    """
    box = Outbox()
    count = 0
    all_sent = asyncio.Event()

    async def send(text: Message) -> None:
        nonlocal count
        await asyncio.sleep(0)  # a send that yields, as a real socket write may
        count += 1
        if count == 3:
            all_sent.set()

    async def on_stuck() -> None:
        raise AssertionError("not stuck")

    texts = [Text(f"state {i} " * 100) for i in range(3)]
    alive = [weakref.ref(t) for t in texts]
    for i, text in enumerate(texts):
        box.put(f"k{i}", text)
    del texts, text
    task = asyncio.create_task(drain(box, send, 5.0, on_stuck))
    await asyncio.wait_for(all_sent.wait(), 5)
    # The last send returned inside the task, which went on to wait for the next
    # message before this test could wake up.
    assert box.idle
    gc.collect()
    assert [ref() is None for ref in alive] == [True, True, True]
    box.close()
    await asyncio.wait_for(task, 5)
