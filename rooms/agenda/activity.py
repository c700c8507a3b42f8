"""The agenda as an activity: registration with the room, the wire and the pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import msgspec

from rooms.activity import (
    REQUIRED,
    Context,
    Followup,
    Fragment,
    Panel,
    ReportSection,
    ScreenGuard,
    always,
)
from rooms.agenda import domain
from rooms.agenda.report import build_agenda, build_chain
from rooms.agenda.views import AgendaView, agenda_view
from rooms.base import N_, Rejected
from rooms.ideas.domain import BoardShown, ScreenView
from rooms.lobby.domain import ScreenMode, ScreenShown, ShowOnScreen
from rooms.polls.domain import PollClosed, PollOpened

if TYPE_CHECKING:
    from rooms.activities import RoomState

SCREEN = "agenda"
"""The projector mode: the current phase's title, its slide and a big timer."""


def _phase_starts(room: RoomState, command: Any) -> list[Any]:
    """Starting a phase opens (and closes) its polls, then takes the projector.

    The polls first (``domain.poll_moves``): a phase whose screen is its
    poll then finds it open. Every event is written after the
    ``agenda.phase_started`` in the same command, so a replay reads them
    from the log instead of deciding them again.
    """
    target = domain.target_of(room.agenda, command)
    if target is None:
        return []
    opens, closes = domain.poll_moves(room.agenda, room.polls, target)
    events: list[Any] = [PollClosed(p) for p in closes]
    events += [PollOpened(p) for p in opens]
    return events + _phase_takes_the_screen(room, target, frozenset(opens))


def _phase_takes_the_screen(room: RoomState, target: str, opening: frozenset[str]) -> list[Any]:
    """Starting a phase puts what the phase wants on the projector.

    ``screen`` is ``agenda`` (title, slide, timer), ``welcome``, ``blank``,
    ``poll:<id>``, ``board:<id>`` or a whole activity's mode. A poll or board
    that no longer exists, or that the mode's own guard refuses (a poll still in draft, Q&A
    without a session), falls back to the agenda's own stage. A poll the phase
    is opening (``opening``) is no longer a draft when the screen switches.
    """
    screen = room.agenda.phases[target].screen
    kind, _, ref = screen.partition(":")
    events: list[Any] = []
    mode, poll = SCREEN, None
    if kind in (ScreenMode.WELCOME, ScreenMode.BLANK, *domain.WHOLE_SCREENS):
        mode = kind
    elif kind == "poll" and ref in room.polls.by_id:
        mode, poll = ScreenMode.POLL, ref
    elif kind == "board" and ref in room.ideas.by_id:
        mode = ScreenMode.IDEAS
        if room.ideas.screen_board != ref:
            events.append(BoardShown(ref, ScreenView.WALL))
    from rooms.activities import SCREEN_GUARDS  # the registry imports this module

    guard = SCREEN_GUARDS.get(mode)
    allowed = poll is not None and poll in opening
    if not allowed and guard is not None and guard(room, ShowOnScreen(mode, poll)) is not None:
        events, mode, poll = [], SCREEN, None  # e.g. a poll still in draft: the phase's stage
    if room.lobby.screen != mode or room.lobby.screen_poll != poll:
        events.append(ScreenShown(mode, poll))
    return events


class AgendaActivity:
    name = "agenda"
    writes: tuple[str, ...] = ("agenda",)
    reads: tuple[str, ...] = ("polls", "ideas", "qna")  # the console's labels of what a phase runs
    commands: tuple[type[msgspec.Struct], ...] = domain.AGENDA_COMMAND_TYPES
    client_commands = commands
    events: tuple[type[msgspec.Struct], ...] = domain.AGENDA_EVENT_TYPES
    followups: Mapping[type[msgspec.Struct], Followup] = {
        domain.StartPhase: _phase_starts,
        domain.NextPhase: _phase_starts,
        domain.PreviousPhase: _phase_starts,
    }
    screens: Mapping[str, ScreenGuard] = {SCREEN: always}
    stages: Mapping[str, str] = {SCREEN: "agenda/screen.html"}
    assets: tuple[str, ...] = ("agenda.css", "agenda.js")
    report: tuple[ReportSection, ...] = (
        ReportSection(
            "agenda", N_("Agenda as it ran"), 20, build_agenda, (("agenda", N_("Agenda")),)
        ),
        ReportSection(
            "chain",
            N_("From critique to action"),
            90,
            build_chain,
            (("chain", N_("Critique to action")),),
        ),
    )
    panels: tuple[Panel, ...] = (
        Panel("agenda-panel", N_("Agenda"), "agenda/console-panel.html", 0, on_top=True),
    )
    fragments: Mapping[str, tuple[Fragment, ...]] = {
        "phone": (Fragment("phone-agenda", "agenda/phone-agenda.html", 5),),
        # Cached: rendered again only when the agenda's view or the screen mode changed
        # (16-35 ms at 40 phases on every tick before; docs/benchmarks.md).
        # Reads the polls for their questions only, which a vote leaves alone: cached.
        "console": (
            Fragment(
                "console-agenda", "agenda/console-agenda.html", 5, reads=("lobby",), cached=True
            ),
        ),
    }
    reasons: Mapping[str, str] = {
        "phase_not_found": N_("This phase is no longer on the agenda."),
        "phase_title_missing": N_("Please give the phase a title."),
        "phase_title_too_long": N_("Please use a shorter title (120 characters)."),
        "phase_minutes_invalid": N_("A phase lasts between 1 and 600 minutes."),
        "phase_text_too_long": N_("Please keep the notes and the slide text to 2,000 characters."),
        "phase_activity_invalid": N_(
            'Activities: up to 8 references such as "poll:p1", "board:b1", "qna:s1", '
            '"cafe", "speakers" or "actions".'
        ),
        "phase_screen_invalid": N_(
            'Screen: "agenda", "welcome", "blank", "poll:<id>", "board:<id>", "qna", '
            '"speakers", "cafe" or "actions".'
        ),
        "too_many_phases": N_("The agenda has as many phases as it can hold."),
        "phase_is_current": N_("The running phase cannot be removed. Start another one first."),
        "agenda_empty": N_("The agenda has no phases yet."),
        "agenda_at_end": N_("This is the last phase."),
        "agenda_at_start": N_("This is the first phase."),
        "agenda_not_started": N_("No phase is running."),
        "phase_extend_invalid": N_("Extend by between 1 and 600 minutes (or shorten)."),
        "carry_top_invalid": N_("Carry between 1 and 12 clusters."),
        "prompt_not_found": N_("This prompt is no longer there."),
        "prompt_text_missing": N_("Please write the prompt."),
        "slide_image_invalid": N_("This is not a stored slide image."),
        # The Werkzeugkiste's (server/toolbox.py): an event made from a template.
        "template_not_found": N_("There is no template with this id."),
        "template_invalid": N_("This file is not a usable Dialograum template."),
    }
    view_fields: tuple[tuple[str, Any, Any], ...] = (("agenda", AgendaView, REQUIRED),)
    personal_fields: tuple[tuple[str, Any, Any], ...] = ()

    def decide(self, room: RoomState, command: Any, ctx: Context) -> list[Any] | Rejected:
        decided = domain.decide(room.agenda, room.ideas, command, ctx.actor, ctx.now, ctx.limits)
        return decided if isinstance(decided, Rejected) else list(decided)

    def apply(self, room: RoomState, event: Any, ctx: Context) -> set[str]:
        domain.apply(room.agenda, event)
        return set()  # nothing personal: every phone reads the same agenda

    def created_id(self, event: Any) -> str | None:
        return event.phase if isinstance(event, domain.PhaseAdded) else None

    def view(self, room: RoomState, audience: str) -> dict[str, Any]:
        return {"agenda": agenda_view(room.agenda, audience, room)}

    def personal(
        self, room: RoomState, participant: str, pseudonyms: Mapping[str, str]
    ) -> dict[str, Any]:
        return {}


AGENDA = AgendaActivity()
