"""The GC settler freezes after a quiet spell, at the latest after max_wait, and thaws."""

from __future__ import annotations

import asyncio
import gc

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
