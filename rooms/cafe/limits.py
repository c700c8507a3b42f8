"""The World Café's limits."""

from __future__ import annotations

import msgspec


class CafeLimits(msgspec.Struct, frozen=True):
    notes_length: int = 2000  # a table's harvest notes
