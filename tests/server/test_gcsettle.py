"""The GC settler freezes after a quiet spell, at the latest after max_wait, and thaws;
after enough departures it collects what closed connections left frozen."""

from __future__ import annotations

import asyncio
import gc
import weakref

import pytest

from server.gcsettle import GcSettler


@pytest.fixture(autouse=True)
def _thawed() -> object:
    gc.unfreeze()
    yield
    gc.unfreeze()


def _signal_freezes(settler: GcSettler) -> asyncio.Event:
    """An event set after each freeze, so the test waits on it instead of polling."""
    frozen = asyncio.Event()
    freeze = settler._freeze

    def freeze_and_signal() -> None:
        freeze()
        frozen.set()

    # Patching a method on purpose: mypy refuses method assignment, rightly elsewhere.
    settler._freeze = freeze_and_signal  # type: ignore[method-assign]
    return frozen


def test_freezes_once_arrivals_stop_and_thaws_on_stop() -> None:
    async def scenario() -> None:
        settler = GcSettler(quiet_s=0.05, max_wait_s=10)
        frozen = _signal_freezes(settler)
        kept = [object() for _ in range(10)]  # something alive to freeze
        for _ in range(3):
            settler.poke()
        await asyncio.wait_for(frozen.wait(), 5)
        assert settler.freezes == 1
        assert gc.get_freeze_count() > 0
        settler.stop()
        assert gc.get_freeze_count() == 0
        del kept

    asyncio.run(scenario())


def test_a_steady_stream_of_arrivals_still_freezes_after_max_wait() -> None:
    async def scenario() -> None:
        settler = GcSettler(quiet_s=0.2, max_wait_s=0.1)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 5
        while settler.freezes == 0 and loop.time() < deadline:
            settler.poke()  # never quiet for 0.2 s
            await asyncio.sleep(0.02)
        assert settler.freezes >= 1
        settler.stop()

    asyncio.run(scenario())


class _Node:
    """A reference cycle, like a closed connection's protocol and transport."""

    def __init__(self) -> None:
        self.me = self


def test_frozen_cycles_of_departed_connections_are_collected_after_enough_leave() -> None:
    async def scenario() -> None:
        settler = GcSettler(quiet_s=0.01, max_wait_s=10, collect_after=3)
        frozen = _signal_freezes(settler)
        node = _Node()
        gone = weakref.ref(node)
        settler.poke()  # the connection arrives and is frozen with the room
        await asyncio.wait_for(frozen.wait(), 5)
        del node  # it closes: a frozen cycle, which no collection sees
        gc.collect()
        assert gone() is not None
        frozen.clear()
        for _ in range(3):  # enough connections have left
            settler.left()
        await asyncio.wait_for(frozen.wait(), 5)
        assert gone() is None
        assert settler.collections == 1
        assert gc.get_freeze_count() > 0  # frozen again after the collection
        settler.stop()

    asyncio.run(scenario())


def test_arrivals_alone_never_collect_and_few_departures_wait() -> None:
    async def scenario() -> None:
        settler = GcSettler(quiet_s=0.01, max_wait_s=10, collect_after=5)
        frozen = _signal_freezes(settler)
        for _ in range(40):  # a join storm: 40 subscribers, none leaves
            settler.poke()
        await asyncio.wait_for(frozen.wait(), 5)
        frozen.clear()
        for _ in range(6):  # more than collect_after, fewer than those still attached (34)
            settler.left()
        settler.poke()  # one more arrival: a freeze, without a collection
        await asyncio.wait_for(frozen.wait(), 5)
        assert settler.collections == 0
        assert settler.departed == 6
        settler.stop()

    asyncio.run(scenario())
