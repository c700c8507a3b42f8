"""The World Café's section of the event's report: tables, hosts, rounds and notes.

Its builders read the console's full view (``Inputs.view``), as every section
does: what the report says is what the console said.
"""

from __future__ import annotations

from rooms.report.inputs import Inputs
from rooms.report.model import (
    CafeReport,
    NoteReport,
    RoundReport,
    TableReport,
)


def build_cafe(inputs: Inputs) -> CafeReport | None:
    cafe = inputs.view.cafe
    if cafe is None:
        return None
    labels = inputs.org_labels
    org_of = {p.id: p.organisation_type or "unknown" for p in cafe.people or []}
    played = [r for r in cafe.rounds if r.status != "planned"]
    seats: dict[str, dict[str, int]] = {t.id: {} for t in cafe.tables}
    guests: dict[str, set[str]] = {t.id: set() for t in cafe.tables}
    for r in played:
        for person, table in (r.assignments or {}).items():
            if table not in seats:
                continue
            guests[table].add(person)
            org = labels.get(org_of.get(person, "unknown"), org_of.get(person, "unknown"))
            seats[table][org] = seats[table].get(org, 0) + 1
    columns = [label for key, label in labels.items() if any(label in s for s in seats.values())]
    tables = [
        TableReport(
            number=t.number,
            topic=t.topic,
            host=t.host_name,
            notes=[NoteReport(n.round, n.text) for n in t.notes],
            guests=len(guests[t.id]),
            organisation_types={c: seats[t.id].get(c, 0) for c in columns},
        )
        for t in cafe.tables
    ]
    quality = cafe.quality
    return CafeReport(
        tables=tables,
        rounds=[
            RoundReport(
                number=r.number,
                status=r.status,
                seated=r.seated,
                started_at=r.started_at,
                ended_at=r.ended_at,
            )
            for r in cafe.rounds
        ],
        round_minutes=cafe.round_minutes,
        repeats=quality.repeats if quality else 0,
        revisits=quality.revisits if quality else 0,
        mix=quality.mix if quality else 0.0,
        organisation_labels=columns,
    )
