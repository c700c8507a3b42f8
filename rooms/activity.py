"""The contract every activity of a room fulfils, so that the room never names one.

An *activity* is one thing people do in an event: the lobby (the event itself
and who is in it), polls, the World Café, idea boards, actions. Each lives in
its own package (``rooms/<name>/``) and hands the room one object that
satisfies :class:`Activity`. The registry (``rooms/activities.py``) lists
those objects; the room's dispatch table, the wire decoder, the presenter's
page parts and the property-test strategies are all derived from it, so a
new activity is a package, a template folder and a line in the registry.

Everything an activity needs from the outside comes in one :class:`Context`:
who acts, the time, and the configured limits. The core still never reads
the clock: ``now`` is the transport's time when deciding, and the log
entry's time (``Envelope.at``) when applying.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

import msgspec

from rooms.base import Actor, Rejected

if TYPE_CHECKING:
    from rooms.activities import Limits, RoomState


class Context(msgspec.Struct, frozen=True):
    """Who acts, when (milliseconds since the epoch), and within which limits."""

    actor: Actor
    now: int
    limits: Limits


class Fragment(msgspec.Struct, frozen=True):
    """One live fragment an activity adds to a page.

    ``template`` renders one element whose ``id`` is ``part`` (or contains
    it), both on the full page (``oob=False``) and in a live message
    (``oob=True``). ``order`` places it on the page among the fragments of
    every activity (lower first). A ``personal`` fragment reads one
    participant's view (``me``) and is rendered only when that person's state
    changed; the others are rendered once per tick and sent to everyone.

    A shared fragment is rendered again only when something it shows
    changed, so it says what it reads: its own activity's view fields, and
    ``reads``, the other parts of the room it shows (another activity's
    name, for its view fields; ``lobby`` for the event's header, its
    people and the projector's mode; :data:`ONLINE` for who or how many
    are online). What an activity's views read in turn
    (``Activity.reads``) is added by the registry. ``follows_screen``: it
    shows whatever the projector shows (the screen's stage), so it also
    reads the activity that owns the current projector mode. A test renders
    random rooms both ways and holds these declarations to the truth
    (tests/server/test_flush_reads.py).

    A ``cached`` console fragment is big, and its reads are coarser than
    what it shows (the agenda panel reads the polls for their questions,
    which a vote leaves alone; a board reads the lobby for its authors'
    names, which a join leaves alone): when something it reads changed, it
    is rendered again only if the digest of its activity's view fields, the
    screen mode and the room's code changed (docs/architecture.md, "Fan-out").
    """

    part: str
    template: str
    order: int
    personal: bool = False
    reads: tuple[str, ...] = ()
    follows_screen: bool = False
    cached: bool = False


ONLINE = "online"
"""The part of a room that is not in its log: who is online (presence says when it changed).

Fragments that show it name it in ``Fragment.reads``; no activity may be called so."""


class Panel(msgspec.Struct, frozen=True):
    """One section an activity adds to the moderator's console.

    ``template`` renders the section's content (its heading, its forms and
    the include of its live fragment); the console wraps it in
    ``<section id="{id}" class="panel {css}">`` and links it from the
    navigation with ``title`` (an English msgid marked with ``N_``).
    ``order`` places it (lower first); a panel whose ``lead_format`` is the
    event's format comes right after the polls and the people, so a café
    moderator never scrolls past idea boards to start round 2. A panel
    ``on_top`` spans the whole console above everything else: the run of
    show, which says what the other panels are for right now.
    """

    id: str
    title: str
    template: str
    order: int
    css: str = "col-wide"
    lead_format: str | None = None
    on_top: bool = False


class ReportSection(msgspec.Struct, frozen=True):
    """One section an activity adds to the event's report (rooms/report/).

    ``key`` is the moderator's tick box, the report's field of that name
    (``rooms/report/model.py``) and its template
    (``templates/report/sections/<key>.html``). ``order`` places it in the
    report (lower first); ``title`` its heading (an English msgid marked with
    ``N_``). ``build`` reads the console's full view
    (``rooms.report.inputs.Inputs``) and returns the section, or ``None``
    or ``[]`` when there is nothing in it (the section is left out then).
    ``tables`` are its tables in the CSV files and the XLSX workbook: each a
    file name part and a sheet title (an English msgid marked with ``N_``);
    the transport builds them (``server/report/tables.py``).
    """

    key: str
    title: str
    order: int
    build: Callable[[Any], Any]
    tables: tuple[tuple[str, str], ...] = ()


LEAD_ORDER = 25
"""Where a panel of the event's own format goes: after polls (10) and people (20)."""


def console_panels(panels: tuple[Panel, ...], event_format: str) -> tuple[Panel, ...]:
    """The console's panels in page order for an event of this format."""

    def place(panel: Panel) -> tuple[int, int]:
        leads = panel.lead_format is not None and panel.lead_format == event_format
        return (-1 if panel.on_top else LEAD_ORDER if leads else panel.order, panel.order)

    return tuple(sorted(panels, key=place))


Followup = Callable[["RoomState", Any], list[Any]]
"""A cross-activity rule: after a command of one activity, events of another.

It reads the room as it was before the command's own events were applied
and returns the events to append after them (often none). Example: starting
a café round takes the projector (``lobby.ScreenShown``).
"""

ScreenGuard = Callable[["RoomState", Any], Rejected | None]
"""Whether the projector may switch to a mode this activity owns, given the
``screen.show`` command: ``None`` if it may, else the refusal."""


def always(room: RoomState, command: Any) -> Rejected | None:
    """The screen guard of a mode that may always be shown."""
    return None


class Activity(Protocol):
    """What the room and the transport need from one activity.

    ``decide`` and ``apply`` receive the whole room, read their own part of
    it (and, where they must, the lobby's participants), and mutate only
    their own part. ``apply`` is total and returns the participants whose
    personal view changed.
    """

    @property
    def name(self) -> str:
        """The activity's name: its package, its template folder, its field of the room."""
        ...

    @property
    def writes(self) -> tuple[str, ...]:
        """The parts of the room its ``apply`` may change (activity names; usually its own).

        The fan-out re-renders only the fragments that read a part an entry
        wrote; an activity without state of its own (the erasure of personal
        data) names the parts it changes.
        """
        ...

    @property
    def reads(self) -> tuple[str, ...]:
        """The other parts of the room its ``view`` reads (``lobby`` for names, say)."""
        ...

    @property
    def commands(self) -> tuple[type[msgspec.Struct], ...]:
        """Every command the room accepts for this activity (each a tagged Struct)."""
        ...

    @property
    def client_commands(self) -> tuple[type[msgspec.Struct], ...]:
        """The commands a client may send over the wire (may add server-answered ones)."""
        ...

    @property
    def events(self) -> tuple[type[msgspec.Struct], ...]:
        """Every event type it writes; each carries its own tag in the log."""
        ...

    @property
    def followups(self) -> Mapping[type[msgspec.Struct], Followup]:
        """Cross-activity rules after one of its commands, by command type."""
        ...

    @property
    def screens(self) -> Mapping[str, ScreenGuard]:
        """The projector modes this activity owns, each with its guard."""
        ...

    @property
    def stages(self) -> Mapping[str, str]:
        """The projector's template for each of its modes that the lobby's stage
        does not lay out itself (``templates/lobby/stage.html``), by mode."""
        ...

    @property
    def fragments(self) -> Mapping[str, tuple[Fragment, ...]]:
        """Its live fragments, by page kind (``phone``, ``console``, ``screen``)."""
        ...

    @property
    def assets(self) -> tuple[str, ...]:
        """The files under ``static/`` its fragments need (``.css`` and ``.js``), in load order.

        Every page loads them all (``templates/base.html`` the styles,
        ``templates/live_scripts.html`` the scripts), so a new activity's
        stylesheet or script is named here and nowhere else.
        """
        ...

    @property
    def panels(self) -> tuple[Panel, ...]:
        """Its sections of the moderator's console (none for the background ones)."""
        ...

    @property
    def report(self) -> tuple[ReportSection, ...]:
        """Its sections of the event's report (none for the background ones)."""
        ...

    @property
    def reasons(self) -> Mapping[str, str]:
        """The texts of its own refusal reasons (English msgids marked with ``N_``).

        The transport's catalog (``server/i18n.py``) adds them to its own, so a
        new activity's refusals are translated without a line there.
        """
        ...

    @property
    def view_fields(self) -> tuple[tuple[str, Any, Any], ...]:
        """The fields it adds to every room view: (name, type, default or ``REQUIRED``)."""
        ...

    @property
    def personal_fields(self) -> tuple[tuple[str, Any, Any], ...]:
        """The fields it adds to one participant's own view (``Me``)."""
        ...

    def decide(self, room: RoomState, command: Any, ctx: Context) -> list[Any] | Rejected:
        """Answer one of its commands with events, or refuse it with a reason key."""
        ...

    def apply(self, room: RoomState, event: Any, ctx: Context) -> set[str]:
        """Fold one of its events into the room; the participants whose own view changed."""
        ...

    def created_id(self, event: Any) -> str | None:
        """The id a command reports back when this event made something new."""
        ...

    def view(self, room: RoomState, audience: str) -> dict[str, Any]:
        """Its ``view_fields`` as ``audience`` (screen, participant, moderator) may see them."""
        ...

    def personal(
        self, room: RoomState, participant: str, pseudonyms: Mapping[str, str]
    ) -> dict[str, Any]:
        """Its ``personal_fields`` for one participant.

        ``pseudonyms`` (poll id → the participant's pseudonym there) come from
        the transport, which holds the secrets of anonymous polls: the log
        keys those ballots by them, not by the id. Other activities ignore them.
        """
        ...


REQUIRED = msgspec.NODEFAULT
"""The default of a view field that every view must carry."""
