"""The agenda's limits: how many phases, how long their texts, how long one phase."""

from __future__ import annotations

import msgspec


class AgendaLimits(msgspec.Struct, frozen=True):
    max_phases: int = 40
    title_length: int = 120
    notes_length: int = 2000
    body_length: int = 2000
    max_minutes: int = 600  # one phase, and one extension
    max_activities: int = 8  # shown by one phase
    max_prompts: int = 12  # carried into one phase
