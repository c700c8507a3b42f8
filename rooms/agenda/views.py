"""What each audience sees of the agenda.

The plan is public: phones and the screen show the current phase, its timer
and its slide. Only the console sees the moderator's notes and the plan
against reality (when each phase should have started, and how far behind
or ahead the event runs). Everything is computed from the log's timestamps,
so the views need no clock; pages count down locally.
"""

from __future__ import annotations

import msgspec

from rooms.agenda.domain import MINUTE, Agenda, Phase, PhaseStatus

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
    prompts: list[PromptView] = msgspec.field(default_factory=list)
    remaining: int | None = None  # ms left while paused
    ended_at: int | None = None
    kinds: list[str] = msgspec.field(default_factory=list)  # the activities it shows, by name
    notes: str | None = None  # moderator
    planned_start: int | None = None  # moderator: when the plan said it would start
    late_ms: int | None = None  # moderator: how much later than planned it started (or ended)


class AgendaView(msgspec.Struct, frozen=True, omit_defaults=True):
    """``phases`` in order; ``current`` the running (or paused) one. For the console,
    ``behind_ms`` is how much later than planned the current phase will end
    (negative: ahead), and ``planned_end`` when the whole plan would end."""

    phases: list[PhaseView]
    current: str | None
    began_at: int | None = None
    behind_ms: int | None = None
    planned_end: int | None = None
    # Phones: the activities of the current phase, of earlier and of later ones.
    now: list[str] = msgspec.field(default_factory=list)
    before: list[str] = msgspec.field(default_factory=list)
    later: list[str] = msgspec.field(default_factory=list)


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
        prompts=[PromptView(p.id, p.text, p.board, p.cluster) for p in phase.prompts],
        remaining=phase.remaining if phase.status is PhaseStatus.PAUSED else None,
        ended_at=phase.ended_at,
        kinds=kinds(phase),
        notes=phase.notes if moderator else None,
        planned_start=planned if moderator else None,
        late_ms=late,
    )


def agenda_view(agenda: Agenda, audience: str) -> AgendaView:
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
    )
