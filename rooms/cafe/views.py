"""What the screen, one participant and the console see of the World Café.

The public view carries tables, topics, timers and the harvest (the hosts'
notes are meant to be shared); only the moderator's view carries the plan,
who sits where, and its quality figures. A participant sees their own table
for the current and the next round.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict

import msgspec

from rooms.cafe.domain import Cafe, Round, RoundStatus, Table
from rooms.cafe.solver import quality
from rooms.lobby.domain import Lobby


class Note(msgspec.Struct, frozen=True):
    round: int
    text: str


class CafeTableView(msgspec.Struct, frozen=True):
    id: str
    number: int
    topic: str
    colour: str
    capacity: int | None
    host: str | None
    host_name: str | None
    seated: int  # in the current round, or the next one between rounds
    notes: list[Note]


class CafeRoundView(msgspec.Struct, frozen=True, omit_defaults=True):
    number: int
    status: str
    seated: int
    started_at: int | None = None
    ends_at: int | None = None
    remaining: int | None = None  # while paused
    ended_at: int | None = None
    assignments: dict[str, str] | None = None  # the moderator's view only


class CafeQuality(msgspec.Struct, frozen=True):
    """The plan's figures (see ``cafe_solver.quality``): repeats count (k-1)² for
    a pair who sat together k times, the measure the solver minimises."""

    repeats: int
    revisits: int
    mix: float
    unseated: int
    pairs: int = 0  # pairs who sat together more than once
    most: int = 0  # the most meetings of any pair
    floor: int = 0  # no plan with these table loads repeats less (played rounds as played)


class CafePerson(msgspec.Struct, frozen=True):
    """One row of the console's plan: a person's table number in each round."""

    id: str
    name: str | None
    organisation_type: str | None
    host: bool
    tables: list[int | None]


class CafeView(msgspec.Struct, frozen=True, omit_defaults=True):
    tables: list[CafeTableView]
    rounds: list[CafeRoundView]
    current: int
    phase: str  # "ready" | "round" | "paused" | "changeover" | "done"
    round_minutes: float
    changeover_minutes: float
    changeover_ends_at: int | None = None
    quality: CafeQuality | None = None
    people: list[CafePerson] | None = None


class Seat(msgspec.Struct, frozen=True):
    round: int
    table: str
    number: int
    topic: str
    colour: str
    host: bool


class MyCafe(msgspec.Struct, frozen=True, omit_defaults=True):
    phase: str
    rounds: int
    current: Seat | None = None
    next: Seat | None = None
    host_of: str | None = None  # table id
    note: str = ""  # my table's notes for this round, when I host it (or hosted it)
    round: int = 0
    ends_at: int | None = None
    remaining: int | None = None
    changeover_ends_at: int | None = None
    # the table I hosted in this round and host no more (the moderator chose
    # another host): I may still save its key points of this round
    hosted: Seat | None = None


def phase(cafe: Cafe) -> str:
    r = cafe.round(cafe.current)
    if r is None:
        return "ready"
    if r.status is RoundStatus.RUNNING:
        return "round"
    if r.status is RoundStatus.PAUSED:
        return "paused"
    return "done" if cafe.current >= len(cafe.rounds) else "changeover"


def _shown_round(cafe: Cafe) -> Round | None:
    """The round whose seating the room sees now: the running one, else the next."""
    running = cafe.running
    return running if running is not None else cafe.round(cafe.current + 1)


def _changeover_end(cafe: Cafe) -> int | None:
    r = cafe.round(cafe.current)
    if r is None or r.status is not RoundStatus.DONE or r.ended_at is None:
        return None
    if cafe.current >= len(cafe.rounds):
        return None
    return r.ended_at + round(cafe.changeover_minutes * 60_000)


def cafe_view(cafe: Cafe, lobby: Lobby, moderator: bool = False) -> CafeView | None:
    if not cafe.created:
        return None
    shown = _shown_round(cafe)
    seated: dict[str, int] = {}
    if shown is not None:
        for t in shown.assignments.values():
            seated[t] = seated.get(t, 0) + 1
    tables = [
        CafeTableView(
            t.id,
            t.number,
            t.topic,
            t.colour,
            t.capacity,
            t.host,
            _name(lobby, t.host),
            seated.get(t.id, 0),
            [Note(n, text) for n, text in sorted(cafe.notes.get(t.id, {}).items()) if text],
        )
        for t in cafe.tables
    ]
    rounds = [
        CafeRoundView(
            r.number,
            r.status.value,
            len(r.assignments),
            r.started_at,
            r.ends_at,
            r.remaining,
            r.ended_at,
            dict(r.assignments) if moderator else None,
        )
        for r in cafe.rounds
    ]
    view = CafeView(
        tables,
        rounds,
        cafe.current,
        phase(cafe),
        cafe.round_minutes,
        cafe.changeover_minutes,
        _changeover_end(cafe),
    )
    if not moderator:
        return view
    return msgspec.structs.replace(
        view, quality=plan_quality(cafe, lobby), people=plan_people(cafe, lobby)
    )


# Quality is O(people x table size x rounds); the console renders every tick,
# so it is remembered per café until the seating changes (``version``) or the
# organisation type of someone in the plan does (the mix depends on it: a
# worker that loads the room from the log must show the same figures).
_Orgs = dict[str, str | None]
_QUALITY: OrderedDict[int, tuple[weakref.ref[Cafe], int, int, _Orgs, CafeQuality]] = OrderedDict()


def plan_quality(cafe: Cafe, lobby: Lobby) -> CafeQuality:
    """Repeats (with their floor), revisits and mix over every round, played and planned."""
    orgs = _planned_orgs(cafe, lobby)
    cached = _QUALITY.get(id(cafe))
    if (
        cached is not None
        and cached[0]() is cafe  # the very same object, not a new one at its address
        and cached[1:4] == (cafe.version, cafe.current, orgs)
    ):
        q = cached[4]
    else:
        q = _plan_quality(cafe, lobby, orgs)
        _QUALITY[id(cafe)] = (weakref.ref(cafe), cafe.version, cafe.current, orgs, q)
        _QUALITY.move_to_end(id(cafe))
        while len(_QUALITY) > 64:
            _QUALITY.popitem(last=False)
    return msgspec.structs.replace(q, unseated=_unseated(cafe, lobby))


def _planned_orgs(cafe: Cafe, lobby: Lobby) -> _Orgs:
    """The organisation type of everyone in the plan (O(people x rounds), no more)."""
    tables = {t.id for t in cafe.tables}
    people = {p for r in cafe.rounds for p, t in r.assignments.items() if t in tables}
    return {
        p: (o.value if (o := lobby.participants[p].organisation_type) else None)
        for p in people
        if p in lobby.participants
    }


def _plan_quality(cafe: Cafe, lobby: Lobby, orgs: _Orgs | None = None) -> CafeQuality:
    if orgs is None:
        orgs = _planned_orgs(cafe, lobby)
    index = {t.id: i for i, t in enumerate(cafe.tables)}
    seatings = [{p: index[t] for p, t in r.assignments.items() if t in index} for r in cafe.rounds]
    q = quality(seatings, len(cafe.tables), orgs, set(cafe.hosts()), played=cafe.current)
    return CafeQuality(q.repeats, q.revisits, q.mix, 0, q.pairs, q.most, q.floor)


def _unseated(cafe: Cafe, lobby: Lobby) -> int:
    """Present people without a seat in the running (or next) round."""
    shown = _shown_round(cafe)
    if shown is None:
        return 0
    seated = shown.assignments
    return sum(1 for p, who in lobby.participants.items() if not who.left and p not in seated)


def plan_people(cafe: Cafe, lobby: Lobby) -> list[CafePerson]:
    number = {t.id: t.number for t in cafe.tables}
    hosts = cafe.hosts()
    planned = {p for r in cafe.rounds for p in r.assignments}
    rows = []
    for pid, who in lobby.participants.items():
        if pid not in planned:
            continue
        rows.append(
            CafePerson(
                pid,
                who.name,
                who.organisation_type.value if who.organisation_type else None,
                pid in hosts,
                [number.get(r.assignments.get(pid, "")) for r in cafe.rounds],
            )
        )
    rows.sort(key=lambda row: (not row.host, (row.name or "~").lower(), row.id))
    return rows


def _seat(cafe: Cafe, number: int, pid: str) -> Seat | None:
    r = cafe.round(number)
    if r is None or pid not in r.assignments:
        return None
    table = cafe.table(r.assignments[pid])
    if table is None:
        return None
    return Seat(number, table.id, table.number, table.topic, table.colour, table.host == pid)


def my_cafe(cafe: Cafe, pid: str) -> MyCafe | None:
    if not cafe.created:
        return None
    now_phase = phase(cafe)
    running = cafe.running
    current = _seat(cafe, cafe.current, pid) if running is not None else None
    host_of: Table | None = next((t for t in cafe.tables if t.host == pid), None)
    shown = cafe.round(cafe.current)
    hosted: Table | None = None
    if host_of is None and shown is not None:
        hosted = next((t for t in cafe.tables if shown.hosted_by(t.id, pid)), None)
    note = ""
    writes = host_of or hosted
    if writes is not None and cafe.current:
        note = cafe.notes.get(writes.id, {}).get(cafe.current, "")
    return MyCafe(
        now_phase,
        len(cafe.rounds),
        current,
        _seat(cafe, cafe.current + 1, pid),
        host_of.id if host_of else None,
        note,
        cafe.current,
        running.ends_at if running else None,
        running.remaining if running else None,
        _changeover_end(cafe),
        None
        if hosted is None
        else Seat(cafe.current, hosted.id, hosted.number, hosted.topic, hosted.colour, False),
    )


def _name(lobby: Lobby, pid: str | None) -> str | None:
    """A host's name, as long as they are part of the event: leaving takes it off screens."""
    if pid is None:
        return None
    who = lobby.participants.get(pid)
    return who.name if who is not None and not who.left else None
