"""Token buckets: a burst, then a steady rate. Time comes from the caller."""

from __future__ import annotations

from collections import OrderedDict


class TokenBuckets:
    """Many named buckets, the least recently used forgotten past ``max_keys``.

    Forgetting a bucket refills it, which only ever errs towards letting
    someone through: acceptable for a limit meant to stop floods.
    """

    def __init__(self, burst: float, per_second: float, max_keys: int = 100_000) -> None:
        self.burst = burst
        self.per_second = per_second
        self._max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, key: str, now: float, cost: float = 1.0) -> bool:
        tokens, last = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.per_second)
        allowed = tokens >= cost
        if allowed:
            tokens -= cost
        self._buckets[key] = (tokens, now)
        if len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)
        return allowed
