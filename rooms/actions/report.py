"""The actions' section of the event's report: what was agreed, by whom, by when.

Its builders read the console's full view (``Inputs.view``), as every section
does: what the report says is what the console said.
"""

from __future__ import annotations

from rooms.report.inputs import Inputs
from rooms.report.model import (
    ActionReport,
)


def build_actions(inputs: Inputs) -> list[ActionReport]:
    """Owner, due date and how many joined: never a name or a contact of those who joined."""
    sources: dict[str, str] = {}
    for board in inputs.view.boards:
        sources.update({c.id: c.name for c in board.clusters})
        sources.update({c.id: c.text for c in board.ideas if c.status == "public"})
    return [
        ActionReport(
            number=n,
            title=a.title,
            what=a.what,
            owner=a.owner,
            due=a.due,
            source=sources.get(a.source) if a.source else None,
            joined=a.joined,
        )
        for n, a in enumerate(inputs.view.actions, start=1)
    ]


# Questions the room saw; pending ones never were public, hidden ones were withdrawn by the
# moderators, merged ones live on in the question they were merged into.
