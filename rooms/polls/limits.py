"""The polls' limits: lengths of questions, options and answers, and how many of each."""

from __future__ import annotations

import msgspec


class PollLimits(msgspec.Struct, frozen=True):
    question_length: int = 200
    option_length: int = 120
    max_options: int = 20
    text_answer_length: int = 140
    max_scale_steps: int = 11
    max_budget: int = 1000
    max_polls: int = 200
