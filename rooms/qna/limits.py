"""The Q&A's limits: lengths, and how many sessions and questions a room holds."""

from __future__ import annotations

import msgspec


class QnaLimits(msgspec.Struct, frozen=True):
    question_length: int = 280
    title_length: int = 120
    speaker_length: int = 80
    max_sessions: int = 50
    max_questions: int = 2000  # per session
    questions_per_person: int = 20  # per session
