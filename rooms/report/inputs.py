"""What every report section's builder reads, and what several of them ask.

Its own module, apart from ``build.py``: the activities' packages hold
their sections' builders (``Activity.report``), and the registry imports
them, so they must not import the registry back through ``build.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rooms.activities import RoomState


@dataclass(frozen=True)
class Inputs:
    """What a section builder reads."""

    state: RoomState
    view: Any  # rooms.views.View: the console's full view
    org_labels: Mapping[str, str]  # organisation type key (and "unknown") -> shown label
    answers: bool  # text polls: list every answer that is not hidden


def present(inputs: Inputs, participant: str | None) -> bool:
    """Whether a person still takes part: a leaver's name leaves the report (as on cards)."""
    if participant is None:
        return True
    person = inputs.state.lobby.participants.get(participant)
    return person is not None and not person.left
