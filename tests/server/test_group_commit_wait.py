"""A busy room's batch waits a moment for more commands (``Writer._gather``).

Each test sets the wait to a minute where the batch must *not* wait: the
30-second guard then fails it on any machine, however slow, instead of a
timing assertion that a busy machine could break.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from rooms.base import Actor, Role
from rooms.lobby.domain import CreateEvent, Join, Rename
from rooms.room import RoomState, handle
from server.broker import LocalBroker
from server.hub import Hub, HubSettings
from server.stores.sqlite import SqliteStore
from server.writer import GATHER_ENOUGH, GATHER_SEEN, Result, encode_entry
from tests.server.test_hub import CountingPresenter

pytestmark = pytest.mark.anyio

MakeHub = Callable[[float], Awaitable[Hub]]


@pytest.fixture
async def make_hub(tmp_path: Path) -> AsyncIterator[MakeHub]:
    """Hubs on one SQLite file, each its own room, with the wait they are given."""
    store = SqliteStore(tmp_path / "gather.sqlite3")
    await store.open()
    hubs: list[Hub] = []

    async def make(gather_s: float) -> Hub:
        code = f"ROOM{len(hubs):02d}"
        created = handle(RoomState(), CreateEvent(code, "T"), Actor(Role.ADMIN), None, 0)
        await store.create_room(code, encode_entry(created.envelopes[0]))
        settings = HubSettings(gather_s=gather_s, burst=1e9, per_second=1e9)
        hub = Hub(code, store, LocalBroker(), CountingPresenter(), settings)
        await hub.load()
        hubs.append(hub)
        return hub

    yield make
    for hub in hubs:
        await hub.close()
    await store.close()


def joins(hub: Hub, first: int, count: int) -> list[asyncio.Task[Result]]:
    """``count`` joins, each from a phone of its own (a guest scoped by its client)."""
    return [
        asyncio.create_task(
            hub.submit(Actor(Role.GUEST, client=f"c{i}"), Join(f"p{i}", f"P{i}"), f"j{i}")
        )
        for i in range(first, first + count)
    ]


async def until(condition: Callable[[], bool]) -> None:
    """Let the loop run until ``condition`` holds; fail after 30 s."""
    async with asyncio.timeout(30):
        while not condition():  # noqa: ASYNC110 - the writer has no event to wait on
            await asyncio.sleep(0)


async def test_a_busy_rooms_batch_waits_and_goes_once_it_is_large_enough(
    make_hub: MakeHub,
) -> None:
    hub = await make_hub(60.0)
    first = joins(hub, 0, GATHER_SEEN)  # eight phones at once: a busy room
    await until(lambda: hub.writer.gathered == 1)
    assert hub.writer.appends == 0, "the batch went without waiting"
    assert not any(task.done() for task in first)
    rest = joins(hub, GATHER_SEEN, GATHER_ENOUGH - GATHER_SEEN)
    async with asyncio.timeout(30):  # enough now: it goes long before the minute is up
        results = await asyncio.gather(*first, *rest)
    assert all(r.ok for r in results)
    assert hub.writer.appends == 1  # sixteen commands, one append
    assert sorted(r.seq for r in results if r.seq) == list(range(2, 2 + GATHER_ENOUGH))
    assert hub.state.lobby.joined == GATHER_ENOUGH


async def test_a_waiting_batch_goes_after_the_wait(make_hub: MakeHub) -> None:
    hub = await make_hub(0.05)
    async with asyncio.timeout(30):
        results = await asyncio.gather(*joins(hub, 0, GATHER_SEEN))
    assert all(r.ok for r in results)
    assert (hub.writer.gathered, hub.writer.appends) == (1, 1)


async def test_a_quiet_room_does_not_wait(make_hub: MakeHub) -> None:
    hub = await make_hub(60.0)
    async with asyncio.timeout(30):
        results = await asyncio.gather(*joins(hub, 0, GATHER_SEEN - 1))
    assert all(r.ok for r in results)
    assert hub.writer.gathered == 0


async def test_one_client_sending_command_after_command_does_not_wait(
    make_hub: MakeHub,
) -> None:
    """A script awaits each ack before its next command: nothing could join its batch."""
    hub = await make_hub(60.0)
    assert (await hub.submit(Actor(Role.GUEST, client="c"), Join("p", "P"), "j")).ok
    me = Actor(Role.PARTICIPANT, "p")
    async with asyncio.timeout(30):
        for i in range(3 * GATHER_SEEN):
            assert (await hub.submit(me, Rename(f"P{i}"), f"r{i}")).ok
    assert hub.writer.gathered == 0
    assert hub.writer.appends == 1 + 3 * GATHER_SEEN


async def test_no_wait_when_it_is_off(make_hub: MakeHub) -> None:
    hub = await make_hub(0.0)
    async with asyncio.timeout(30):
        results = await asyncio.gather(*joins(hub, 0, GATHER_SEEN))
    assert all(r.ok for r in results)
    assert hub.writer.gathered == 0
