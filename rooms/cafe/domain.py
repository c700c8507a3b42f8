"""World Café: tables with topics and hosts, timed rounds, and a rotation plan.

The plan (who sits where in each round) is computed by the solver in
:func:`decide` and written into the event, so replaying the log never runs
the solver again: replay stays cheap and exactly reproducible. Timers are
timestamps (``started_at``, ``ends_at``) taken from ``now``; phones and
screens count down locally from them.

Invariants that hold in log order (checked again in :func:`apply`, so two
workers racing cannot break them): a round that has started is never
re-planned (nobody moves during a round); a seat taken by check-in respects
the table's capacity. Only a table's host writes its notes, for the round
they were written in: whoever hosted the table while that round ran (each
round records them), or its host now for the current round (checked in
:func:`decide`; a note carries its round, so log order cannot move it).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

import msgspec

from rooms.base import Actor, Rejected, Role
from rooms.cafe import solver as cafe_solver
from rooms.lobby.domain import Lobby, OrganisationType
from rooms.text import one_line

COLOURS = ("blue", "green", "orange", "purple", "red", "teal", "yellow", "pink", "brown", "grey")
MAX_TABLES = 100
MAX_ROUNDS = 12
TOPIC_LENGTH = 120
MINUTE = 60_000

if TYPE_CHECKING:
    from rooms.activities import Limits


class RoundStatus(enum.StrEnum):
    PLANNED = "planned"
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"


# --- commands ---------------------------------------------------------------


class TableSpec(msgspec.Struct, frozen=True):
    topic: str
    capacity: int | None = None
    colour: str | None = None


class CreateCafe(msgspec.Struct, tag="cafe.create", frozen=True, kw_only=True):
    """Set up (or, before the first round, set up again) the café and plan every round.

    ``present`` is filled in by the transport with who is online; API
    clients may send it; without it everyone joined takes part.
    """

    tables: list[TableSpec]
    rounds: int = 3
    round_minutes: float = 20
    changeover_minutes: float = 2
    mix: bool = True
    keep_apart: list[list[str]] = msgspec.field(default_factory=list)
    keep_together: list[list[str]] = msgspec.field(default_factory=list)
    present: list[str] | None = None


class StartRound(msgspec.Struct, tag="cafe.start_round", frozen=True):
    present: list[str] | None = None


class EndRound(msgspec.Struct, tag="cafe.end_round", frozen=True):
    pass


class PauseRound(msgspec.Struct, tag="cafe.pause", frozen=True):
    pass


class ResumeRound(msgspec.Struct, tag="cafe.resume", frozen=True):
    pass


class ExtendRound(msgspec.Struct, tag="cafe.extend", frozen=True):
    minutes: float = 5


class Replan(msgspec.Struct, tag="cafe.replan", frozen=True):
    """Plan the rounds still to come again; ``drop_offline`` leaves out no-shows."""

    drop_offline: bool = False
    present: list[str] | None = None


class SetHost(msgspec.Struct, tag="cafe.set_host", frozen=True):
    table: str
    participant: str | None = None


class MovePerson(msgspec.Struct, tag="cafe.move", frozen=True):
    """Place a person by hand in the next round (or ``round``); the solver balances around it."""

    participant: str
    table: str
    round: int | None = None


class WriteNote(msgspec.Struct, tag="cafe.note", frozen=True):
    """A host's key points of one round at their table.

    ``round`` is the round the host's phone showed when they typed (the
    page's form carries it). Without it the note is for the round now
    running (or just ended): a note typed in round 2 and sent after round 3
    began would otherwise land in round 3.
    """

    table: str
    text: str
    round: int | None = None


class CheckIn(msgspec.Struct, tag="cafe.check_in", frozen=True):
    """Scanning a table card: a person without a seat in the running round sits down here."""

    table: str


def check_in_cid(cafe: Cafe, table: str) -> str:
    """The client id of a scanned table card: one per table and round, so scanning
    the same card twice in a round checks in once, and again in the next round."""
    return f"check-in-{table}-{cafe.current}"


CAFE_COMMAND_TYPES = (
    CreateCafe,
    StartRound,
    EndRound,
    PauseRound,
    ResumeRound,
    ExtendRound,
    Replan,
    SetHost,
    MovePerson,
    WriteNote,
    CheckIn,
)

CafeCommand = (
    CreateCafe
    | StartRound
    | EndRound
    | PauseRound
    | ResumeRound
    | ExtendRound
    | Replan
    | SetHost
    | MovePerson
    | WriteNote
    | CheckIn
)

# --- events -----------------------------------------------------------------


class Table(msgspec.Struct):
    id: str
    number: int
    topic: str
    colour: str
    capacity: int | None = None
    host: str | None = None


class CafeCreated(msgspec.Struct, tag="cafe.created", frozen=True):
    tables: list[Table]
    round_minutes: float
    changeover_minutes: float
    mix: bool
    keep_apart: list[list[str]]
    keep_together: list[list[str]]
    plan: list[dict[str, str]]  # per round: participant -> table id


class CafePlanned(msgspec.Struct, tag="cafe.planned", frozen=True):
    """The rounds from ``first`` (1-based) on, planned again."""

    first: int
    plan: list[dict[str, str]]


class RoundStarted(msgspec.Struct, tag="cafe.round_started", frozen=True):
    round: int
    started_at: int
    ends_at: int


class RoundEnded(msgspec.Struct, tag="cafe.round_ended", frozen=True):
    round: int
    at: int


class RoundPaused(msgspec.Struct, tag="cafe.round_paused", frozen=True):
    round: int
    remaining: int


class RoundResumed(msgspec.Struct, tag="cafe.round_resumed", frozen=True):
    round: int
    ends_at: int


class RoundExtended(msgspec.Struct, tag="cafe.round_extended", frozen=True):
    round: int
    ends_at: int
    remaining: int | None = None  # while paused


class HostSet(msgspec.Struct, tag="cafe.host_set", frozen=True):
    table: str
    participant: str | None


class PersonPinned(msgspec.Struct, tag="cafe.pinned", frozen=True):
    round: int
    participant: str
    table: str


class NoteWritten(msgspec.Struct, tag="cafe.noted", frozen=True):
    table: str
    round: int
    text: str


class CheckedIn(msgspec.Struct, tag="cafe.checked_in", frozen=True):
    round: int
    participant: str
    table: str


CAFE_EVENT_TYPES = (
    CafeCreated,
    CafePlanned,
    RoundStarted,
    RoundEnded,
    RoundPaused,
    RoundResumed,
    RoundExtended,
    HostSet,
    PersonPinned,
    NoteWritten,
    CheckedIn,
)

CafeEvent = (
    CafeCreated
    | CafePlanned
    | RoundStarted
    | RoundEnded
    | RoundPaused
    | RoundResumed
    | RoundExtended
    | HostSet
    | PersonPinned
    | NoteWritten
    | CheckedIn
)

# --- state ------------------------------------------------------------------


class Round(msgspec.Struct):
    number: int
    status: RoundStatus = RoundStatus.PLANNED
    assignments: dict[str, str] = msgspec.field(default_factory=dict)
    started_at: int | None = None
    ends_at: int | None = None
    remaining: int | None = None  # while paused
    ended_at: int | None = None
    # table id -> everyone who hosted it while this round ran, in order: a host
    # replaced mid-round may still save that round's key points
    hosted: dict[str, list[str]] = msgspec.field(default_factory=dict)

    def hosted_by(self, table_id: str, pid: str) -> bool:
        return pid in self.hosted.get(table_id, ())


class Cafe(msgspec.Struct, weakref=True):
    """The café part of a room's state. Mutated in place by :func:`apply`.

    Weakly referable, so the views can remember figures per café object.
    """

    created: bool = False
    tables: list[Table] = msgspec.field(default_factory=list)
    rounds: list[Round] = msgspec.field(default_factory=list)
    round_minutes: float = 20
    changeover_minutes: float = 2
    mix: bool = True
    keep_apart: list[list[str]] = msgspec.field(default_factory=list)
    keep_together: list[list[str]] = msgspec.field(default_factory=list)
    current: int = 0  # the last round started, 0 before the first
    plans: int = 0  # how often it was planned: the solver's seed
    version: int = 0  # bumped whenever seating or hosts change (views cache on it)
    pinned: dict[int, dict[str, str]] = msgspec.field(default_factory=dict)
    notes: dict[str, dict[int, str]] = msgspec.field(default_factory=dict)  # table -> round -> text

    def table(self, table_id: str) -> Table | None:
        return next((t for t in self.tables if t.id == table_id), None)

    def round(self, number: int) -> Round | None:
        return self.rounds[number - 1] if 1 <= number <= len(self.rounds) else None

    @property
    def running(self) -> Round | None:
        r = self.round(self.current)
        return (
            r if r is not None and r.status in (RoundStatus.RUNNING, RoundStatus.PAUSED) else None
        )

    def hosts(self) -> dict[str, str]:
        """participant -> table id, for every table with a host."""
        return {t.host: t.id for t in self.tables if t.host is not None}


# --- planning ---------------------------------------------------------------


def _people(lobby: Lobby, cafe: Cafe, present: list[str] | None, first: int) -> list[str]:
    """Who takes part in rounds ``first``…: present (or everyone), hosts, pinned; in join order."""
    here = {pid for pid, p in lobby.participants.items() if not p.left}
    wanted = here if present is None else here & set(present)
    wanted |= here & set(cafe.hosts())
    for number, pins in cafe.pinned.items():
        if number >= first:
            wanted |= here & set(pins)
    return [pid for pid in lobby.participants if pid in wanted]


def plan_rounds(
    lobby: Lobby,
    cafe: Cafe,
    people: list[str],
    first: int,
    tables: list[Table] | None = None,
    rounds: int | None = None,
) -> list[dict[str, str]]:
    """Run the solver for rounds ``first``… (1-based), the rounds before as history."""
    tables = cafe.tables if tables is None else tables
    total = len(cafe.rounds) if rounds is None else rounds
    count = total - first + 1
    if count <= 0 or not tables:
        return []
    index = {pid: i for i, pid in enumerate(people)}
    table_index = {t.id: i for i, t in enumerate(tables)}
    org_codes = {o: i for i, o in enumerate(OrganisationType)}
    orgs = []
    for pid in people:
        org = lobby.participants[pid].organisation_type
        orgs.append(org_codes[org] if org is not None and cafe.mix else -1)
    everyone = len(people)
    hosts = {table_index[t.id]: index[t.host] for t in tables if t.host in index}
    history = [
        {
            index[p]: table_index[t]
            for p, t in r.assignments.items()
            if p in index and t in table_index
        }
        for r in cafe.rounds[: first - 1]
    ]
    pinned = {
        number - first: {index[p]: table_index[t] for p, t in pins.items() if p in index}
        for number, pins in cafe.pinned.items()
        if number >= first
    }
    previous = [
        {
            index[p]: table_index[t]
            for p, t in r.assignments.items()
            if p in index and t in table_index
        }
        for r in cafe.rounds[first - 1 : total]
        if r.assignments
    ]
    if len(previous) != count:
        previous = []
    problem = cafe_solver.Problem(
        capacities=[t.capacity if t.capacity else everyone for t in tables],
        people=everyone,
        plan_rounds=count,
        orgs=orgs,
        hosts=hosts,
        history=history,
        pinned=pinned,
        apart=[[index[p] for p in g if p in index] for g in cafe.keep_apart],
        together=[[index[p] for p in g if p in index] for g in cafe.keep_together],
        previous=previous,
    )
    seed = cafe.plans + sum(map(ord, lobby.code))
    solved = cafe_solver.solve(problem, seed)
    return [
        {pid: tables[row[i]].id for i, pid in enumerate(people) if row[i] != cafe_solver.NO_SEAT}
        for row in solved
    ]


def _clean(text: str) -> str:
    return one_line(text)


def _next_round(cafe: Cafe) -> int:
    """The round a hand move or a re-plan applies to: the first not yet started."""
    return cafe.current + 1


# --- decide -----------------------------------------------------------------


def decide(
    cafe: Cafe, lobby: Lobby, command: CafeCommand, actor: Actor, now: int, limits: Limits
) -> list[CafeEvent] | Rejected:
    if isinstance(command, WriteNote):
        return _decide_note(cafe, command, actor, limits)
    if isinstance(command, CheckIn):
        return _decide_check_in(cafe, lobby, command, actor)
    if actor.role is not Role.MODERATOR:
        return Rejected("not_allowed")
    if isinstance(command, CreateCafe):
        return _decide_create(cafe, lobby, command)
    if not cafe.created:
        return Rejected("cafe_missing")
    running = cafe.running
    match command:
        case StartRound(present=present):
            if running is not None:
                return Rejected("round_running")
            number = cafe.current + 1
            upcoming = cafe.round(number)
            if upcoming is None:
                return Rejected("cafe_over")
            events: list[CafeEvent] = []
            planned = set(upcoming.assignments)
            people = _people(lobby, cafe, present, number)
            # Arrivals join the plan; people who left the event leave it. Someone
            # whose phone merely sleeps stays (use re-plan to drop no-shows).
            keep = [
                p for p in lobby.participants if p in planned and not lobby.participants[p].left
            ]
            wanted = list(dict.fromkeys(keep + people))
            if set(wanted) != planned:
                ordered = [p for p in lobby.participants if p in set(wanted)]
                events.append(CafePlanned(number, plan_rounds(lobby, cafe, ordered, number)))
            ms = round(cafe.round_minutes * MINUTE)
            events.append(RoundStarted(number, now, now + ms))
            return events
        case EndRound():
            if running is None:
                return Rejected("no_round_running")
            return [RoundEnded(running.number, now)]
        case PauseRound():
            if running is None:
                return Rejected("no_round_running")
            if running.status is RoundStatus.PAUSED or running.ends_at is None:
                return []
            return [RoundPaused(running.number, max(0, running.ends_at - now))]
        case ResumeRound():
            if running is None:
                return Rejected("no_round_running")
            if running.status is not RoundStatus.PAUSED:
                return []
            return [RoundResumed(running.number, now + (running.remaining or 0))]
        case ExtendRound(minutes=minutes):
            if running is None:
                return Rejected("no_round_running")
            if not 0 < minutes <= 120:
                return Rejected("minutes_invalid")
            extra = round(minutes * MINUTE)
            if running.status is RoundStatus.PAUSED:
                remaining = (running.remaining or 0) + extra
                return [RoundExtended(running.number, now + remaining, remaining)]
            return [RoundExtended(running.number, max(running.ends_at or now, now) + extra)]
        case Replan(drop_offline=drop, present=present):
            first = _next_round(cafe)
            if cafe.round(first) is None:
                return Rejected("cafe_over")
            if drop:
                people = _people(lobby, cafe, present, first)
            else:
                planned = set(cafe.rounds[first - 1].assignments)
                online = set(_people(lobby, cafe, present, first))
                people = [
                    p
                    for p, who in lobby.participants.items()
                    if not who.left and (p in planned or p in online)
                ]
            return [CafePlanned(first, plan_rounds(lobby, cafe, people, first))]
        case SetHost(table=table_id, participant=pid):
            table = cafe.table(table_id)
            if table is None:
                return Rejected("table_not_found")
            if pid is not None:
                who = lobby.participants.get(pid)
                if who is None or who.left:
                    return Rejected("participant_not_found")
                if pid in cafe.hosts() and cafe.hosts()[pid] != table_id:
                    return Rejected("already_host")
            if table.host == pid:
                return []
            return _with_replan(lobby, cafe, [HostSet(table_id, pid)])
        case MovePerson(participant=pid, table=table_id, round=number):
            table = cafe.table(table_id)
            if table is None:
                return Rejected("table_not_found")
            who = lobby.participants.get(pid)
            if who is None or who.left:
                return Rejected("participant_not_found")
            number = _next_round(cafe) if number is None else number
            if number <= cafe.current:
                return Rejected("round_started")
            if cafe.round(number) is None:
                return Rejected("cafe_over")
            if pid in cafe.hosts():
                return Rejected("host_stays")
            target = cafe.rounds[number - 1]
            seated = sum(1 for t in target.assignments.values() if t == table_id)
            already = target.assignments.get(pid) == table_id
            if table.capacity and seated >= table.capacity and not already:
                return Rejected("table_full")
            return _with_replan(lobby, cafe, [PersonPinned(number, pid, table_id)])
    raise AssertionError(f"unhandled café command {command!r}")  # pragma: no cover


def _with_replan(lobby: Lobby, cafe: Cafe, events: list[CafeEvent]) -> list[CafeEvent]:
    """Follow a change of hosts or pins by a plan for the rounds still to come.

    The change is applied to a copy first, so the solver sees it; the plan
    keeps who is in it (the previous plan's people), plus any new host.
    """
    first = _next_round(cafe)
    if cafe.round(first) is None:
        return events
    trial = msgspec.convert(msgspec.to_builtins(cafe), Cafe)
    for event in events:
        apply(trial, lobby, event)
    planned = set(cafe.rounds[first - 1].assignments)
    people = [
        p
        for p, who in lobby.participants.items()
        if not who.left and (p in planned or p in trial.hosts() or _pinned(trial, p, first))
    ]
    return [*events, CafePlanned(first, plan_rounds(lobby, trial, people, first))]


def _pinned(cafe: Cafe, pid: str, first: int) -> bool:
    return any(pid in pins for number, pins in cafe.pinned.items() if number >= first)


def _decide_create(cafe: Cafe, lobby: Lobby, command: CreateCafe) -> list[CafeEvent] | Rejected:
    if cafe.current > 0:
        return Rejected("cafe_started")
    if not 1 <= len(command.tables) <= MAX_TABLES:
        return Rejected("tables_invalid")
    if not 1 <= command.rounds <= MAX_ROUNDS:
        return Rejected("rounds_invalid")
    if not 0 < command.round_minutes <= 240 or not 0 <= command.changeover_minutes <= 60:
        return Rejected("minutes_invalid")
    tables = []
    for i, spec in enumerate(command.tables, start=1):
        topic = _clean(spec.topic)
        if not topic:
            return Rejected("topic_missing")
        if len(topic) > TOPIC_LENGTH:
            return Rejected("topic_too_long")
        if spec.capacity is not None and not 1 <= spec.capacity <= 1000:
            return Rejected("capacity_invalid")
        colour = spec.colour if spec.colour in COLOURS else COLOURS[(i - 1) % len(COLOURS)]
        old = cafe.table(f"t{i}")
        tables.append(Table(f"t{i}", i, topic, colour, spec.capacity, old.host if old else None))
    groups = [*command.keep_apart, *command.keep_together]
    if any(_unknown(lobby, entry) for group in groups for entry in group):
        return Rejected("names_unknown")
    apart = [_resolve(lobby, g) for g in command.keep_apart]
    together = [_resolve(lobby, g) for g in command.keep_together]
    fresh = Cafe(
        created=True,
        tables=tables,
        rounds=[Round(n) for n in range(1, command.rounds + 1)],
        round_minutes=command.round_minutes,
        changeover_minutes=command.changeover_minutes,
        mix=command.mix,
        keep_apart=[g for g in apart if len(g) > 1],
        keep_together=[g for g in together if len(g) > 1],
        plans=cafe.plans,
    )
    people = _people(lobby, fresh, command.present, 1)
    plan = plan_rounds(lobby, fresh, people, 1)
    return [
        CafeCreated(
            tables,
            command.round_minutes,
            command.changeover_minutes,
            command.mix,
            fresh.keep_apart,
            fresh.keep_together,
            plan,
        )
    ]


def _unknown(lobby: Lobby, entry: str) -> bool:
    """A mixing-group entry that names nobody who ever joined: most likely a typo,
    which must not make the constraint vanish without a word."""
    if entry in lobby.participants:
        return False
    wanted = " ".join(entry.split()).casefold()
    return not any(p.name and p.name.casefold() == wanted for p in lobby.participants.values())


def _resolve(lobby: Lobby, group: list[str]) -> list[str]:
    """A mixing group's members: participant ids, or display names (the console's
    form), matched without regard to case; someone who left drops out."""
    by_name: dict[str, list[str]] = {}
    for pid, p in lobby.participants.items():
        if not p.left and p.name:
            by_name.setdefault(p.name.casefold(), []).append(pid)
    found: list[str] = []
    for entry in group:
        who = lobby.participants.get(entry)
        if who is not None and not who.left:
            found.append(entry)
        else:
            found.extend(by_name.get(" ".join(entry.split()).casefold(), []))
    return list(dict.fromkeys(found))


def _decide_note(
    cafe: Cafe, command: WriteNote, actor: Actor, limits: Limits
) -> list[CafeEvent] | Rejected:
    table = cafe.table(command.table)
    if table is None:
        return Rejected("table_not_found")
    if cafe.current == 0:
        mine = actor.role is Role.MODERATOR or table.host == actor.participant
        return Rejected("no_round_running" if mine else "not_host")
    number = cafe.current if command.round is None else command.round
    r = cafe.round(number)
    if r is None or number > cafe.current:
        return Rejected("round_not_found")
    if actor.role is not Role.MODERATOR and not may_note(cafe, table, r, actor.participant):
        return Rejected("not_host")
    text = command.text.strip()
    if len(text) > limits.cafe.notes_length:
        return Rejected("notes_too_long")
    if cafe.notes.get(table.id, {}).get(number, "") == text:
        return []
    return [NoteWritten(table.id, number, text)]


def may_note(cafe: Cafe, table: Table, r: Round, pid: str | None) -> bool:
    """Whether ``pid`` may write ``table``'s key points of round ``r``.

    Its host now, for the round now running or just ended; or anyone who
    hosted it while that round ran. So a host the moderator replaces while
    they type keeps the round they hosted, and a note sent after the next
    round began still counts for the round it was written in.
    """
    if pid is None:
        return False
    if r.hosted_by(table.id, pid):
        return True
    return table.host == pid and r.number == cafe.current


def _decide_check_in(
    cafe: Cafe, lobby: Lobby, command: CheckIn, actor: Actor
) -> list[CafeEvent] | Rejected:
    if actor.role is not Role.PARTICIPANT or actor.participant is None:
        return Rejected("not_allowed")
    me = lobby.participants.get(actor.participant)
    if me is None or me.left:
        return Rejected("not_joined")
    table = cafe.table(command.table)
    if table is None:
        return Rejected("table_not_found")
    running = cafe.running
    if running is None:
        return Rejected("no_round_running")  # the scan says so, rather than nothing
    if me.id in running.assignments:
        return []  # the plan already has a seat for them: their phone shows it
    if not _has_room(table, running):
        return Rejected("table_full")
    return [CheckedIn(running.number, me.id, table.id)]


def _has_room(table: Table, r: Round) -> bool:
    seated = sum(1 for t in r.assignments.values() if t == table.id)
    return table.capacity is None or seated < table.capacity


# --- apply ------------------------------------------------------------------


def apply(cafe: Cafe, lobby: Lobby, event: CafeEvent) -> set[str]:
    """Fold one café event in; returns the participants whose own view changed."""
    if isinstance(event, CafeCreated):
        if cafe.current > 0:
            return set()
        touched = {p for r in cafe.rounds for p in r.assignments} | set(cafe.hosts())
        cafe.created = True
        cafe.tables = [msgspec.structs.replace(t) for t in event.tables]
        cafe.rounds = [Round(n, assignments=dict(a)) for n, a in enumerate(event.plan, start=1)]
        cafe.round_minutes = event.round_minutes
        cafe.changeover_minutes = event.changeover_minutes
        cafe.mix = event.mix
        cafe.keep_apart = event.keep_apart
        cafe.keep_together = event.keep_together
        cafe.pinned = {}
        cafe.notes = {}
        cafe.plans += 1
        cafe.version += 1
        return touched | {p for r in cafe.rounds for p in r.assignments} | set(cafe.hosts())
    if not cafe.created:
        return set()
    match event:
        case CafePlanned(first=first, plan=plan):
            if first <= cafe.current:
                return set()  # a round that started is never re-planned
            changed: set[str] = set()
            for offset, seating in enumerate(plan):
                r = cafe.round(first + offset)
                if r is None:
                    break
                changed |= set(r.assignments) ^ set(seating)
                changed |= {p for p, t in seating.items() if r.assignments.get(p) != t}
                r.assignments = dict(seating)
            cafe.plans += 1
            cafe.version += 1
            return changed
        case RoundStarted(round=number):
            r = cafe.round(number)
            if r is None or number != cafe.current + 1 or cafe.running is not None:
                return set()
            r.status = RoundStatus.RUNNING
            r.started_at, r.ends_at = event.started_at, event.ends_at
            r.hosted = {t.id: [t.host] for t in cafe.tables if t.host is not None}
            cafe.current = number
            return _seated(cafe, number) | _seated(cafe, number + 1)
        case RoundEnded(round=number, at=at):
            r = cafe.round(number)
            if r is None or r.status not in (RoundStatus.RUNNING, RoundStatus.PAUSED):
                return set()
            r.status = RoundStatus.DONE
            r.ended_at = at
            r.remaining = None
            return _seated(cafe, number) | _seated(cafe, number + 1)
        case RoundPaused(round=number, remaining=remaining):
            r = cafe.round(number)
            if r is None or r.status is not RoundStatus.RUNNING:
                return set()
            r.status = RoundStatus.PAUSED
            r.remaining = remaining
            return _seated(cafe, number)
        case RoundResumed(round=number, ends_at=ends_at):
            r = cafe.round(number)
            if r is None or r.status is not RoundStatus.PAUSED:
                return set()
            r.status = RoundStatus.RUNNING
            r.ends_at, r.remaining = ends_at, None
            return _seated(cafe, number)
        case RoundExtended(round=number, ends_at=ends_at, remaining=remaining):
            r = cafe.round(number)
            if r is None or r.status not in (RoundStatus.RUNNING, RoundStatus.PAUSED):
                return set()
            r.ends_at = ends_at
            if r.status is RoundStatus.PAUSED:
                r.remaining = remaining
            return _seated(cafe, number)
        case HostSet(table=table_id, participant=pid):
            table = cafe.table(table_id)
            if table is None or (pid is not None and pid in cafe.hosts()):
                return set()
            before = table.host
            table.host = pid
            running = cafe.running
            if running is not None and pid is not None and not running.hosted_by(table_id, pid):
                running.hosted.setdefault(table_id, []).append(pid)
            cafe.version += 1
            return {p for p in (before, pid) if p is not None}
        case PersonPinned(round=number, participant=pid, table=table_id):
            if number <= cafe.current or cafe.table(table_id) is None:
                return set()
            cafe.pinned.setdefault(number, {})[pid] = table_id
            return set()
        case NoteWritten(table=table_id, round=number, text=text):
            if cafe.table(table_id) is None:
                return set()
            cafe.notes.setdefault(table_id, {})[number] = text
            table = cafe.table(table_id)
            return {table.host} if table is not None and table.host else set()
        case CheckedIn(round=number, participant=pid, table=table_id):
            r = cafe.round(number)
            table = cafe.table(table_id)
            if (
                r is None
                or table is None
                or r.status not in (RoundStatus.RUNNING, RoundStatus.PAUSED)
                or pid in r.assignments
                or not _has_room(table, r)
            ):
                return set()
            r.assignments[pid] = table_id
            cafe.version += 1
            return {pid}
    return set()


def _seated(cafe: Cafe, number: int) -> set[str]:
    r = cafe.round(number)
    return set() if r is None else set(r.assignments)
