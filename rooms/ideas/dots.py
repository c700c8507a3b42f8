"""Dot voting: the rules for one ballot of dots, and the ranking with ties.

Each participant has ``per_person`` dots to spread over a board's clusters
or cards, at most ``per_item`` on one. A ballot replaces the previous one
(one ballot per person, as for polls). The same check runs in ``decide``
and again in ``apply`` against the state in log order, so a ballot decided
before the moderator lowered the budget cannot land over it.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping

import msgspec

from rooms.base import Rejected


class DotsOn(enum.StrEnum):
    CLUSTERS = "clusters"
    IDEAS = "ideas"


class DotSettings(msgspec.Struct, frozen=True, kw_only=True):
    open: bool = False
    on: DotsOn = DotsOn.CLUSTERS
    per_person: int = 5
    per_item: int = 3


MAX_DOTS = 50


def settings_valid(s: DotSettings) -> bool:
    return 1 <= s.per_person <= MAX_DOTS and 1 <= s.per_item <= s.per_person


def check_ballot(
    points: Mapping[str, int], items: Collection[str], s: DotSettings
) -> dict[str, int] | Rejected:
    """The ballot normalised (no zeros, sorted), or why it breaks the rules."""
    given = {k: v for k, v in points.items() if v != 0}
    if any(v < 0 for v in given.values()) or any(k not in items for k in given):
        return Rejected("dots_invalid_item")
    if sum(given.values()) > s.per_person:
        return Rejected("dots_over_budget")
    if given and max(given.values()) > s.per_item:
        return Rejected("dots_over_max")
    return dict(sorted(given.items()))


class Ranked(msgspec.Struct, frozen=True):
    """One item in the ranking; equal points share a rank (1, 2, 2, 4)."""

    item: str
    points: int
    rank: int
    voters: int


def ranking(ballots: Mapping[str, Mapping[str, int]], items: list[str]) -> list[Ranked]:
    """Items by points, highest first; ties share a rank and keep the items' own order."""
    totals = dict.fromkeys(items, 0)
    voters = dict.fromkeys(items, 0)
    for ballot in ballots.values():
        for item, n in ballot.items():
            if item in totals:
                totals[item] += n
                voters[item] += 1
    ordered = sorted(items, key=lambda i: -totals[i])
    out: list[Ranked] = []
    for pos, item in enumerate(ordered, start=1):
        rank = out[-1].rank if out and out[-1].points == totals[item] else pos
        out.append(Ranked(item, totals[item], rank, voters[item]))
    return out
