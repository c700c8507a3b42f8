"""Chart geometry for the report: what to draw, not how.

The templates draw these as inline SVG (``templates/report/charts.html``):
no JavaScript, no library, readable in black and white (dark bars, every
value written next to its bar). Lengths are fractions of the longest bar,
so a template only multiplies by its width.
"""

from __future__ import annotations

import msgspec


class Bar(msgspec.Struct, frozen=True):
    label: str
    value: float
    length: float  # 0..1, relative to the largest value of the chart
    share: float | None = None  # 0..1 of the total, where a share means something


class BarChart(msgspec.Struct, frozen=True):
    bars: list[Bar]
    total: float
    shares: bool  # whether ``share`` is filled in (counts of people: yes; points: no)


def bar_chart(
    items: list[tuple[str, float]], shares: bool = True, of: float | None = None
) -> BarChart:
    """Bars in the given order; an all-zero chart draws empty bars, not a division by zero.

    Shares are of ``of`` when given (a multiple-choice poll: of the voters,
    so they may add up to more than 100 %), else of the sum of the bars.
    """
    total = float(sum(value for _, value in items)) if of is None else float(of)
    top = max((value for _, value in items), default=0.0)
    bars = [
        Bar(
            label,
            value,
            value / top if top > 0 else 0.0,
            (value / total if total > 0 else 0.0) if shares else None,
        )
        for label, value in items
    ]
    return BarChart(bars, total, shares)


class CloudWord(msgspec.Struct, frozen=True):
    label: str
    count: int
    size: int  # 1 (smallest) .. 5 (largest), a font step in the template


def word_cloud(words: list[tuple[str, int]], limit: int = 40) -> list[CloudWord]:
    """The most frequent words, sized in five steps by count, in alphabetical order.

    Alphabetical, not by count: a cloud is read as a set, and sorting by
    count would put all large words in the first line.
    """
    top = sorted(words, key=lambda w: (-w[1], w[0].lower()))[:limit]
    if not top:
        return []
    high = top[0][1]
    low = top[-1][1]
    span = max(high - low, 1)
    return sorted(
        (CloudWord(label, count, 1 + round(4 * (count - low) / span)) for label, count in top),
        key=lambda w: w.label.lower(),
    )
