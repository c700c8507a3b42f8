"""The speaker list's section of the event's report: turns and speaking time.

Its builders read the console's full view (``Inputs.view``), as every section
does: what the report says is what the console said.
"""

from __future__ import annotations

from rooms.report.charts import bar_chart
from rooms.report.inputs import Inputs, present
from rooms.report.model import (
    SpeakersReport,
    TurnReport,
    TypeRow,
)


def build_speakers(inputs: Inputs) -> SpeakersReport | None:
    """Who spoke, how long, and speaking time by organisation type (the console's figures)."""
    view = inputs.view.speakers
    sp = inputs.state.speakers
    if not sp.history and not view.queue and view.current is None:
        return None  # the speaker list was never used
    labels = inputs.org_labels
    turns = []
    for number, spoken in enumerate(sp.history, start=1):
        entry = sp.entries[spoken.entry]
        kind = entry.organisation_type.value if entry.organisation_type else "unknown"
        turns.append(
            TurnReport(
                number=number,
                name=(entry.name or None) if present(inputs, entry.participant) else None,
                organisation_type=labels.get(kind, kind),
                subject=entry.subject,
                seconds=round(spoken.ms / 1000),
                direct=entry.direct,
            )
        )
    stats = view.stats or {}
    total = sum(t.seconds for t in stats.values())
    by_type = [
        TypeRow(
            label=labels.get(kind, kind),
            people=t.people,
            turns=t.turns,
            seconds=t.seconds,
            share=t.seconds / total if total else 0.0,
        )
        for kind, t in stats.items()
    ]
    chart = bar_chart([(r.label, round(r.seconds / 60, 1)) for r in by_type], shares=False)
    return SpeakersReport(
        turns=turns,
        by_type=by_type,
        chart=chart,
        people=len({sp.entries[s.entry].key for s in sp.history}),
        seconds=total,
        seconds_limit=view.seconds,
        alternate=view.alternate,
        waiting=len(view.queue),
    )
