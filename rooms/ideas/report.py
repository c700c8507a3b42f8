"""The idea boards' section of the event's report: cards, clusters and dots.

Its builders read the console's full view (``Inputs.view``), as every section
does: what the report says is what the console said.
"""

from __future__ import annotations

from rooms.ideas.views import BoardView
from rooms.report.charts import bar_chart
from rooms.report.inputs import Inputs
from rooms.report.model import (
    BoardReport,
    CardReport,
    ClusterReport,
    RankedRow,
)


def build_boards(inputs: Inputs) -> list[BoardReport]:
    return [_board(n, b) for n, b in enumerate(inputs.view.boards, start=1)]


def _board(number: int, board: BoardView) -> BoardReport:
    """Public cards only: a hidden or still queued card was never part of the result."""
    public = {c.id: c for c in board.ideas if c.status == "public"}
    on_cards = board.dots.on == "ideas"
    ranked = {r.item: r for r in board.dots.ranking}

    def card(i: str) -> CardReport:
        c = public[i]
        return CardReport(
            id=c.id,
            text=c.text,
            name=c.name,
            category=c.category,
            merged=c.merged,
            dots=ranked[i].points if on_cards and i in ranked else None,
        )

    clusters = [
        ClusterReport(
            id=cl.id,
            name=cl.name,
            cards=[card(i) for i in cl.ideas if i in public],
            dots=None if on_cards or cl.id not in ranked else ranked[cl.id].points,
            rank=None if on_cards or cl.id not in ranked else ranked[cl.id].rank,
        )
        for cl in board.clusters
    ]
    shown = set(public) | {cl.id for cl in board.clusters}
    ranking = [
        RankedRow(r.label, r.points, r.rank, r.voters)
        for r in board.dots.ranking
        if r.item in shown and r.points > 0
    ]
    chart = (
        bar_chart([(r.label, float(r.points)) for r in ranking[:15]], shares=False)
        if ranking
        else None
    )
    return BoardReport(
        number=number,
        id=board.id,
        prompt=board.prompt,
        cards=board.count,
        clusters=clusters,
        loose=[card(i) for i in board.loose if i in public],
        dots_on=board.dots.on,
        dot_voters=board.dots.voters,
        ranking=ranking,
        chart=chart,
    )
