"""The speaker list ("Redeliste", "Wortmeldungen"): who wants the microphone, in which order.

Participants ask to speak from their phones (optionally with a subject), and
may withdraw. The moderator adds people without a phone by name, reorders,
removes, calls the next speaker and closes the list. A *direct reply*
("Direktantwort") to the current speaker goes into a separate, short lane:
the moderator allows it (it is taken before the main list) or refuses it;
requests still waiting there lapse when the next regular speaker starts.

Speaking time is kept as timestamps, like the café's rounds: a turn has a
``started_at`` and, with a limit, an ``ends_at``; a pause keeps what is
left. Phones and the screen count down locally; nothing ticks on the server.
Each finished turn records how long it ran, for the report's statistics by
organisation type.

The order may alternate ("quotierte Redeliste"): between organisation types,
or between people who have not spoken yet and those who have. It is computed
by :func:`speaking_order` from the state, which the log alone determines, so
every worker shows the same list.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

import msgspec

from rooms.base import Actor, Rejected, Role
from rooms.lobby.domain import Lobby, OrganisationType, clean_name

if TYPE_CHECKING:
    from rooms.activities import Limits


class Alternate(enum.StrEnum):
    NONE = "none"
    ORGANISATION = "organisation"  # the next speaker's type differs from the last one's
    FIRST_TIME = "first_time"  # alternate between first-time and repeat speakers


class Entry(msgspec.Struct):
    """One request to speak; ``key`` is who it is (a participant, or a name the moderator added)."""

    id: str
    key: str
    participant: str | None
    name: str
    organisation_type: OrganisationType | None
    subject: str
    direct: bool
    reply_to: str | None  # a direct reply: the turn it answers
    at: int
    allowed: bool = False  # a direct reply the moderator let through


class Turn(msgspec.Struct):
    """The current speaker's turn, as timestamps (ms since the epoch)."""

    entry: str
    started_at: int
    ends_at: int | None  # None: no time limit
    running_since: int | None  # None while paused
    spoken: int = 0  # ms spoken before the last pause
    remaining: int | None = None  # ms left, while paused with a limit


class Spoken(msgspec.Struct, frozen=True):
    entry: str
    ms: int


class Speakers(msgspec.Struct):
    open: bool = True
    seconds: int = 120  # the speaking-time limit, 0 = none
    alternate: Alternate = Alternate.NONE
    queue: list[str] = msgspec.field(default_factory=list)  # the main lane, in base order
    direct: list[str] = msgspec.field(default_factory=list)  # the direct-reply lane
    entries: dict[str, Entry] = msgspec.field(default_factory=dict)  # every entry ever
    current: Turn | None = None
    history: list[Spoken] = msgspec.field(default_factory=list)
    made: int = 0

    def waiting(self) -> list[Entry]:
        return [self.entries[e] for e in (*self.direct, *self.queue)]

    def has_spoken(self) -> set[str]:
        done = {self.entries[s.entry].key for s in self.history}
        if self.current is not None:
            done.add(self.entries[self.current.entry].key)
        return done


def person_key(participant: str | None, name: str) -> str:
    return f"p:{participant}" if participant is not None else f"n:{name.casefold()}"


def _last_regular(sp: Speakers) -> tuple[Entry, bool] | None:
    """The last regular (not direct-reply) speaker, current or past, and whether they had
    spoken before that turn: what the list alternates from."""
    turns = [s.entry for s in sp.history]
    if sp.current is not None:
        turns.append(sp.current.entry)
    for i in range(len(turns) - 1, -1, -1):
        entry = sp.entries[turns[i]]
        if not entry.direct:
            before = {sp.entries[t].key for t in turns[:i]}
            return entry, entry.key in before
    return None


def speaking_order(sp: Speakers) -> list[Entry]:
    """Who speaks next, in order: allowed direct replies first, then the main list.

    With ``alternate``, each next speaker is the earliest waiting one whose
    organisation type (or first-time status) differs from the speaker before;
    only when nobody differs does the earliest one follow. First-time
    speakers go first when nobody has spoken yet.
    """
    direct = [sp.entries[e] for e in sp.direct if sp.entries[e].allowed]
    main = [sp.entries[e] for e in sp.queue]
    if sp.alternate is Alternate.NONE or len(main) < 2:
        return direct + main
    spoken = sp.has_spoken()

    def group(entry: Entry) -> object:
        if sp.alternate is Alternate.ORGANISATION:
            return entry.organisation_type
        return entry.key in spoken  # False: a first-time speaker

    last = _last_regular(sp)
    previous: object
    if last is None:  # nobody spoke: first-time speakers (or any type) start
        previous = True if sp.alternate is Alternate.FIRST_TIME else object()
    elif sp.alternate is Alternate.ORGANISATION:
        previous = last[0].organisation_type
    else:
        previous = last[1]
    order: list[Entry] = []
    rest = list(main)
    while rest:
        pick = next((e for e in rest if group(e) != previous), rest[0])
        rest.remove(pick)
        order.append(pick)
        previous = group(pick)
    return direct + order


def position(sp: Speakers, entry: str) -> int | None:
    """An entry's place (1, 2, …) in :func:`speaking_order`, if it is waiting there."""
    for place, e in enumerate(speaking_order(sp), start=1):
        if e.id == entry:
            return place
    return None


def turn_ms(turn: Turn, now: int) -> int:
    """How long a turn has run at ``now``, pauses left out."""
    running = now - turn.running_since if turn.running_since is not None else 0
    return turn.spoken + max(0, running)


# --- commands ---------------------------------------------------------------


class RequestToSpeak(msgspec.Struct, tag="speakers.request", frozen=True, kw_only=True):
    subject: str = ""
    direct: bool = False
    name: str | None = None  # for a participant who joined without a name


class Withdraw(msgspec.Struct, tag="speakers.withdraw", frozen=True, kw_only=True):
    entry: str | None = None  # None: every request of mine


class AddSpeaker(msgspec.Struct, tag="speakers.add", frozen=True, kw_only=True):
    name: str
    organisation_type: OrganisationType | None = None
    subject: str = ""


class MoveSpeaker(msgspec.Struct, tag="speakers.move", frozen=True):
    entry: str
    position: int  # 0-based, in the main list's own order


class NextSpeaker(msgspec.Struct, tag="speakers.next", frozen=True):
    pass


class RemoveSpeaker(msgspec.Struct, tag="speakers.remove", frozen=True):
    entry: str


class AllowDirect(msgspec.Struct, tag="speakers.allow", frozen=True):
    entry: str


class PauseTimer(msgspec.Struct, tag="speakers.pause", frozen=True):
    pass


class ResumeTimer(msgspec.Struct, tag="speakers.resume", frozen=True):
    pass


class SpeakerSettings(msgspec.Struct, tag="speakers.settings", frozen=True, kw_only=True):
    seconds: int = 120
    alternate: Alternate = Alternate.NONE


class CloseSpeakers(msgspec.Struct, tag="speakers.close", frozen=True):
    pass


class OpenSpeakers(msgspec.Struct, tag="speakers.open", frozen=True):
    pass


SPEAKER_COMMAND_TYPES = (
    RequestToSpeak,
    Withdraw,
    AddSpeaker,
    MoveSpeaker,
    NextSpeaker,
    RemoveSpeaker,
    AllowDirect,
    PauseTimer,
    ResumeTimer,
    SpeakerSettings,
    CloseSpeakers,
    OpenSpeakers,
)

SpeakerCommand = (
    RequestToSpeak
    | Withdraw
    | AddSpeaker
    | MoveSpeaker
    | NextSpeaker
    | RemoveSpeaker
    | AllowDirect
    | PauseTimer
    | ResumeTimer
    | SpeakerSettings
    | CloseSpeakers
    | OpenSpeakers
)

# --- events -----------------------------------------------------------------


class SpeakerRequested(msgspec.Struct, tag="speakers.requested", frozen=True):
    entry: str
    participant: str | None  # None: added by the moderator
    name: str
    organisation_type: OrganisationType | None
    subject: str
    direct: bool
    reply_to: str | None
    at: int


class SpeakerWithdrawn(msgspec.Struct, tag="speakers.withdrawn", frozen=True):
    entry: str


class SpeakerRemoved(msgspec.Struct, tag="speakers.removed", frozen=True):
    entry: str


class SpeakerMoved(msgspec.Struct, tag="speakers.moved", frozen=True):
    entry: str
    position: int


class DirectAllowed(msgspec.Struct, tag="speakers.allowed", frozen=True):
    entry: str


class TurnEnded(msgspec.Struct, tag="speakers.turn_ended", frozen=True):
    entry: str
    ms: int  # how long it ran, pauses left out


class TurnStarted(msgspec.Struct, tag="speakers.turn_started", frozen=True):
    entry: str
    started_at: int
    ends_at: int | None


class TimerPaused(msgspec.Struct, tag="speakers.paused", frozen=True):
    entry: str
    at: int


class TimerResumed(msgspec.Struct, tag="speakers.resumed", frozen=True):
    entry: str
    at: int


class SpeakerSettingsChanged(msgspec.Struct, tag="speakers.settings_changed", frozen=True):
    seconds: int
    alternate: Alternate


class SpeakersClosed(msgspec.Struct, tag="speakers.closed", frozen=True):
    pass


class SpeakersOpened(msgspec.Struct, tag="speakers.opened", frozen=True):
    pass


SPEAKER_EVENT_TYPES = (
    SpeakerRequested,
    SpeakerWithdrawn,
    SpeakerRemoved,
    SpeakerMoved,
    DirectAllowed,
    TurnEnded,
    TurnStarted,
    TimerPaused,
    TimerResumed,
    SpeakerSettingsChanged,
    SpeakersClosed,
    SpeakersOpened,
)

SpeakerEvent = (
    SpeakerRequested
    | SpeakerWithdrawn
    | SpeakerRemoved
    | SpeakerMoved
    | DirectAllowed
    | TurnEnded
    | TurnStarted
    | TimerPaused
    | TimerResumed
    | SpeakerSettingsChanged
    | SpeakersClosed
    | SpeakersOpened
)

# --- decide -----------------------------------------------------------------


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _waiting_in_lane(sp: Speakers, key: str, direct: bool) -> Entry | None:
    lane = sp.direct if direct else sp.queue
    return next((sp.entries[e] for e in lane if sp.entries[e].key == key), None)


def decide(
    sp: Speakers, lobby: Lobby, command: SpeakerCommand, actor: Actor, now: int, limits: Limits
) -> list[SpeakerEvent] | Rejected:
    if isinstance(command, RequestToSpeak | Withdraw):
        if actor.role is not Role.PARTICIPANT or actor.participant is None:
            return Rejected("not_allowed")
        me = lobby.participants.get(actor.participant)
        if me is None or me.left:
            return Rejected("not_joined")
        if lobby.closed:
            return Rejected("event_closed")
        if isinstance(command, Withdraw):
            mine = [e for e in sp.waiting() if e.participant == me.id]
            if command.entry is not None:
                mine = [e for e in mine if e.id == command.entry]
            return [SpeakerWithdrawn(e.id) for e in mine]
        name = clean_name(command.name) or me.name
        if name is None:
            return Rejected("speaker_name_missing")
        org = me.organisation_type
        return _decide_request(sp, me.id, name, org, command.subject, command.direct, now, limits)
    if actor.role is not Role.MODERATOR:
        return Rejected("not_allowed")
    match command:
        case AddSpeaker():
            name = clean_name(command.name)
            if name is None:
                return Rejected("speaker_name_missing")
            org = command.organisation_type
            return _decide_request(sp, None, name, org, command.subject, False, now, limits)
        case MoveSpeaker(entry=entry, position=to):
            if entry not in sp.queue:
                return Rejected("entry_not_found")
            target = max(0, min(to, len(sp.queue) - 1))
            return [] if sp.queue.index(entry) == target else [SpeakerMoved(entry, target)]
        case RemoveSpeaker(entry=entry):
            if entry not in sp.queue and entry not in sp.direct:
                return Rejected("entry_not_found")
            return [SpeakerRemoved(entry)]
        case AllowDirect(entry=entry):
            if entry not in sp.direct:
                return Rejected("entry_not_found")
            return [] if sp.entries[entry].allowed else [DirectAllowed(entry)]
        case NextSpeaker():
            return _decide_next(sp, now, limits)
        case PauseTimer():
            if sp.current is None:
                return Rejected("no_current_speaker")
            if sp.current.running_since is None:
                return []
            return [TimerPaused(sp.current.entry, now)]
        case ResumeTimer():
            if sp.current is None:
                return Rejected("no_current_speaker")
            if sp.current.running_since is not None:
                return []
            return [TimerResumed(sp.current.entry, now)]
        case SpeakerSettings(seconds=seconds, alternate=alternate):
            if not 0 <= seconds <= limits.speakers.max_seconds:
                return Rejected("speaking_time_invalid")
            if (seconds, alternate) == (sp.seconds, sp.alternate):
                return []
            return [SpeakerSettingsChanged(seconds, alternate)]
        case CloseSpeakers():
            return [SpeakersClosed()] if sp.open else []
        case OpenSpeakers():
            return [] if sp.open else [SpeakersOpened()]
    raise AssertionError(f"unhandled speaker command {command!r}")  # pragma: no cover


def _decide_request(
    sp: Speakers,
    participant: str | None,
    name: str,
    org: OrganisationType | None,
    raw_subject: str,
    direct: bool,
    now: int,
    limits: Limits,
) -> list[SpeakerEvent] | Rejected:
    if participant is not None and not sp.open:
        return Rejected("speakers_closed")
    if len(name) > limits.speakers.name_length:
        return Rejected("name_too_long")
    subject = _clean(raw_subject)
    if len(subject) > limits.speakers.subject_length:
        return Rejected("subject_too_long")
    key = person_key(participant, name)
    if _waiting_in_lane(sp, key, direct) is not None:
        return Rejected("already_on_list")
    reply_to = None
    if direct:
        if sp.current is None:
            return Rejected("no_current_speaker")
        if sp.entries[sp.current.entry].key == key:
            return Rejected("already_speaking")
        reply_to = sp.current.entry
    if len(sp.queue) + len(sp.direct) >= limits.speakers.max_entries:
        return Rejected("speakers_full")
    entry = f"e{sp.made + 1}"
    return [SpeakerRequested(entry, participant, name, org, subject, direct, reply_to, now)]


def turn_limit(sp: Speakers, entry: Entry, limits: Limits) -> int:
    """Seconds this speaker may talk (0: no limit); a direct reply is short."""
    if entry.direct:
        cap = limits.speakers.direct_seconds
        return min(sp.seconds, cap) if sp.seconds else cap
    return sp.seconds


def _decide_next(sp: Speakers, now: int, limits: Limits) -> list[SpeakerEvent]:
    events: list[SpeakerEvent] = []
    if sp.current is not None:
        events.append(TurnEnded(sp.current.entry, turn_ms(sp.current, now)))
    order = speaking_order(sp)
    if order:
        nxt = order[0]
        seconds = turn_limit(sp, nxt, limits)
        events.append(TurnStarted(nxt.id, now, now + seconds * 1000 if seconds else None))
    return events


# --- apply ------------------------------------------------------------------


def _people(sp: Speakers) -> set[str]:
    """The phones whose place or turn a change of the list may move."""
    touched = {e.participant for e in sp.waiting() if e.participant is not None}
    if sp.current is not None:
        speaker = sp.entries[sp.current.entry].participant
        if speaker is not None:
            touched.add(speaker)
    return touched


def apply(sp: Speakers, lobby: Lobby, event: SpeakerEvent) -> set[str]:
    """Fold one event in; returns the participants whose own view (place, turn) changed."""
    before = _people(sp)
    if not _fold(sp, lobby, event):
        return set()
    return before | _people(sp)


def _fold(sp: Speakers, lobby: Lobby, event: SpeakerEvent) -> bool:
    """Apply ``event``; False when it changes nothing (late, duplicate, or no longer valid)."""
    match event:
        case SpeakerRequested():
            return _fold_request(sp, lobby, event)
        case SpeakerWithdrawn(entry=entry) | SpeakerRemoved(entry=entry):
            for lane in (sp.queue, sp.direct):
                if entry in lane:
                    lane.remove(entry)
                    return True
            return False
        case SpeakerMoved(entry=entry, position=to):
            if entry not in sp.queue:
                return False
            sp.queue.remove(entry)
            sp.queue.insert(max(0, min(to, len(sp.queue))), entry)
            return True
        case DirectAllowed(entry=entry):
            if entry not in sp.direct or sp.entries[entry].allowed:
                return False
            sp.entries[entry].allowed = True
            return True
        case TurnEnded(entry=entry, ms=ms):
            if sp.current is None or sp.current.entry != entry:
                return False
            sp.history.append(Spoken(entry, ms))
            sp.current = None
            return True
        case TurnStarted():
            return _fold_start(sp, event)
        case TimerPaused(entry=entry, at=at):
            turn = sp.current
            if turn is None or turn.entry != entry or turn.running_since is None:
                return False
            turn.spoken = turn_ms(turn, at)
            turn.remaining = None if turn.ends_at is None else max(0, turn.ends_at - at)
            turn.running_since = None
            return True
        case TimerResumed(entry=entry, at=at):
            turn = sp.current
            if turn is None or turn.entry != entry or turn.running_since is not None:
                return False
            turn.running_since = at
            if turn.remaining is not None:
                turn.ends_at = at + turn.remaining
            turn.remaining = None
            return True
        case SpeakerSettingsChanged(seconds=seconds, alternate=alternate):
            sp.seconds, sp.alternate = seconds, alternate
            return True
        case SpeakersClosed() | SpeakersOpened():
            sp.open = isinstance(event, SpeakersOpened)
            return True
    return False  # pragma: no cover


def _fold_request(sp: Speakers, lobby: Lobby, event: SpeakerRequested) -> bool:
    if event.entry in sp.entries:
        return False
    if event.participant is not None:
        me = lobby.participants.get(event.participant)
        if me is None or me.left or lobby.closed or not sp.open:
            return False
    key = person_key(event.participant, event.name)
    if _waiting_in_lane(sp, key, event.direct) is not None:
        return False  # nobody stands twice in a lane, whatever two workers decided
    if event.direct and (sp.current is None or sp.current.entry != event.reply_to):
        return False  # the turn it answered is over
    sp.made += 1
    sp.entries[event.entry] = Entry(
        event.entry,
        key,
        event.participant,
        event.name,
        event.organisation_type,
        event.subject,
        event.direct,
        event.reply_to,
        event.at,
    )
    (sp.direct if event.direct else sp.queue).append(event.entry)
    return True


def _fold_start(sp: Speakers, event: TurnStarted) -> bool:
    if sp.current is not None:
        return False
    entry = sp.entries.get(event.entry)
    if entry is None or (event.entry not in sp.queue and event.entry not in sp.direct):
        return False
    if entry.direct:
        sp.direct.remove(entry.id)
    else:
        sp.queue.remove(entry.id)
        sp.direct = [e for e in sp.direct if sp.entries[e].allowed]  # the others lapse
    sp.current = Turn(entry.id, event.started_at, event.ends_at, event.started_at)
    return True


# --- statistics -------------------------------------------------------------


class TypeStats(msgspec.Struct, frozen=True):
    turns: int
    people: int
    seconds: int


def stats_by_type(sp: Speakers) -> dict[str, TypeStats]:
    """Finished turns, distinct speakers and speaking time per organisation type, for the report."""
    turns: dict[str, int] = {}
    people: dict[str, set[str]] = {}
    ms: dict[str, int] = {}
    for spoken in sp.history:
        entry = sp.entries[spoken.entry]
        kind = entry.organisation_type.value if entry.organisation_type else "unknown"
        turns[kind] = turns.get(kind, 0) + 1
        people.setdefault(kind, set()).add(entry.key)
        ms[kind] = ms.get(kind, 0) + spoken.ms
    return {
        k: TypeStats(turns[k], len(people[k]), round(ms[k] / 1000))
        for k in sorted(turns, key=lambda k: (-ms[k], k))
    }
