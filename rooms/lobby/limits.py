"""The lobby's limits: names, titles, how many people, how many resends remembered."""

from __future__ import annotations

import msgspec


class LobbyLimits(msgspec.Struct, frozen=True):
    name_length: int = 40
    title_length: int = 120
    max_participants: int = 5000
    recent_cids_per_actor: int = 64  # per actor, the cids whose outcome a resend gets
