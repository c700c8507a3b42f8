"""``loadtests.flush_cost`` shortened to a smoke test: 20 phones, 5 ticks, in this process.

Asserts outcomes, never speed: every tick reached every phone (``measure``
raises otherwise) and both numbers the docs quote are there, in order.
"""

from __future__ import annotations

import asyncio

from loadtests.flush_cost import measure


def test_every_tick_reaches_every_phone_and_is_timed() -> None:
    result = asyncio.run(measure(20, ticks=5))
    assert 0 < result["us_per_phone_min"] <= result["us_per_phone_median"]
