"""Small statistics helpers, so the results need neither numpy nor pandas.

Percentiles use linear interpolation between the closest ranks (numpy's
default), so numbers here can be checked against any spreadsheet.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from typing import Any


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0..100) of ``values``, or None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def distribution(values: Sequence[float]) -> dict[str, float | int | None]:
    """p50/p95/p99/max and the sample count: what a latency line in the report needs."""
    return {
        "count": len(values),
        "p50": _round(percentile(values, 50)),
        "p95": _round(percentile(values, 95)),
        "p99": _round(percentile(values, 99)),
        "max": _round(max(values)) if values else None,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def spread(values: Sequence[float | None]) -> dict[str, float | int | None]:
    """Median and min..max over repeated runs; the machine is noisy, so one run proves little."""
    present = [v for v in values if v is not None]
    if not present:
        return {"median": None, "min": None, "max": None, "runs": 0}
    return {
        "median": statistics.median(present),
        "min": min(present),
        "max": max(present),
        "runs": len(present),
    }


def number_at(run: Mapping[str, Any], *path: str) -> float | None:
    """The number at ``path`` in a run's nested results, or None where a run has none."""
    value: Any = run
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value if isinstance(value, int | float) else None


def summarise_runs(
    runs: Sequence[Mapping[str, Any]], metrics: Mapping[str, tuple[str, ...]]
) -> dict[str, Any]:
    """How many runs finished and passed their checks, and each metric's spread over them."""
    return {
        "runs": len(runs),
        "ok": sum(1 for r in runs if r.get("ok")),
        **{name: spread([number_at(r, *path) for r in runs]) for name, path in metrics.items()},
    }
