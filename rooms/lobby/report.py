"""The lobby's section of the event's report: who took part (rooms/report/).

Its builders read the console's full view (``Inputs.view``), as every section
does: what the report says is what the console said.
"""

from __future__ import annotations

from rooms.report.charts import bar_chart
from rooms.report.inputs import Inputs
from rooms.report.model import (
    Participation,
)


def build_participation(inputs: Inputs) -> Participation:
    lobby = inputs.state.lobby
    mix = inputs.view.organisation_types
    labels = inputs.org_labels
    return Participation(
        present=inputs.view.participants.joined,
        joined_ever=len(lobby.participants),
        left=len(lobby.participants) - lobby.joined,
        peak=lobby.peak,
        online=inputs.view.participants.online,
        organisation_types=bar_chart([(labels.get(k, k), float(n)) for k, n in mix.items()]),
    )
