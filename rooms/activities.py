"""The registry of activities: the one place that lists them, and the room's state.

``ACTIVITIES`` is the only list of activities in the project. The room's
dispatch tables (below), the room's views (``rooms/views.py``), the wire's
command union (``server/wire.py``), the presenter's page parts
(``server/present.py``) and the property-test strategies are derived from
it. Adding an activity means: a package ``rooms/<name>/`` with an
``activity.py``, a template folder, one line in ``ACTIVITIES`` and one field
in :class:`RoomState` (its state, named like the activity, if it has one), and
its limits (if it has any) as a section of :class:`Limits`.

The lobby comes first: it is the event itself, and every other activity
reads its participants. The order of ``ACTIVITIES`` is also the order of
their fields in the views.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Union

import msgspec

from rooms.actions.activity import ACTIONS
from rooms.actions.domain import Actions
from rooms.actions.limits import ActionLimits
from rooms.activity import ONLINE, Activity, Followup, Fragment, ScreenGuard
from rooms.agenda.activity import AGENDA
from rooms.agenda.domain import Agenda
from rooms.agenda.limits import AgendaLimits
from rooms.cafe.activity import CAFE
from rooms.cafe.domain import Cafe
from rooms.cafe.limits import CafeLimits
from rooms.ideas.activity import IDEAS
from rooms.ideas.domain import Boards
from rooms.ideas.limits import IdeaLimits
from rooms.lobby.activity import LOBBY
from rooms.lobby.domain import Lobby
from rooms.lobby.limits import LobbyLimits
from rooms.mood.activity import MOOD
from rooms.mood.domain import Mood
from rooms.polls.activity import POLLS
from rooms.polls.domain import Polls
from rooms.polls.limits import PollLimits
from rooms.privacy.activity import PRIVACY
from rooms.qna.activity import QNA
from rooms.qna.domain import Qna
from rooms.qna.limits import QnaLimits
from rooms.speakers.activity import SPEAKERS
from rooms.speakers.domain import Speakers
from rooms.speakers.limits import SpeakerLimits

ACTIVITIES: tuple[Activity, ...] = (
    LOBBY,
    POLLS,
    IDEAS,
    ACTIONS,
    CAFE,
    QNA,
    SPEAKERS,
    MOOD,
    AGENDA,
    PRIVACY,
)


class Limits(msgspec.Struct, frozen=True):
    """Every limit of a room, one section per activity (named like the activity).

    The defaults are DESIGN.md's. The server reads overrides from the
    environment (``DIALOGRAUM_LIMIT_<SECTION>_<NAME>``, see server/settings.py)
    and hands the result to every decide and apply through the Context.
    """

    lobby: LobbyLimits = LobbyLimits()
    polls: PollLimits = PollLimits()
    ideas: IdeaLimits = IdeaLimits()
    actions: ActionLimits = ActionLimits()
    cafe: CafeLimits = CafeLimits()
    qna: QnaLimits = QnaLimits()
    speakers: SpeakerLimits = SpeakerLimits()
    agenda: AgendaLimits = AgendaLimits()


DEFAULT_LIMITS = Limits()


class Outcome(msgspec.Struct, frozen=True, gc=False):
    """What a command did, remembered under its cid: the last seq it wrote, and what it made.

    What :func:`rooms.room.remembered` and :func:`rooms.room.previous_outcome`
    answer. The room's map holds each one packed into a single ``bytes``
    object instead (:mod:`rooms.outcomes`): every anonymous ballot is a
    command of its own pseudonym, 18,000 of them in a three-hour event of
    1,000 phones, and a struct with its cid and seq took three objects.
    """

    cid: str
    seq: int
    id: str | None = None


class RoomState(msgspec.Struct):
    """A whole room: the log position, each activity's state (a field named like the
    activity), and the outcomes of recent commands for idempotent resends."""

    seq: int = 0
    lobby: Lobby = msgspec.field(default_factory=Lobby)
    polls: Polls = msgspec.field(default_factory=Polls)
    ideas: Boards = msgspec.field(default_factory=Boards)
    actions: Actions = msgspec.field(default_factory=Actions)
    cafe: Cafe = msgspec.field(default_factory=Cafe)
    qna: Qna = msgspec.field(default_factory=Qna)
    speakers: Speakers = msgspec.field(default_factory=Speakers)
    mood: Mood = msgspec.field(default_factory=Mood)
    agenda: Agenda = msgspec.field(default_factory=Agenda)
    # actor key (``room.outcomes_key``: a ballot's pseudonym bare) -> the outcomes of
    # its most recent cids, oldest first (at most ``recent_cids_per_actor``), each
    # packed (``rooms.outcomes``), a lone one bare. Not a dict per actor: most actors
    # are one ballot's pseudonym with a single cid, and a bare outcome costs a fifth
    # of a one-entry dict (docs/architecture.md, "Memory over a long event");
    # ``room.remembered`` reads it.
    outcomes: dict[str, bytes | tuple[bytes, ...]] = msgspec.field(default_factory=dict)


def _index(pairs: list[tuple[Any, Any]], what: str) -> dict[Any, Any]:
    """A dict that refuses a key twice: two activities must never claim the same type."""
    out: dict[Any, Any] = {}
    for key, value in pairs:
        if key in out:
            raise TypeError(f"{what} {key!r} is registered by two activities")
        out[key] = value
    return out


BY_COMMAND: Mapping[type[msgspec.Struct], Activity] = _index(
    [(c, a) for a in ACTIVITIES for c in a.commands], "command"
)
"""Which activity decides a command, by its type: the room's dispatch table."""

BY_EVENT: Mapping[type[msgspec.Struct], Activity] = _index(
    [(e, a) for a in ACTIVITIES for e in a.events], "event"
)
"""Which activity applies an event, by its type."""

FOLLOWUPS: Mapping[type[msgspec.Struct], Followup] = _index(
    [(c, f) for a in ACTIVITIES for c, f in a.followups.items()], "follow-up of"
)
"""Cross-activity rules, by the command type they follow."""

SCREEN_GUARDS: Mapping[str, ScreenGuard] = _index(
    [(mode, g) for a in ACTIVITIES for mode, g in a.screens.items()], "screen mode"
)
"""Who may say whether the projector can switch to a mode, by mode."""

REASONS: Mapping[str, str] = _index(
    [(key, text) for a in ACTIVITIES for key, text in a.reasons.items()], "refusal reason"
)
"""The activities' own refusal texts, by reason key (English msgids)."""

STAGES: Mapping[str, str] = _index(
    [(mode, template) for a in ACTIVITIES for mode, template in a.stages.items()], "stage of"
)
"""The projector's template for a mode, where an activity brings its own."""

ASSETS: tuple[str, ...] = tuple(dict.fromkeys(f for a in ACTIVITIES for f in a.assets))
"""The activities' static files, each once, in registry order (a shared one, such
as the countdown in ``cafe.js``, where it is first named)."""

STYLES: tuple[str, ...] = tuple(f for f in ASSETS if f.endswith(".css"))
"""The activities' stylesheets, for every page's head."""

SCRIPTS: tuple[str, ...] = tuple(f for f in ASSETS if f.endswith(".js"))
"""The activities' scripts, for every live page."""

NAMES: frozenset[str] = frozenset(a.name for a in ACTIVITIES)
"""Every activity's name: what an entry can change, and what a fragment can read."""

READABLE: frozenset[str] = NAMES | {ONLINE}
"""Every part of a room a fragment can read: each activity, and who is online."""


def _known(names: tuple[str, ...], where: str, allowed: frozenset[str]) -> frozenset[str]:
    """Declared names, checked once at import: a typo would leave a fragment stale."""
    unknown = set(names) - allowed
    if unknown:
        raise TypeError(f"{where} names unknown parts {sorted(unknown)}")
    return frozenset(names)


if ONLINE in NAMES:
    raise TypeError(f"no activity may be called {ONLINE!r}: it names who is online")

WRITES: Mapping[type[msgspec.Struct], frozenset[str]] = {
    e: _known(a.writes, f"{a.name}.writes", NAMES) for a in ACTIVITIES for e in a.events
}
"""Which activities' state an event of a type may change (``Activity.writes``): what
applying it makes dirty for the fan-out (rooms/room.py, ``Handled.activities``)."""

VIEW_READS: Mapping[str, frozenset[str]] = {
    a.name: _known((a.name, *a.reads), f"{a.name}.reads", NAMES) for a in ACTIVITIES
}
"""What each activity's view fields depend on: its own state and what its view reads."""

SCREEN_OWNERS: Mapping[str, str] = {mode: a.name for a in ACTIVITIES for mode in a.screens}
"""Which activity owns each projector mode (what a ``follows_screen`` fragment shows)."""


def fragment_reads(activity: Activity, fragment: Fragment) -> frozenset[str]:
    """Everything a fragment depends on: the views it shows, and what they read in turn.

    Not the projector's current mode, for a ``follows_screen`` fragment: that
    depends on the room (see :func:`screen_reads`).
    """
    shows = _known(fragment.reads, f"fragment {fragment.part!r}", READABLE)
    out: set[str] = set()
    for name in {activity.name, *shows}:
        out |= VIEW_READS.get(name, {name})
    return frozenset(out)


def screen_reads(mode: str) -> frozenset[str]:
    """What the projector shows in ``mode``: its owner's view and what that reads."""
    owner = SCREEN_OWNERS.get(mode)
    return VIEW_READS[owner] if owner is not None else NAMES


CLIENT_COMMAND_TYPES: tuple[type[msgspec.Struct], ...] = tuple(
    c for a in ACTIVITIES for c in a.client_commands
)
"""What a client may send over the wire, in registry order."""

if TYPE_CHECKING:
    Command = msgspec.Struct
    Event = msgspec.Struct
else:
    # Tagged unions for msgspec (the log's decoder); mypy sees their base.
    Command = Union[tuple(BY_COMMAND)]  # noqa: UP007
    Event = Union[tuple(BY_EVENT)]  # noqa: UP007
