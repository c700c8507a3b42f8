"""The agenda's sections of the event's report: the run of show as it ran, and the
chain from critique to action (the prompts it carried between phases).

Its builders read the console's full view (``Inputs.view``), as every section
does: what the report says is what the console said.
"""

from __future__ import annotations

from rooms.agenda.domain import MINUTE
from rooms.report.inputs import Inputs
from rooms.report.model import (
    AgendaReport,
    ChainLink,
    PhaseReport,
    ShownActivity,
)


def _shown(inputs: Inputs, ref: str) -> ShownActivity:
    """A phase's reference as the report names it: a poll's question, a board's prompt."""
    kind, _, key = ref.partition(":")
    names: dict[str, dict[str, str]] = {
        "poll": {p.id: p.question for p in inputs.view.polls},
        "board": {b.id: b.prompt for b in inputs.view.boards},
        "qna": {s.id: s.title for s in inputs.view.qna},
    }
    return ShownActivity(kind=kind, name=names.get(kind, {}).get(key) if key else None)


def build_agenda(inputs: Inputs) -> AgendaReport | None:
    """Each phase with its plan and what really happened, from the log's timestamps.

    Actual length runs from start to end, pauses included (the room waited
    too); a phase started again counts from its last start. A phase still
    running has no length yet: the report does not guess its end.
    """
    view = inputs.view.agenda
    if not view.phases:
        return None
    phases = []
    for number, p in enumerate(view.phases, start=1):
        actual = over = None
        if p.status == "done" and p.started_at is not None and p.ended_at is not None:
            actual = round((p.ended_at - p.started_at) / 1000)
            over = actual - p.minutes * 60
        phases.append(
            PhaseReport(
                number=number,
                title=p.title,
                minutes=p.minutes,
                status=p.status,
                planned_start=p.planned_start,
                started_at=p.started_at,
                ended_at=p.ended_at if p.status == "done" else None,
                actual_seconds=actual,
                over_seconds=over,
                activities=[_shown(inputs, ref) for ref in p.activities],
            )
        )
    started = [p for p in phases if p.started_at is not None]
    ended = None
    if started and all(p.status == "done" for p in started):
        ended = max(p.ended_at or 0 for p in started) or None
    planned = sum(p.minutes for p in view.phases)
    return AgendaReport(
        phases=phases,
        began_at=view.began_at,
        planned_minutes=planned,
        planned_end=view.began_at + planned * MINUTE if view.began_at is not None else None,
        ended_at=ended,
    )


def build_chain(inputs: Inputs) -> list[ChainLink]:
    """Critique cluster → carried prompt → the actions made from either end of it.

    The log links an action to the card or cluster it was made from (``source``),
    and a prompt to its critique cluster; the phase links the prompt to the boards
    it showed (the fantasy board). So a prompt's actions are those made from its
    critique cluster, and those made from a card or cluster of a board shown in
    the phase it was carried into (shared by every prompt of that phase).
    """
    boards = {b.id: b for b in inputs.view.boards}
    out = []
    for phase in inputs.view.agenda.phases:
        shown = [
            boards[ref[6:]] for ref in phase.activities if ref[6:] in boards and ref[:6] == "board:"
        ]
        later = {c.id for b in shown for c in b.clusters} | {i.id for b in shown for i in b.ideas}
        for prompt in phase.prompts:
            if prompt.board is None or prompt.cluster is None:
                continue  # written by hand, not carried
            board = boards.get(prompt.board)
            cluster = (
                next((c for c in board.clusters if c.id == prompt.cluster), None) if board else None
            )
            out.append(
                ChainLink(
                    board=board.prompt if board else "",
                    cluster=cluster.name if cluster else prompt.text,
                    phase=phase.title,
                    prompt=prompt.text,
                    actions=[
                        a.title
                        for a in inputs.view.actions
                        if a.source is not None
                        and (a.source == prompt.cluster or a.source in later)
                    ],
                )
            )
    return out
