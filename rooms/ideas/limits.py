"""The idea boards' limits: card and prompt lengths, and how many boards, cards and clusters."""

from __future__ import annotations

import msgspec


class IdeaLimits(msgspec.Struct, frozen=True):
    prompt_length: int = 200
    category_length: int = 40
    max_categories: int = 12
    cluster_name_length: int = 60
    max_boards: int = 50
    max_ideas_per_board: int = 2000
    max_ideas_per_person: int = 50
    max_clusters: int = 100
    idea_length: int = 280
