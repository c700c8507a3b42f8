"""An idle drain lets ``put`` send at once; a send that has to wait goes to the drain's task.

The fake socket behaves like uvicorn's: ``send`` waits only while the
transport is paused (``writable`` cleared), otherwise it writes at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from server.outbox import Message, Outbox, drain

pytestmark = pytest.mark.anyio


class FakeSocket:
    def __init__(self) -> None:
        self.writable = asyncio.Event()
        self.writable.set()
        self.wire: list[str] = []
        self.interrupted: list[BaseException] = []
        self.fail: Exception | None = None

    async def send(self, text: Message) -> None:
        if self.fail is not None:
            raise self.fail
        try:
            await self.writable.wait()
        except BaseException as exc:
            self.interrupted.append(exc)
            raise
        self.wire.append(text if isinstance(text, str) else text.decode())


async def until(condition: Callable[[], bool]) -> None:
    """Let the loop run until ``condition()`` holds; fail after 5 s."""
    deadline = asyncio.get_running_loop().time() + 5
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0)


async def never_stuck() -> None:
    raise AssertionError("not stuck")


def start(box: Outbox, send: Callable[[Message], Coroutine[Any, Any, None]]) -> asyncio.Task[None]:
    return asyncio.get_running_loop().create_task(drain(box, send, 60, never_stuck))


async def test_put_sends_at_once_while_the_drain_is_idle() -> None:
    box, socket = Outbox(), FakeSocket()
    task = start(box, socket.send)
    await until(lambda: box.idle)
    box.put("shared", "v1")
    box.put("ack:a", "ack a")
    assert socket.wire == ["v1", "ack a"]  # before anything awaited: no task woke
    assert box.direct == 2
    assert box.idle
    box.close()
    await asyncio.wait_for(task, 5)


async def test_a_send_that_must_wait_goes_to_the_task_in_order_and_latest_wins() -> None:
    box, socket = Outbox(), FakeSocket()
    task = start(box, socket.send)
    await until(lambda: box.idle)
    socket.writable.clear()  # the transport's buffer is full: this phone reads slowly
    box.put("shared", "v1")
    box.put("ack:a", "ack a")
    box.put("shared", "v2")  # v1 is on its way already: v2 waits behind it
    box.put("shared", "v3")  # replaces v2, unsent
    assert socket.wire == []
    assert not box.idle
    socket.writable.set()
    await until(lambda: len(socket.wire) == 3)
    assert socket.wire == ["v1", "ack a", "v3"]
    await until(lambda: box.idle)
    box.put("shared", "v4")
    assert socket.wire[-1] == "v4"
    box.close()
    await asyncio.wait_for(task, 5)


async def test_a_slow_phone_does_not_hold_up_a_fast_one() -> None:
    slow, fast = FakeSocket(), FakeSocket()
    slow_box, fast_box = Outbox(), Outbox()
    tasks = [start(slow_box, slow.send), start(fast_box, fast.send)]
    await until(lambda: slow_box.idle and fast_box.idle)
    slow.writable.clear()
    for tick in range(3):  # a flush puts to each subscriber in turn
        slow_box.put("shared", f"t{tick}")
        fast_box.put("shared", f"t{tick}")
        assert fast.wire[-1] == f"t{tick}"
    assert slow.wire == []
    assert len(slow_box) == 1  # latest wins behind the waiting send: bounded
    slow.writable.set()
    await until(lambda: slow.wire == ["t0", "t2"])
    for box in (slow_box, fast_box):
        box.close()
    await asyncio.wait_for(asyncio.gather(*tasks), 5)


async def test_a_direct_send_that_stays_stuck_is_given_up() -> None:
    box, socket = Outbox(), FakeSocket()
    stuck = asyncio.Event()

    async def on_stuck() -> None:
        stuck.set()

    task = asyncio.get_running_loop().create_task(drain(box, socket.send, 0.05, on_stuck))
    await until(lambda: box.idle)
    socket.writable.clear()
    box.put("shared", "v1")
    await asyncio.wait_for(task, 5)
    assert stuck.is_set()
    assert box.closed
    assert len(socket.interrupted) == 1  # the waiting send was cancelled, not left behind
    assert isinstance(socket.interrupted[0], asyncio.CancelledError)


async def test_a_drain_cancelled_during_a_handed_over_send_cancels_that_send() -> None:
    box, socket = Outbox(), FakeSocket()
    task = start(box, socket.send)
    await until(lambda: box.idle)
    socket.writable.clear()
    box.put("shared", "v1")
    await until(lambda: not box.idle and len(box) == 0)
    await asyncio.sleep(0)  # let the task take the handed-over send
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert [type(e) for e in socket.interrupted] == [asyncio.CancelledError]


async def test_a_direct_send_that_fails_fails_the_drain_not_the_sender() -> None:
    box, socket = Outbox(), FakeSocket()
    task = start(box, socket.send)
    await until(lambda: box.idle)
    socket.fail = ConnectionResetError("gone")
    box.put("shared", "v1")  # the hub's flush is not the one to hear about it
    with pytest.raises(ConnectionResetError):
        await asyncio.wait_for(task, 5)


async def test_put_queues_while_no_drain_waits() -> None:
    box, socket = Outbox(), FakeSocket()
    box.put("welcome", "w")  # before the session's drain starts
    assert socket.wire == []
    task = start(box, socket.send)
    await until(lambda: socket.wire == ["w"])
    box.close()
    await asyncio.wait_for(task, 5)


async def test_a_pages_parts_of_one_tick_go_as_one_frame() -> None:
    box, socket = Outbox(join=True), FakeSocket()
    task = start(box, socket.send)
    await until(lambda: box.idle)
    box.put_many([("shared:polls", "<a/>"), ("personal", "<b/>"), ("shared:seq", "<s/>")])
    assert socket.wire == ["<a/><b/><s/>"]
    box.put("ack:a", '{"type":"ack"}')  # JSON is never joined
    assert socket.wire[-1] == '{"type":"ack"}'
    box.close()
    await asyncio.wait_for(task, 5)


async def test_waiting_parts_keep_latest_wins_and_are_joined_up_to_an_ack() -> None:
    box, socket = Outbox(join=True), FakeSocket()
    task = start(box, socket.send)
    await until(lambda: box.idle)
    socket.writable.clear()  # a slow phone
    box.put_many([("shared:polls", "<p1/>"), ("shared:seq", "<s1/>")])  # on its way, whole
    box.put_many([("shared:polls", "<p2/>"), ("shared:seq", "<s2/>")])
    box.put("ack:a", "{ack}")
    box.put_many([("shared:polls", "<p3/>"), ("shared:seq", "<s3/>")])  # p2, s2 replaced
    box.put_many([("personal", "<me/>")])
    socket.writable.set()
    await until(lambda: len(socket.wire) == 3)
    assert socket.wire == ["<p1/><s1/>", "{ack}", "<p3/><s3/><me/>"]
    box.close()
    await asyncio.wait_for(task, 5)


async def test_an_api_outbox_never_joins() -> None:
    box, socket = Outbox(), FakeSocket()
    task = start(box, socket.send)
    await until(lambda: box.idle)
    box.put_many([("shared:polls", "<a/>"), ("shared:seq", "<s/>")])
    assert socket.wire == ["<a/>", "<s/>"]
    box.close()
    await asyncio.wait_for(task, 5)
