"""The console per vote tick at the 40-phase agenda limit: what the flush renders.

Run: ``.venv/bin/python -m loadtests.agenda_console`` (about a minute).

An event with 40 phases (each with notes, references to polls, boards and
Q&A, a slide; carried prompts on some), 200 participants, 10 polls and two
clustered boards is built in memory through ``rooms.room.handle``. Then
each tick is one vote (what a plenum does to the console a hundred times)
followed by what the hub does per tick for a console: ``Presenter.shared``.
Measured in the same run, in alternation, three ways:

- ``all``: every console fragment rendered (the flush before it knew what
  changed), the big ones through the digest cache (``_cached_part``);
- ``dirty``: only the fragments that read the polls (what a vote changed),
  the rest reused, without the digest cache (the agenda panel reads the
  polls, so it is rendered; done by taking it out of ``CACHED_CONSOLE_PARTS``);
- ``dirty+digest``: as ``dirty``, the agenda panel through the digest cache
  (what the server does).

Printed: the median and p90 of each, of the agenda part alone rendered and
through the digest, and a tick that does change the agenda
(``agenda.extend``), which still renders it. Numbers go into
docs/benchmarks.md by hand.
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
VARIANTS = ("all", "dirty", "dirty+digest")
VOTE = {"polls"}  # what a vote changes (rooms.room.writes_of)


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
    presenters = {v: Presenter(renderer, lambda code: code) for v in VARIANTS}
    last = {v: p.shared("console", "de", room.state, online) for v, p in presenters.items()}
    shows = present.CACHED_CONSOLE_PARTS[PART]
    template = present.PAGE_PARTS["console"][PART]
    results: dict[str, list[float]] = {k: [] for k in (*VARIANTS, "part", "part-digest")}
    voter = iter(pids)
    options = [o.id for o in room.state.polls.by_id[poll].options]
    for tick in range(args.ticks):
        who = Actor(Role.PARTICIPANT, next(voter, pids[tick % len(pids)]))
        done = handle(
            room.state, Vote(poll=poll, choice=options[tick % len(options)]), who, None, 0
        )
        assert done.ok, done
        assert done.activities == VOTE, done
        # Rotate which variant goes first, so none always meets a warm CPU cache.
        for variant in VARIANTS[tick % 3 :] + VARIANTS[: tick % 3]:
            presenter = presenters[variant]

            def tick_of(v: str = variant, p: Presenter = presenter) -> None:
                dirty = None if v == "all" else VOTE
                last[v] = p.shared("console", "de", room.state, online, dirty, last[v])

            if variant == "dirty":
                del present.CACHED_CONSOLE_PARTS[PART]
                try:
                    results[variant].append(timed(tick_of))
                    ctx = presenter.console_context(room.state, online)
                    results["part"].append(
                        timed(partial(renderer.render, "de", template, oob=True, **ctx))
                    )
                finally:
                    present.CACHED_CONSOLE_PARTS[PART] = shows
            else:
                results[variant].append(timed(tick_of))
                if variant == "dirty+digest":
                    ctx = presenter.console_context(room.state, online)
                    results["part-digest"].append(
                        timed(partial(presenter._cached_part, PART, "de", template, ctx))
                    )
    changed: list[float] = []
    presenter = presenters["dirty+digest"]
    for n in range(20):
        done = handle(room.state, ExtendPhase(minutes=1 if n % 2 else -1), MOD, None, 0)
        assert done.ok
        changed.append(
            timed(
                lambda: presenter.shared(
                    "console", "de", room.state, online, {"agenda"}, last["dirty+digest"]
                )
            )
        )
    print(f"# {platform.node()}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"# {args.phases} phases, {len(pids)} participants, {args.ticks} ticks (one vote each)")
    print(f"agenda part, rendered:              {summary(results['part'])}")
    print(f"agenda part, through the digest:    {summary(results['part-digest'])}")
    for variant in VARIANTS:
        print(f"console tick, {variant + ':':22}{summary(results[variant])}")
    print(f"console tick that changes the agenda (extend): {summary(changed)}")
    base = statistics.median(results["all"])
    for variant in VARIANTS[1:]:
        print(f"ratio {variant}/all console tick: {statistics.median(results[variant]) / base:.2f}")


if __name__ == "__main__":
    main()
