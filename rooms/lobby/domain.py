"""The lobby: the event itself, who is in it, and what the projector shows.

Every other activity builds on this one. Commands are what people ask for,
events are the facts that follow; the functions here never do I/O.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

import msgspec

from rooms.base import Actor, Rejected, Role
from rooms.text import one_line

if TYPE_CHECKING:
    from rooms.activities import Limits


class Format(enum.StrEnum):
    WORLD_CAFE = "world_cafe"
    WERKSTATT = "werkstatt"
    DESIGN_THINKING = "design_thinking"
    ZUKUNFTSWERKSTATT = "zukunftswerkstatt"
    CUSTOM = "custom"


class Language(enum.StrEnum):
    DE = "de"
    EN = "en"


class OrganisationType(enum.StrEnum):
    """The stakeholder groups of a regional industry dialogue."""

    BUSINESS = "business"
    UNION = "union"
    CHAMBER = "chamber"
    PUBLIC = "public"
    RESEARCH = "research"
    CIVIL_SOCIETY = "civil_society"
    OTHER = "other"


class ScreenMode(enum.StrEnum):
    """The projector modes of the activities that ship with Dialograum.

    The lobby stores any mode an activity registered (``Activity.screens`` in
    the registry), as a string: a new activity brings its own mode without a
    line here. Stored events have always held the mode as its string.
    """

    WELCOME = "welcome"
    BLANK = "blank"
    POLL = "poll"
    CAFE = "cafe"
    IDEAS = "ideas"  # the board chosen with ideas.show (rooms/ideas.py)
    ACTIONS = "actions"


class EventDetails(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """What the report's cover and the admin overview say about an event, all optional.

    ``retention_days`` counts from the event's date (or its creation): after
    it, the server deletes the event's personal data (server/retention.py).
    """

    place: str | None = None
    organisers: str | None = None
    region: str | None = None
    retention_days: int | None = None


# --- commands ---------------------------------------------------------------


class CreateEvent(msgspec.Struct, tag="event.create", frozen=True):
    code: str
    title: str
    format: Format = Format.CUSTOM
    language: Language = Language.DE
    date: str | None = None
    moderator_key_hash: str = ""
    details: EventDetails | None = None


class CloseEvent(msgspec.Struct, tag="event.close", frozen=True):
    pass


class ReopenEvent(msgspec.Struct, tag="event.reopen", frozen=True):
    pass


class ChangeModeratorKey(msgspec.Struct, tag="event.rekey", frozen=True):
    """Replace a lost or leaked moderator link; the old one stops working."""

    moderator_key_hash: str


class LockJoining(msgspec.Struct, tag="event.lock_joining", frozen=True):
    """Stop (or, with ``locked=False``, allow again) new joins: the moderator's answer
    to a sudden burst of joins from a script. Who has joined stays."""

    locked: bool = True


class Join(msgspec.Struct, tag="participant.join", frozen=True):
    participant: str
    name: str | None = None
    organisation_type: OrganisationType | None = None


class Rename(msgspec.Struct, tag="participant.rename", frozen=True):
    name: str | None = None
    organisation_type: OrganisationType | None = None


class Leave(msgspec.Struct, tag="participant.leave", frozen=True):
    pass


class ShowOnScreen(msgspec.Struct, tag="screen.show", frozen=True):
    what: str  # a mode some activity registered (``Activity.screens``); see ScreenMode
    poll: str | None = None  # with what="poll"; checked against the polls by the room


LobbyCommand = (
    CreateEvent
    | CloseEvent
    | ReopenEvent
    | ChangeModeratorKey
    | LockJoining
    | Join
    | Rename
    | Leave
    | ShowOnScreen
)

# --- events -----------------------------------------------------------------


class EventCreated(msgspec.Struct, tag="event.created", frozen=True):
    code: str
    title: str
    format: Format
    language: Language
    date: str | None
    moderator_key_hash: str
    details: EventDetails | None = None


class EventClosed(msgspec.Struct, tag="event.closed", frozen=True):
    pass


class EventReopened(msgspec.Struct, tag="event.reopened", frozen=True):
    pass


class ModeratorKeyChanged(msgspec.Struct, tag="event.rekeyed", frozen=True):
    moderator_key_hash: str


class JoiningLocked(msgspec.Struct, tag="event.joining_locked", frozen=True):
    locked: bool


class ParticipantJoined(msgspec.Struct, tag="participant.joined", frozen=True):
    participant: str
    name: str | None
    organisation_type: OrganisationType | None


class ParticipantRenamed(msgspec.Struct, tag="participant.renamed", frozen=True):
    participant: str
    name: str | None
    organisation_type: OrganisationType | None


class ParticipantLeft(msgspec.Struct, tag="participant.left", frozen=True):
    participant: str


class ScreenShown(msgspec.Struct, tag="screen.shown", frozen=True):
    what: str
    poll: str | None = None


LobbyEvent = (
    EventCreated
    | EventClosed
    | EventReopened
    | ModeratorKeyChanged
    | JoiningLocked
    | ParticipantJoined
    | ParticipantRenamed
    | ParticipantLeft
    | ScreenShown
)

# --- state ------------------------------------------------------------------


class Participant(msgspec.Struct):
    id: str
    name: str | None
    organisation_type: OrganisationType | None
    joined_at: int
    left: bool = False


class Lobby(msgspec.Struct):
    """The lobby part of a room's state. Mutated in place by :func:`apply`."""

    created: bool = False
    code: str = ""
    title: str = ""
    format: Format = Format.CUSTOM
    language: Language = Language.DE
    date: str | None = None
    moderator_key_hash: str = ""
    created_at: int = 0
    closed: bool = False
    screen: str = ScreenMode.WELCOME
    screen_poll: str | None = None
    participants: dict[str, Participant] = msgspec.field(default_factory=dict)
    joined: int = 0
    joining_locked: bool = False
    peak: int = 0  # the most present at once, for the report
    erased: bool = False  # everyone's personal data was deleted (rooms/privacy.py)
    details: EventDetails = msgspec.field(default_factory=lambda: EventDetails())

    def is_present(self, participant: str) -> bool:
        """Whether someone joined this event and has not left it (or deleted their data)."""
        person = self.participants.get(participant)
        return person is not None and not person.left


# --- decide -----------------------------------------------------------------


def clean_name(raw: str | None) -> str | None:
    """Collapse whitespace; an empty name means "anonymous"."""
    if raw is None:
        return None
    name = one_line(raw)
    return name or None


def decide(
    lobby: Lobby, command: LobbyCommand, actor: Actor, limits: Limits
) -> list[LobbyEvent] | Rejected:
    """Check one lobby command against the state and the actor's role."""
    if not lobby.created:
        if not isinstance(command, CreateEvent):
            return Rejected("unknown_event")
        if actor.role is not Role.ADMIN:
            return Rejected("not_allowed")
        title = one_line(command.title)
        if not title:
            return Rejected("title_missing")
        if len(title) > limits.lobby.title_length:
            return Rejected("title_too_long")
        details = _clean_details(command.details, limits)
        if isinstance(details, Rejected):
            return details
        return [
            EventCreated(
                code=command.code,
                title=title,
                format=command.format,
                language=command.language,
                date=command.date,
                moderator_key_hash=command.moderator_key_hash,
                details=details,
            )
        ]
    match command:
        case CreateEvent():
            return Rejected("event_exists")
        case CloseEvent():
            if actor.role is not Role.MODERATOR:
                return Rejected("not_allowed")
            return [] if lobby.closed else [EventClosed()]
        case ReopenEvent():
            if actor.role is not Role.MODERATOR:
                return Rejected("not_allowed")
            return [EventReopened()] if lobby.closed else []
        case ChangeModeratorKey(moderator_key_hash=key_hash):
            if actor.role not in (Role.ADMIN, Role.MODERATOR):
                return Rejected("not_allowed")
            return [ModeratorKeyChanged(key_hash)]
        case LockJoining(locked=locked):
            if actor.role is not Role.MODERATOR:
                return Rejected("not_allowed")
            return [] if lobby.joining_locked is locked else [JoiningLocked(locked)]
        case ShowOnScreen(what=what, poll=poll):
            if actor.role is not Role.MODERATOR:
                return Rejected("not_allowed")
            poll = poll if what == ScreenMode.POLL else None
            if what == ScreenMode.POLL and poll is None:
                return Rejected("poll_not_found")
            if lobby.screen == what and lobby.screen_poll == poll:
                return []
            return [ScreenShown(what, poll)]
        case Join():
            return _decide_join(lobby, command, actor, limits)
        case Rename():
            return _decide_rename(lobby, command, actor, limits)
        case Leave():
            me = _me(lobby, actor)
            if isinstance(me, Rejected):
                return me
            return [ParticipantLeft(me.id)]
    raise AssertionError(f"unhandled lobby command {command!r}")  # pragma: no cover


MAX_RETENTION_DAYS = 3650


def _clean_details(details: EventDetails | None, limits: Limits) -> EventDetails | Rejected | None:
    """Trimmed texts, empty ones dropped; a retention of 1 day to 10 years."""
    if details is None:
        return None
    texts = {}
    for field in ("place", "organisers", "region"):
        value = clean_name(getattr(details, field))
        if value is not None and len(value) > limits.lobby.title_length:
            return Rejected("details_too_long")
        texts[field] = value
    days = details.retention_days
    if days is not None and not 1 <= days <= MAX_RETENTION_DAYS:
        return Rejected("retention_invalid")
    return EventDetails(retention_days=days, **texts)


def _me(lobby: Lobby, actor: Actor) -> Participant | Rejected:
    if actor.role is not Role.PARTICIPANT or actor.participant is None:
        return Rejected("not_allowed")
    me = lobby.participants.get(actor.participant)
    if me is None or me.left:
        return Rejected("not_joined")
    return me


def _decide_join(
    lobby: Lobby, command: Join, actor: Actor, limits: Limits
) -> list[LobbyEvent] | Rejected:
    if actor.role not in (Role.GUEST, Role.ADMIN):
        return Rejected("not_allowed")
    if lobby.closed:
        return Rejected("event_closed")
    if lobby.joining_locked:
        return Rejected("joining_locked")
    if command.participant in lobby.participants:
        return Rejected("already_joined")
    if lobby.joined >= limits.lobby.max_participants:
        return Rejected("event_full")
    name = clean_name(command.name)
    if name is not None and len(name) > limits.lobby.name_length:
        return Rejected("name_too_long")
    return [ParticipantJoined(command.participant, name, command.organisation_type)]


def _decide_rename(
    lobby: Lobby, command: Rename, actor: Actor, limits: Limits
) -> list[LobbyEvent] | Rejected:
    me = _me(lobby, actor)
    if isinstance(me, Rejected):
        return me
    name = clean_name(command.name)
    if name is not None and len(name) > limits.lobby.name_length:
        return Rejected("name_too_long")
    if name == me.name and command.organisation_type is me.organisation_type:
        return []
    return [ParticipantRenamed(me.id, name, command.organisation_type)]


# --- apply ------------------------------------------------------------------


def apply(lobby: Lobby, event: LobbyEvent, at: int, limits: Limits) -> set[str]:
    """Fold one event into the lobby; returns the participants whose own view changed.

    Total by design: an event that no longer fits (a join past capacity, a
    rename of someone who left) is a no-op. With several workers the log
    order, not the validating worker, is what decides.
    """
    match event:
        case EventCreated():
            if lobby.created:
                return set()
            lobby.created = True
            lobby.code = event.code
            lobby.title = event.title
            lobby.format = event.format
            lobby.language = event.language
            lobby.date = event.date
            lobby.moderator_key_hash = event.moderator_key_hash
            lobby.created_at = at
            lobby.details = event.details or EventDetails()
        case EventClosed():
            lobby.closed = True
        case EventReopened():
            lobby.closed = False
        case ModeratorKeyChanged(moderator_key_hash=key_hash):
            lobby.moderator_key_hash = key_hash
        case JoiningLocked(locked=locked):
            lobby.joining_locked = locked
        case ScreenShown(what=what, poll=poll):
            lobby.screen = what
            lobby.screen_poll = poll
        case ParticipantJoined():
            if (
                event.participant in lobby.participants
                or lobby.closed
                or lobby.joining_locked
                or lobby.joined >= limits.lobby.max_participants
            ):
                return set()
            lobby.participants[event.participant] = Participant(
                event.participant, event.name, event.organisation_type, at
            )
            lobby.joined += 1
            lobby.peak = max(lobby.peak, lobby.joined)
            return {event.participant}
        case ParticipantRenamed():
            me = lobby.participants.get(event.participant)
            if me is None or me.left:
                return set()
            me.name = event.name
            me.organisation_type = event.organisation_type
            return {me.id}
        case ParticipantLeft():
            me = lobby.participants.get(event.participant)
            if me is None or me.left:
                return set()
            me.left = True
            lobby.joined -= 1
            return {me.id}
    return set()
