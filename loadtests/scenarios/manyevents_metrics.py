"""What the many-events scenario reports: per-event latencies, the burst rule, the checks.

Latencies are per event (a moderator cares about their own room): ack p99
and screen freshness p99 of each paced event over the measured windows,
then their median and the worst event. The burst rule compares the paced
events' p99 in the windows where a burst event votes all at once with their
p99 in the windows between, in the same run (quiet, burst, quiet, burst…),
so both halves see the same machine. The checks read every event's final
state: each acknowledged vote counted in its poll, each acknowledged card on
its board, and no card or vote of one event in another.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from loadtests.scenarios.manyevents_rooms import Event, room_tag
from loadtests.stats import distribution, percentile, summarise_runs

PLENUM_ACK_P99_MS = 150.0
PLENUM_FRESHNESS_P99_MS = 250.0
BURST_RULE = 2.0


@dataclass(frozen=True)
class Sample:
    """One acknowledged command: when it went out, its ack latency, its screen freshness."""

    sent_ns: int
    ack_ms: float
    fresh_ms: float | None  # None: no screen push reached its seq


def samples(event: Event) -> list[Sample]:
    found = []
    for sent in event.commands.ok:
        if sent.sent_ns is None or sent.ack_ns is None or sent.ack is None:
            continue
        shown = event.screen.first_seq_at_least(sent.ack.seq or 0)
        fresh = None if shown is None else max(0.0, (shown - sent.ack_ns) / 1e6)
        found.append(Sample(sent.sent_ns, (sent.ack_ns - sent.sent_ns) / 1e6, fresh))
    return found


def _p99(values: list[float]) -> float | None:
    value = percentile(values, 99)
    return None if value is None else round(value, 2)


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b <= 0 else round(a / b, 2)


def latencies(events: list[Event], windows: list[tuple[int, int, bool]]) -> dict[str, Any]:
    """Per-event p99s over the windows, and the paced events' p99 in quiet against burst windows."""
    start, end = windows[0][0], windows[-1][1]
    per_event = []
    pooled: dict[bool, dict[str, list[float]]] = {
        False: {"ack": [], "fresh": []},
        True: {"ack": [], "fresh": []},
    }
    pairs: list[dict[bool, dict[str, list[float]]]] = [
        {False: {"ack": [], "fresh": []}, True: {"ack": [], "fresh": []}}
        for _ in range(len(windows) // 2)
    ]
    unseen = 0
    for event in events:
        mine = [s for s in samples(event) if start <= s.sent_ns < end]
        unseen += sum(1 for s in mine if s.fresh_ms is None)
        acks = [s.ack_ms for s in mine]
        fresh = [s.fresh_ms for s in mine if s.fresh_ms is not None]
        per_event.append(
            {
                "event": event.index,
                "burst": event.burst,
                "commands": len(mine),
                "ack_p50_ms": round(percentile(acks, 50) or 0, 2) if acks else None,
                "ack_p99_ms": _p99(acks),
                "freshness_p99_ms": _p99(fresh),
            }
        )
        if event.burst:
            continue
        for s in mine:
            k = next(i for i, (a, b, _) in enumerate(windows) if a <= s.sent_ns < b)
            burst = windows[k][2]
            for bucket in (pooled[burst], pairs[min(k // 2, len(pairs) - 1)][burst]):
                bucket["ack"].append(s.ack_ms)
                if s.fresh_ms is not None:
                    bucket["fresh"].append(s.fresh_ms)
    paced = [e for e in per_event if not e["burst"]]
    bursts = [e for e in per_event if e["burst"]]

    def spread_of(rows: list[dict[str, Any]], key: str) -> dict[str, Any]:
        values = [r[key] for r in rows if r[key] is not None]
        worst = max(rows, key=lambda r: r[key] or 0) if rows else None
        return {
            "median": round(percentile(values, 50) or 0, 2) if values else None,
            "worst": worst[key] if worst else None,
            "worst_event": worst["event"] if worst else None,
        }

    quiet, loud = pooled[False], pooled[True]
    rule = {
        "quiet_ack_ms": distribution(quiet["ack"]),
        "burst_ack_ms": distribution(loud["ack"]),
        "quiet_freshness_ms": distribution(quiet["fresh"]),
        "burst_freshness_ms": distribution(loud["fresh"]),
        "ack_p99_ratio": _ratio(_p99(loud["ack"]), _p99(quiet["ack"])),
        "freshness_p99_ratio": _ratio(_p99(loud["fresh"]), _p99(quiet["fresh"])),
        "pair_ack_p99_ratios": [_ratio(_p99(p[True]["ack"]), _p99(p[False]["ack"])) for p in pairs],
        "pair_freshness_p99_ratios": [
            _ratio(_p99(p[True]["fresh"]), _p99(p[False]["fresh"])) for p in pairs
        ],
    }
    return {
        "per_event": per_event,
        "paced_ack_p99_ms": spread_of(paced, "ack_p99_ms"),
        "paced_freshness_p99_ms": spread_of(paced, "freshness_p99_ms"),
        "paced_ack_p99_within_target": sum(
            1 for e in paced if (e["ack_p99_ms"] or 0) <= PLENUM_ACK_P99_MS
        ),
        "paced_freshness_p99_within_target": sum(
            1 for e in paced if (e["freshness_p99_ms"] or 0) <= PLENUM_FRESHNESS_P99_MS
        ),
        "burst_events_ack_p99_ms": [e["ack_p99_ms"] for e in bursts],
        "burst_events_freshness_p99_ms": [e["freshness_p99_ms"] for e in bursts],
        "burst_rule": rule,
        "acked_never_on_screen": unseen,
    }


def check_event(event: Event, body: dict[str, Any], phones: int) -> dict[str, Any]:
    """The event's final state against what it acknowledged; anything else is a problem."""
    state = body["state"]
    polls = {p["id"]: p for p in state.get("polls", [])}
    acked = {s.cid for s in event.commands.ok}
    votes_exact = True
    for poll in event.polls:
        want = Counter(
            choice for cid, (p, choice) in event.votes.items() if p == poll and cid in acked
        )
        results = (polls.get(poll) or {}).get("results") or {}
        counts = {k: v for k, v in (results.get("counts") or {}).items() if v}
        if counts != dict(want) or results.get("voters") != sum(want.values()):
            votes_exact = False
    board: dict[str, Any] = next(
        (b for b in state.get("boards", []) if b["id"] == event.board), {"ideas": []}
    )
    texts = [card["text"] for card in board["ideas"]]
    want_cards = sorted(text for cid, text in event.cards.items() if cid in acked)
    foreign = [t for t in texts if not t.startswith(room_tag(event.index))]
    return {
        "participants": state["participants"]["joined"] == phones,
        "polls_exact": votes_exact and len(polls) == len(event.polls),
        "cards_exact": sorted(texts) == want_cards,
        "nothing_foreign": not foreign and len(polls) == len(event.polls),
        "cards": len(texts),
    }


def answers(events: list[Event]) -> dict[str, Any]:
    """Every phone command of every event: sent, acked ok, refused by reason, never answered."""
    sent = refused = unanswered = not_sent = 0
    reasons: Counter[str] = Counter()
    for event in events:
        for s in event.commands.by_cid.values():
            sent += 1
            if s.error is not None:
                not_sent += 1
            elif s.ack is None:
                unanswered += 1
            elif not s.ack.ok:
                refused += 1
                reasons[s.ack.reason or "?"] += 1
    return {
        "commands": sent,
        "votes": sum(len(e.votes) for e in events),
        "cards": sum(len(e.cards) for e in events),
        "acked_ok": sum(len(e.commands.ok) for e in events),
        "refused": refused,
        "refused_by_reason": dict(reasons),
        "unanswered": unanswered,
        "not_sent": not_sent,
    }


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    metrics = {
        "paced_ack_p99_median_ms": ("latency", "paced_ack_p99_ms", "median"),
        "paced_ack_p99_worst_ms": ("latency", "paced_ack_p99_ms", "worst"),
        "paced_freshness_p99_median_ms": ("latency", "paced_freshness_p99_ms", "median"),
        "paced_freshness_p99_worst_ms": ("latency", "paced_freshness_p99_ms", "worst"),
        "quiet_ack_p99_ms": ("latency", "burst_rule", "quiet_ack_ms", "p99"),
        "burst_ack_p99_ms": ("latency", "burst_rule", "burst_ack_ms", "p99"),
        "quiet_freshness_p99_ms": ("latency", "burst_rule", "quiet_freshness_ms", "p99"),
        "burst_freshness_p99_ms": ("latency", "burst_rule", "burst_freshness_ms", "p99"),
        "ack_p99_ratio": ("latency", "burst_rule", "ack_p99_ratio"),
        "freshness_p99_ratio": ("latency", "burst_rule", "freshness_p99_ratio"),
        "server_cores": ("cpu", "server_cores"),
        "generator_cores": ("cpu", "generator_cores"),
        "screens_probe_cores": ("cpu", "screens_probe_cores"),
        "other_cores": ("cpu", "other_cores"),
        "commands_per_s": ("cpu", "commands_per_s"),
        "server_cpu_per_1000_commands_s": ("cpu", "server_cpu_per_1000_commands_s"),
        "join_s": ("join_s",),
    }
    return summarise_runs(runs, metrics)
