"""What each audience sees of the agenda.

The plan is public: phones and the screen show the current phase, its timer
and its slide. Only the console sees the moderator's notes and the plan
against reality (when each phase should have started, and how far behind
or ahead the event runs). Everything is computed from the log's timestamps,
so the views need no clock; pages count down locally.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from rooms.agenda.domain import MINUTE, Agenda, Phase, PhaseStatus

if TYPE_CHECKING:
    from rooms.activities import RoomState

KIND_OF_REF = {
    "poll": "polls",
    "board": "ideas",
    "qna": "qna",
    "cafe": "cafe",
    "speakers": "speakers",
    "actions": "actions",
    "survey": "surveys",  # the surveys' addition: the phones' survey card (#event-surveys)
}
"""The activity (its name in the registry) that a phase's reference points into."""


class PromptView(msgspec.Struct, frozen=True, omit_defaults=True):
    id: str
    text: str
    board: str | None = None
    cluster: str | None = None
    made: str | None = None  # the board made for it


class PhaseView(msgspec.Struct, frozen=True, omit_defaults=True):
    id: str
    title: str
    minutes: int
    activities: list[str]
    screen: str
    status: str
    started_at: int | None
    ends_at: int | None
    heading: str = ""
    body: str = ""
    image: str = ""  # the slide's picture: /screen/<code>/slides/<image>
    prompts: list[PromptView] = msgspec.field(default_factory=list)
    remaining: int | None = None  # ms left while paused
    ended_at: int | None = None
    kinds: list[str] = msgspec.field(default_factory=list)  # the activities it shows, by name
    notes: str | None = None  # moderator
    planned_start: int | None = None  # moderator: when the plan said it would start
    late_ms: int | None = None  # moderator: how much later than planned it started (or ended)
    auto_polls: str | None = None  # moderator: off, open, open_close


class BoardRef(msgspec.Struct, frozen=True):
    """A board whose clusters a phase may carry forward (console)."""

    id: str
    prompt: str


class AgendaView(msgspec.Struct, frozen=True, omit_defaults=True):
    """``phases`` in order; ``current`` the running (or paused) one. For the console,
    ``behind_ms`` is how much later than planned the current phase will end
    (negative: ahead), and ``planned_end`` when the whole plan would end.

    The console also gets what its panel names besides the agenda: ``titles``
    (a phase's ``poll:p1`` as the poll's question, a board's prompt, a Q&A
    session's title) and ``carry_from`` (the boards with clusters to carry).
    So the panel reads nothing but this view and the screen mode, and the
    presenter renders it again only when one of them changed (a cached
    console part, server/present.py), not on every vote or card.
    """

    phases: list[PhaseView]
    current: str | None
    began_at: int | None = None
    behind_ms: int | None = None
    planned_end: int | None = None
    # Phones: the activities of the current phase, of earlier and of later ones.
    now: list[str] = msgspec.field(default_factory=list)
    before: list[str] = msgspec.field(default_factory=list)
    later: list[str] = msgspec.field(default_factory=list)
    # Console: what the references name, and the boards one may carry from.
    titles: dict[str, str] = msgspec.field(default_factory=dict)
    carry_from: list[BoardRef] = msgspec.field(default_factory=list)


def kinds(phase: Phase) -> list[str]:
    out: list[str] = []
    for ref in phase.activities:
        kind = KIND_OF_REF.get(ref.split(":", 1)[0])
        if kind is not None and kind not in out:
            out.append(kind)
    return out


def planned_starts(agenda: Agenda) -> dict[str, int]:
    """When each phase would start if the plan held from the first start on."""
    if agenda.began_at is None:
        return {}
    out: dict[str, int] = {}
    at = agenda.began_at
    for phase in agenda.in_order():
        out[phase.id] = at
        at += phase.minutes * MINUTE
    return out


def behind_ms(agenda: Agenda) -> int | None:
    """How much later than planned the current phase ends (pauses and extensions count)."""
    phase = agenda.phases.get(agenda.current or "")
    starts = planned_starts(agenda)
    if phase is None or phase.started_at is None or phase.id not in starts:
        return None
    late = phase.started_at - starts[phase.id]
    return late + phase.extended_ms + phase.paused_ms


def split(agenda: Agenda) -> tuple[list[str], list[str], list[str]]:
    """The activities of the current phase, of earlier phases, and only of later ones."""
    if agenda.current is None or agenda.current not in agenda.order:
        return [], [], []
    at = agenda.order.index(agenda.current)
    now = kinds(agenda.phases[agenda.current])
    before: list[str] = []
    later: list[str] = []
    for i, pid in enumerate(agenda.order):
        for kind in kinds(agenda.phases[pid]):
            if kind in now:
                continue
            if i < at and kind not in before:
                before.append(kind)
    for pid in agenda.order[at + 1 :]:
        for kind in kinds(agenda.phases[pid]):
            if kind not in now and kind not in before and kind not in later:
                later.append(kind)
    return now, before, later


def phase_view(phase: Phase, moderator: bool, planned: int | None) -> PhaseView:
    late = None
    if moderator and planned is not None and phase.started_at is not None:
        late = phase.started_at - planned
    return PhaseView(
        id=phase.id,
        title=phase.title,
        minutes=phase.minutes,
        activities=list(phase.activities),
        screen=phase.screen,
        status=phase.status.value,
        started_at=phase.started_at,
        ends_at=phase.ends_at if phase.status is PhaseStatus.RUNNING else None,
        heading=phase.heading,
        body=phase.body,
        image=phase.image,
        prompts=[PromptView(p.id, p.text, p.board, p.cluster, p.made) for p in phase.prompts],
        remaining=phase.remaining if phase.status is PhaseStatus.PAUSED else None,
        ended_at=phase.ended_at,
        kinds=kinds(phase),
        notes=phase.notes if moderator else None,
        planned_start=planned if moderator else None,
        late_ms=late,
        auto_polls=phase.auto_polls.value if moderator else None,
    )


def titles(room: RoomState) -> dict[str, str]:
    """What each poll, board and Q&A reference of the agenda names (the console's labels)."""
    out: dict[str, str] = {}
    for phase in room.agenda.phases.values():
        for ref in phase.activities:
            kind, _, key = ref.partition(":")
            if ref in out:
                continue
            if kind == "poll" and key in room.polls.by_id:
                out[ref] = room.polls.by_id[key].question
            elif kind == "board" and key in room.ideas.by_id:
                out[ref] = room.ideas.by_id[key].prompt
            elif kind == "qna" and key in room.qna.sessions:
                out[ref] = room.qna.sessions[key].title
    return out


def carry_from(room: RoomState) -> list[BoardRef]:
    """The boards with at least one cluster that holds a card: what ``agenda.carry`` can use."""
    return [
        BoardRef(b.id, b.prompt)
        for b in room.ideas.by_id.values()
        if any(c.ideas for c in b.clusters.values())
    ]


def agenda_view(agenda: Agenda, audience: str, room: RoomState | None = None) -> AgendaView:
    """``room`` (the whole room) adds the console's labels; the agenda alone is enough
    for the other audiences."""
    moderator = audience == "moderator"
    starts = planned_starts(agenda)
    now, before, later = split(agenda)
    planned_end = None
    if moderator and agenda.began_at is not None:
        planned_end = agenda.began_at + sum(p.minutes for p in agenda.phases.values()) * MINUTE
    return AgendaView(
        phases=[phase_view(p, moderator, starts.get(p.id)) for p in agenda.in_order()],
        current=agenda.current,
        began_at=agenda.began_at,
        behind_ms=behind_ms(agenda) if moderator else None,
        planned_end=planned_end,
        now=now,
        before=before,
        later=later,
        titles=titles(room) if moderator and room is not None else {},
        carry_from=carry_from(room) if moderator and room is not None else [],
    )
