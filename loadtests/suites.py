"""The scenarios added after join and plenum, behind one entry point for ``run.py``.

Each returns ``(runs, summary)``; ``run.py`` writes them to
``results/<scenario>.json`` like the others and ``report.py`` renders
their sections (see :mod:`loadtests.sections`).
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import Any

from loadtests.scenarios import versus
from loadtests.scenarios.common import Progress

SCENARIOS = (
    "ceiling",
    "socketio",
    "brainstorm",
    "reconnect",
    "slow",
    "upvote",
    "stamina",
    "bigevent",
    "manyevents",
)
DEFAULT_N = {
    "ceiling": [1000],
    "socketio": [100, 200, 300, 400, 600, 900, 1200, 1800],
    "brainstorm": [300],
    "reconnect": [1000],
    "slow": [1000],
    "upvote": [1000],
    "stamina": [1000],
    "bigevent": [5000],
    "manyevents": [100],  # phones per event; --rooms events (50)
}
QUICK_N = {
    "ceiling": [50],
    "socketio": [50],
    "brainstorm": [20],
    "reconnect": [50],
    "slow": [40],
    "upvote": [60],
    "stamina": [30],
    "bigevent": [60],
    "manyevents": [10],
}

Quiet = Callable[[], Awaitable[float]]


async def run(
    args: argparse.Namespace, progress: Progress, quiet: Quiet
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    if args.scenario == "ceiling":
        runs = []
        for n in args.n:
            runs += await versus.run_ceiling(n, args.repeat, progress, quiet, args.source)
        return runs, versus.summarise_ceiling(runs)
    if args.scenario == "socketio":
        runs = await versus.run_socketio(
            args.n, args.repeat, args.redis_url, progress, quiet, args.source
        )
        return runs, versus.summarise_socketio(runs)
    if args.scenario == "brainstorm":
        from loadtests.scenarios import brainstorm

        return await brainstorm.suite(args, progress, quiet)
    if args.scenario == "reconnect":
        from loadtests.scenarios import reconnect

        return await reconnect.suite(args, progress, quiet)
    if args.scenario == "slow":
        from loadtests.scenarios import slow

        return await slow.suite(args, progress, quiet)
    if args.scenario == "upvote":
        from loadtests.scenarios import upvote

        return await upvote.suite(args, progress, quiet)
    if args.scenario == "stamina":
        from loadtests.scenarios import stamina

        return await stamina.suite(args, progress, quiet)
    if args.scenario == "bigevent":
        from loadtests.scenarios import bigevent

        return await bigevent.suite(args, progress, quiet)
    if args.scenario == "manyevents":
        from loadtests.scenarios import manyevents

        return await manyevents.suite(args, progress, quiet)
    raise ValueError(args.scenario)
