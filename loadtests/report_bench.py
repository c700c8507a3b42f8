"""Report generation for a big event: 1,000 participants, 20 polls, 900 cards, 4 café rounds.

Run: ``.venv/bin/python -m loadtests.report_bench`` (a few minutes on a busy
2-core machine). The event is built in memory through ``rooms.room.handle``,
as the hub does, then each output is made ``--runs`` times (default 3) and
the median wall time printed, with the peak memory the step allocated
(tracemalloc, in a separate untimed pass). The baseline, measured in the same
run, is what the API's ``GET /api/events/{code}/state`` does for the same
room: the moderator view encoded as JSON. Numbers go into
docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable

import msgspec

from rooms import views
from rooms.actions.domain import CreateAction, JoinAction
from rooms.activities import Limits
from rooms.base import Actor, Role
from rooms.cafe.domain import CreateCafe, EndRound, StartRound, TableSpec, WriteNote
from rooms.ideas.domain import (
    AssignIdea,
    BoardSettings,
    CreateBoard,
    CreateCluster,
    PostIdea,
    VoteDots,
)
from rooms.lobby.domain import CreateEvent, Join, OrganisationType
from rooms.polls.domain import ClosePoll, CreatePoll, OpenPoll, PollKind, Vote
from rooms.polls.pseudonyms import voter as as_voter
from rooms.room import Command, RoomState, handle
from server.render import Renderer
from server.report.files import anonymous_event_file, spreadsheet
from server.report.make import Request, render_html, render_markdown, report_of
from server.report.writers import pdf_bytes, pdf_problem

ADMIN = Actor(Role.ADMIN)
MOD = Actor(Role.MODERATOR)
WORDS = ("Fachkräfte", "Energie", "Wasserstoff", "Bildung", "Flächen", "Verkehr", "Digital",
         "Förderung", "Ausbildung", "Netze", "Handwerk", "Kita", "Pflege", "Mobilität")  # fmt: skip


class Built(msgspec.Struct):
    state: RoomState
    entries: list[bytes]
    people: list[str]


def build(people: int = 1000, polls: int = 20, cards: int = 900, rounds: int = 4) -> Built:
    state = RoomState()
    limits = Limits()
    entries: list[bytes] = []
    encode = msgspec.json.Encoder().encode
    clock = [1_764_489_600_000]  # 2025-11-30 08:00 UTC

    def do(actor: Actor, command: Command) -> str | None:
        clock[0] += 50
        if isinstance(command, Vote):  # the transport's pseudonym of an anonymous ballot
            secret = hashlib.sha256(command.poll.encode()).digest()
            actor = as_voter(state.polls, command, actor, {command.poll: secret})
        done = handle(state, command, actor, None, clock[0], limits)
        assert done.ok, (command, done.reason)
        entries.extend(encode(e) for e in done.envelopes)
        return done.id

    do(ADMIN, CreateEvent("BENCH1", "Zukunft der Industrie im Revier", date="2025-11-30"))
    types = list(OrganisationType)
    pids = [f"{i:016x}" for i in range(people)]
    for i, pid in enumerate(pids):
        do(Actor(Role.GUEST), Join(pid, f"Person {i}", types[i % len(types)]))
    kinds = list(PollKind)
    for n in range(polls):
        kind = kinds[n % len(kinds)]
        options = [f"Option {k} {WORDS[(n + k) % len(WORDS)]}" for k in range(5)]
        pid_ = do(MOD, CreatePoll(kind=kind, question=f"Frage {n + 1}: Was zuerst?",
                                  options=options if kind in (PollKind.SINGLE, PollKind.MULTIPLE,
                                  PollKind.RANKING, PollKind.POINTS) else []))  # fmt: skip
        assert pid_ is not None
        do(MOD, OpenPoll(pid_))
        ids = [f"o{k + 1}" for k in range(5)]
        for i, voter in enumerate(pids):
            who = Actor(Role.PARTICIPANT, voter)
            match kind:
                case PollKind.SINGLE:
                    vote = Vote(poll=pid_, choice=ids[i % 5])
                case PollKind.MULTIPLE:
                    vote = Vote(poll=pid_, choices=[ids[i % 5], ids[(i + 2) % 5]])
                case PollKind.SCALE:
                    vote = Vote(poll=pid_, value=1 + i % 5)
                case PollKind.RANKING:
                    vote = Vote(poll=pid_, ranking=ids[i % 5 :] + ids[: i % 5])
                case PollKind.POINTS:
                    vote = Vote(poll=pid_, points={ids[i % 5]: 60, ids[(i + 1) % 5]: 40})
                case _:
                    vote = Vote(poll=pid_, text=f"{WORDS[i % 14]} und {WORDS[(i * 7) % 14]}")
            do(who, vote)
        do(MOD, ClosePoll(pid_))
    board = do(MOD, CreateBoard(prompt="Was hemmt Innovation in der Region?"))
    assert board is not None
    card_ids = []
    for i in range(cards):
        who = Actor(Role.PARTICIPANT, pids[i % people])
        text = f"Karte {i}: {WORDS[i % 14]} braucht mehr {WORDS[(i * 5) % 14]}"
        card = do(who, PostIdea(board=board, text=text, anonymous=i % 2 == 0))
        card_ids.append(card)
    clusters = [do(MOD, CreateCluster(board=board, name=WORDS[k])) for k in range(12)]
    for i, card in enumerate(card_ids[:600]):
        do(MOD, AssignIdea(idea=card or "", cluster=clusters[i % 12]))
    do(MOD, BoardSettings(board=board, dots_open=True))
    for i, voter in enumerate(pids[:500]):
        points = {clusters[i % 12] or "": 2, clusters[(i + 5) % 12] or "": 1}
        do(Actor(Role.PARTICIPANT, voter), VoteDots(board, points))
    tables = [TableSpec(f"Tisch-Thema {WORDS[t % 14]} {t + 1}") for t in range(20)]
    do(MOD, CreateCafe(tables=tables, rounds=rounds, round_minutes=20))
    for r in range(rounds):
        do(MOD, StartRound())
        for t in range(20):
            do(MOD, WriteNote(f"t{t + 1}", f"Runde {r + 1}: {WORDS[(t + r) % 14]} " * 20))
        do(MOD, EndRound())
    for a in range(10):
        action = do(MOD, CreateAction(title=f"Maßnahme {a + 1}", owner="IHK", due="2026-06-30"))
        for voter in pids[a * 20 : a * 20 + 20]:
            who = Actor(Role.PARTICIPANT, voter)
            do(
                who,
                JoinAction(action=action or "", name="X", contact="x@example.org", consent=True),
            )
    return Built(state, entries, pids)


def timed(fn: Callable[[], object], runs: int, traced: bool = True) -> tuple[float, float, int]:
    """Median wall and CPU seconds over ``runs``, and the peak bytes one untimed run allocates.

    CPU time is printed too: on a shared machine the wall time says more about
    the neighbours than about the code. ``traced=False`` skips the memory pass
    (tracemalloc slows WeasyPrint ~10×); the caller reports peak RSS instead.
    """
    walls, cpus = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    peak = 0
    if traced:
        tracemalloc.start()
        fn()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return statistics.median(walls), statistics.median(cpus), peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    t0 = time.perf_counter()
    built = build()
    print(f"event built in {time.perf_counter() - t0:.1f} s: {len(built.entries)} log entries")
    state, online = built.state, frozenset(built.people[:800])
    renderer = Renderer()
    lang, tz = "de", "Europe/Berlin"
    encoder = msgspec.json.Encoder()
    now = 1_764_520_000_000
    every = Request(None, True)
    report = report_of(state, online, lang, every, now)
    html = render_html(renderer, report, lang, tz, controls=False)

    def model() -> object:
        return report_of(state, online, lang, every, now)

    tables = ("participation", "polls", "answers", "ideas", "dots", "cafe", "actions")
    steps: list[tuple[str, Callable[[], object]]] = [
        ("baseline: moderator view as JSON (GET …/state)",
         lambda: encoder.encode(views.moderator_view(state, online))),
        ("report model (rooms.report.build_report)", model),
        ("HTML page (model + Jinja)",
         lambda: render_html(renderer, report_of(state, online, lang, every, now), lang, tz,
                             controls=False)),
        ("XLSX (model + openpyxl)",
         lambda: spreadsheet(report_of(state, online, lang, every, now), lang, tz, "xlsx", None)),
        ("CSV, all seven (model once)",
         lambda: [spreadsheet(report, lang, tz, "csv", t) for t in tables]),
        ("Markdown (model + Jinja)",
         lambda: render_markdown(renderer, report_of(state, online, lang, every, now), lang, tz)),
        ("JSON event file, anonymised", lambda: anonymous_event_file("BENCH1", built.entries)),
    ]  # fmt: skip
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    print(f"{'step':52} {'wall s':>8} {'cpu s':>8} {'x base':>7} {'peak MB':>8}")
    base = None
    for name, fn in steps:
        wall, cpu, peak = timed(fn, args.runs)
        base = base or cpu
        print(f"{name:52} {wall:8.3f} {cpu:8.3f} {cpu / base:7.1f} {peak / 1e6:8.1f}")
    if pdf_problem() is None:
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        wall, cpu, _ = timed(lambda: pdf_bytes(html), args.runs, traced=False)
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        name = "PDF (WeasyPrint, from the HTML)"
        print(f"{name:52} {wall:8.3f} {cpu:8.3f} {cpu / (base or 1):7.1f} {'':>8}")
        pdf = pdf_bytes(html)
        print(
            f"PDF: {len(pdf) // 1024} KB; peak RSS {rss_before / 1024:.0f} MB before the PDF runs, "
            f"{rss_after / 1024:.0f} MB after"
        )
    print(f"load after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
