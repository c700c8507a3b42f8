"""The console's agenda panel per tick, at the 40-phase limit: cached against uncached.

Run: ``.venv/bin/python -m loadtests.agenda_console`` (about a minute).

An event with 40 phases (each with notes, references to polls, boards and
Q&A, a slide; carried prompts on some), 200 participants, 10 polls and two
clustered boards is built in memory through ``rooms.room.handle``. Then
each tick is one vote (what a plenum does to the console a hundred times)
followed by what the hub does per tick for a console: ``Presenter.shared``.
Measured in the same run, in alternation:

- ``uncached``: the agenda part rendered on every tick (the code before
  this change; done by taking it out of ``CACHED_CONSOLE_PARTS``);
- ``cached``: the agenda part looked up by the digest of what it shows.

Printed: the median and p90 of the agenda part alone and of the whole
console tick, and a tick that does change the agenda (``agenda.extend``),
which still renders it. Numbers go into docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from functools import partial

from rooms.activities import Limits
from rooms.agenda.domain import AddPhase, Carry, ExtendPhase, NextPhase
from rooms.base import Actor, Role
from rooms.ideas.domain import AssignIdea, CreateBoard, CreateCluster, PostIdea
from rooms.lobby.domain import CreateEvent, Join
from rooms.polls.domain import CreatePoll, OpenPoll, PollKind, Vote
from rooms.qna.domain import CreateQna
from rooms.room import Command, RoomState, handle
from server import present
from server.present import Presenter
from server.render import Renderer

ADMIN = Actor(Role.ADMIN)
MOD = Actor(Role.MODERATOR)
PART = "console-agenda"


class Room:
    def __init__(self) -> None:
        self.state = RoomState()
        self.limits = Limits()
        self.clock = 1_764_489_600_000

    def do(self, actor: Actor, command: Command) -> str | None:
        self.clock += 50
        done = handle(self.state, command, actor, None, self.clock, self.limits)
        assert done.ok, (command, done.reason)
        return done.id


def build(phases: int = 40, people: int = 200) -> tuple[Room, list[str], str]:
    room = Room()
    room.do(ADMIN, CreateEvent("AGENDA", "Zukunftswerkstatt Revier 2030", date="2025-11-30"))
    pids = [f"{i:016x}" for i in range(people)]
    for i, pid in enumerate(pids):
        room.do(Actor(Role.GUEST), Join(pid, f"Person {i}"))
    polls = []
    for n in range(10):
        options = ["Ja", "Nein", "Weiß nicht"]
        made = room.do(
            MOD,
            CreatePoll(  # named: an anonymous ballot needs its poll's secret (a server's)
                kind=PollKind.SINGLE,
                question=f"Frage {n + 1} zur Region?",
                options=options,
                anonymous=False,
            ),
        )
        assert made is not None
        polls.append(made)
    room.do(MOD, OpenPoll(polls[0]))
    boards = []
    for n in range(2):
        board = room.do(MOD, CreateBoard(prompt=f"Was läuft schief im Revier? ({n + 1})"))
        assert board is not None
        boards.append(board)
        for c in range(4):
            cluster = room.do(MOD, CreateCluster(board=board, name=f"Thema {c + 1}"))
            assert cluster is not None
            for k in range(3):
                who = Actor(Role.PARTICIPANT, pids[c * 3 + k])
                idea = room.do(who, PostIdea(board=board, text=f"Karte {c}.{k}"))
                assert idea is not None
                room.do(MOD, AssignIdea(idea=idea, cluster=cluster))
    session = room.do(MOD, CreateQna(title="Fragen an das Podium"))
    note = "Auf die Zeit achten; Karten vorlesen, dann clustern. " * 6
    for n in range(phases):
        refs = [f"poll:{polls[n % 10]}", f"board:{boards[n % 2]}", f"qna:{session}", "speakers"]
        room.do(
            MOD,
            AddPhase(
                title=f"Phase {n + 1}: Kritik, Fantasie, Verwirklichung",
                minutes=15,
                notes=note,
                activities=refs[: 1 + n % 4],
                heading=f"Folie {n + 1}",
                body="Was brauchen wir, damit es gelingt?\nWer macht mit?",
            ),
        )
    order = room.state.agenda.order
    for n in range(0, phases, 4):
        room.do(MOD, Carry(from_board=boards[0], to_phase=order[n], top=3))
    room.do(MOD, NextPhase())
    room.do(MOD, NextPhase())
    return room, pids, polls[0]


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def summary(ms: list[float]) -> str:
    ms = sorted(ms)
    return f"median {statistics.median(ms):7.3f} ms  p90 {ms[int(len(ms) * 0.9)]:7.3f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, default=150, help="votes (ticks) per variant")
    parser.add_argument("--phases", type=int, default=40)
    args = parser.parse_args()
    room, pids, poll = build(args.phases)
    renderer = Renderer()
    online = frozenset(pids[:150])
    cached = Presenter(renderer, lambda code: code)
    uncached = Presenter(renderer, lambda code: code)
    shows = present.CACHED_CONSOLE_PARTS[PART]
    template = present.PAGE_PARTS["console"][PART]
    results: dict[str, list[float]] = {k: [] for k in ("part-u", "part-c", "tick-u", "tick-c")}
    for presenter in (cached, uncached):  # warm the templates and the cache
        presenter.shared("console", "de", room.state, online)
    voter = iter(pids)
    options = [o.id for o in room.state.polls.by_id[poll].options]
    for tick in range(args.ticks):
        who = Actor(Role.PARTICIPANT, next(voter, pids[tick % len(pids)]))
        room.do(who, Vote(poll=poll, choice=options[tick % len(options)]))
        # Alternate which variant goes first, so neither always meets a warm CPU cache.
        order = ("u", "c") if tick % 2 else ("c", "u")
        for variant in order:
            if variant == "u":
                del present.CACHED_CONSOLE_PARTS[PART]
                try:
                    ctx = uncached.console_context(room.state, online)
                    results["part-u"].append(
                        timed(partial(renderer.render, "de", template, oob=True, **ctx))
                    )
                    results["tick-u"].append(
                        timed(lambda: uncached.shared("console", "de", room.state, online))
                    )
                finally:
                    present.CACHED_CONSOLE_PARTS[PART] = shows
            else:
                ctx = cached.console_context(room.state, online)
                results["part-c"].append(
                    timed(partial(cached._cached_part, PART, "de", template, ctx))
                )
                results["tick-c"].append(
                    timed(lambda: cached.shared("console", "de", room.state, online))
                )
    changed: list[float] = []
    for n in range(20):
        room.do(MOD, ExtendPhase(minutes=1 if n % 2 else -1))
        changed.append(timed(lambda: cached.shared("console", "de", room.state, online)))
    print(f"# {platform.node()}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}")  # fmt: skip
    print(f"# {args.phases} phases, {len(pids)} participants, {args.ticks} ticks (one vote each)")
    print(f"agenda part, uncached (before):  {summary(results['part-u'])}")
    print(f"agenda part, cached (after):     {summary(results['part-c'])}")
    print(f"console tick, uncached (before): {summary(results['tick-u'])}")
    print(f"console tick, cached (after):    {summary(results['tick-c'])}")
    print(f"console tick that changes the agenda (extend): {summary(changed)}")
    ratio = statistics.median(results["tick-c"]) / statistics.median(results["tick-u"])
    print(f"ratio cached/uncached console tick: {ratio:.2f}")


if __name__ == "__main__":
    main()
