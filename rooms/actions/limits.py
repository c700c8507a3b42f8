"""The actions' limits: lengths of what an action says, and how many there are."""

from __future__ import annotations

import msgspec


class ActionLimits(msgspec.Struct, frozen=True):
    title_length: int = 120
    what_length: int = 1000
    owner_length: int = 120
    contact_length: int = 120
    max_actions: int = 100
