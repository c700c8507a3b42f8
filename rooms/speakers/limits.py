"""The speaker list's limits: lengths, the list's size, and the speaking-time bounds."""

from __future__ import annotations

import msgspec


class SpeakerLimits(msgspec.Struct, frozen=True):
    subject_length: int = 80
    name_length: int = 40
    max_entries: int = 500  # waiting at once
    max_seconds: int = 3600  # the longest speaking-time limit a moderator may set
    direct_seconds: int = 60  # a direct reply is short: at most this long
