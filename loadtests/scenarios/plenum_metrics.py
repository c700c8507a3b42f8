"""The plenum scenario's numbers, from what the phones, the screen and the sampler recorded.

Arithmetic on stamps only, no I/O. Every stamp is CLOCK_MONOTONIC in ns:
the phones' (vote sent, ack read) from the generator, the screen's from
the probe process.

The key to freshness is the log position. A vote's ack carries the ``seq``
of the event that holds it, and every state push carries the ``seq`` of
the state it shows; so the first screen push with ``seq >=`` a vote's seq
is the first that counts it. That is checked, not assumed: every screen
push's ``voters`` and ``counts`` are compared with the acked votes up to
its seq (``screen_check``).
"""

from __future__ import annotations

import asyncio
import bisect
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from loadtests.clients import Moderator, Phone, Phones, ScreenFeed
from loadtests.scenarios.common import LoadSample, max_gap_ms, ms
from loadtests.server_proc import ProcSample
from loadtests.stats import distribution, percentile

if TYPE_CHECKING:
    from loadtests.scenarios.plenum import PlenumConfig


@dataclass(eq=False)
class VotePhase:
    """What the harness read around the votes: counters before and after, and the samples."""

    screen_from: int  # index of the first screen push after the poll was set up
    phone_messages_before: int
    moderator_messages_before: int
    moderator_bytes_before: int
    t0_ns: int = 0  # the votes' timers were armed
    answered_ns: int | None = None  # every vote had its ack
    end_ns: int | None = None  # ... and the screen had counted them all
    before: ProcSample | None = None
    after: ProcSample | None = None
    generator_cpu_before: float = 0.0
    generator_cpu_after: float = 0.0
    phone_messages_after: int = 0
    moderator_messages_after: int = 0
    moderator_bytes_after: int = 0
    load: list[LoadSample] = field(default_factory=list)
    loop_lag_ms: list[float] = field(default_factory=list)
    spy: asyncio.subprocess.Process | None = None
    replan_ms: list[float] = field(default_factory=list)  # café re-plans during the votes

    def summary(self) -> dict[str, Any]:
        """Server and generator CPU over the vote phase alone, and what was pushed meanwhile."""
        window = (self.end_ns - self.t0_ns) / 1e9 if self.end_ns else None
        server_cpu = (
            round(self.after.cpu_s - self.before.cpu_s, 2) if self.before and self.after else None
        )
        return {
            "replans_ms": self.replan_ms,
            "window_s": None if window is None else round(window, 3),
            "server_cpu_s": server_cpu,
            "server_cores": round(server_cpu / window, 2) if server_cpu and window else None,
            "server_rss_before_kib": self.before.rss_kib if self.before else None,
            "server_rss_after_kib": self.after.rss_kib if self.after else None,
            "generator_cpu_s": round(self.generator_cpu_after - self.generator_cpu_before, 2),
            "phone_messages": self.phone_messages_after - self.phone_messages_before,
            "moderator_messages": self.moderator_messages_after - self.moderator_messages_before,
            "moderator_kib": round(
                (self.moderator_bytes_after - self.moderator_bytes_before) / 1024
            ),
            "generator_loop_lag_ms": distribution(self.loop_lag_ms),
            "profiled": self.spy is not None,
        }


def metrics(
    config: PlenumConfig,
    phones: Phones,
    screen: ScreenFeed,
    moderator: Moderator,
    phase: VotePhase,
    final: dict[str, Any],
    poll: str,
) -> dict[str, Any]:
    voted = [p for p in phones.phones if p.vote_sent_ns is not None]
    acked = [p for p in voted if p.ack is not None]
    ok = [p for p in acked if p.ack is not None and p.ack.ok and p.ack.seq is not None]
    refused = Counter(p.ack.reason or "?" for p in acked if p.ack is not None and not p.ack.ok)
    sent_times = [p.vote_sent_ns for p in voted if p.vote_sent_ns is not None]

    ack_ms = [ms(_ack_ns(p) - _sent_ns(p)) for p in ok]
    fresh_ms: list[float] = []
    signed_ms: list[float] = []
    vote_to_screen_ms: list[float] = []
    never_shown = 0
    for p in ok:
        index = screen.first_seq_at_least(_seq(p))
        if index is None:
            never_shown += 1
            continue
        shown = screen.times_ns[index]
        signed_ms.append(ms(shown - _ack_ns(p)))
        fresh_ms.append(max(0.0, signed_ms[-1]))
        vote_to_screen_ms.append(ms(shown - _sent_ns(p)))

    t0 = phase.t0_ns
    all_shown = _first_all_counted(screen, phase.screen_from, len(ok))
    server_cpu = phase.summary()["server_cpu_s"]
    return {
        "joins_ok": phones.joined_ok,
        "connected": phones.connected,
        "dropped": phones.dropped,
        "phone_errors": phones.errors(),
        "votes": {
            "planned": phones.votes_planned,
            "sent": len(voted),
            "acked_ok": len(ok),
            "refused": sum(refused.values()),
            "refused_by_reason": dict(refused),
            "no_ack": len(voted) - len(acked),
            "not_sent": sum(1 for p in phones.phones if p.vote_error is not None),
            "send_spread_s": round((max(sent_times) - min(sent_times)) / 1e9, 3)
            if sent_times
            else None,
            "first_sent_after_ms": round(ms(min(sent_times) - t0), 1) if sent_times else None,
        },
        "ack_ms": distribution(ack_ms),
        # ack -> first screen push that counts the vote; 0 when the screen had it first
        "screen_freshness_ms": distribution(fresh_ms),
        "screen_freshness_signed_ms": distribution(signed_ms),
        "screen_before_ack_share": round(sum(1 for v in signed_ms if v < 0) / len(signed_ms), 3)
        if signed_ms
        else None,
        "vote_to_screen_ms": distribution(vote_to_screen_ms),
        "votes_never_on_screen": never_shown,
        "screen_all_counted_s": round((all_shown - t0) / 1e9, 3) if all_shown else None,
        "screen_after_last_vote_ms": round(ms(all_shown - max(sent_times)), 1)
        if all_shown and sent_times
        else None,
        "screen_pushes_during_votes": sum(
            1 for t in screen.times_ns[phase.screen_from :] if t >= t0 and t <= (all_shown or t)
        ),
        "screen_max_gap_ms": max_gap_ms(screen.times_ns, min(sent_times), all_shown)
        if sent_times
        else None,
        "screen_check": _screen_check(screen, phase.screen_from, ok, poll),
        "tally": _tally(final, poll, voted),
        "server_cpu_per_1000_votes_s": round(server_cpu / len(voted) * 1000, 3)
        if server_cpu is not None and voted
        else None,
        "targets": {
            "ack_p99_ms": config.ack_target_ms,
            "ack_p99_met": _met(ack_ms, config.ack_target_ms),
            "freshness_p99_ms": config.freshness_target_ms,
            "freshness_p99_met": _met(fresh_ms, config.freshness_target_ms),
        },
        # ms after the votes were armed: seq, voters on screen
        "screen_timeline": [
            [round(ms(t - t0), 1), seq, voters]
            for t, seq, voters in zip(
                screen.times_ns[phase.screen_from :],
                screen.seqs[phase.screen_from :],
                screen.poll_voters[phase.screen_from :],
                strict=True,
            )
        ],
        # ms after the votes were armed: votes sent, acked so far, by 250 ms
        "vote_timeline": _vote_timeline(voted, t0),
    }


def _sent_ns(p: Phone) -> int:
    assert p.vote_sent_ns is not None
    return p.vote_sent_ns


def _ack_ns(p: Phone) -> int:
    assert p.ack_ns is not None
    return p.ack_ns


def _seq(p: Phone) -> int:
    assert p.ack is not None
    assert p.ack.seq is not None
    return p.ack.seq


def _met(values: list[float], target: float) -> bool | None:
    p99 = percentile(values, 99)
    return None if p99 is None else p99 <= target


def _first_all_counted(screen: ScreenFeed, start: int, votes: int) -> int | None:
    for t, voters in zip(screen.times_ns[start:], screen.poll_voters[start:], strict=True):
        if voters >= votes:
            return t
    return None


def _screen_check(screen: ScreenFeed, start: int, ok: list[Phone], poll: str) -> dict[str, Any]:
    """Does every screen push count exactly the acked votes up to its seq?

    Confirms the seq rule freshness relies on, and that the screen's bars
    are right at every moment, not only at the end.
    """
    by_seq = sorted((_seq(p), p.choice or "?") for p in ok)
    seqs = [s for s, _ in by_seq]
    checked = mismatches = 0
    example: dict[str, Any] | None = None
    for i in range(start, len(screen.times_ns)):
        if screen.poll_ids[i] != poll or screen.poll_voters[i] < 0:
            continue
        upto = bisect.bisect_right(seqs, screen.seqs[i])
        expected = Counter(choice for _, choice in by_seq[:upto])
        shown = {k: v for k, v in screen.poll_counts[i].items() if v}
        checked += 1
        if screen.poll_voters[i] != upto or shown != dict(expected):
            mismatches += 1
            if example is None:
                example = {
                    "seq": screen.seqs[i],
                    "voters": screen.poll_voters[i],
                    "expected_voters": upto,
                    "counts": screen.poll_counts[i],
                    "expected_counts": dict(expected),
                }
    return {"pushes_checked": checked, "mismatches": mismatches, "first_mismatch": example}


def _tally(final: dict[str, Any], poll: str, voted: list[Phone]) -> dict[str, Any]:
    """The moderator's final results against the choices the phones recorded."""
    expected = Counter(p.choice for p in voted if p.choice is not None)
    view = next((x for x in final["state"]["polls"] if x["id"] == poll), None)
    results = (view or {}).get("results") or {}
    counts = {k: v for k, v in (results.get("counts") or {}).items()}
    options = sorted(set(counts) | set(expected))
    exact = (
        view is not None
        and results.get("voters") == len(voted)
        and all(counts.get(o, 0) == expected.get(o, 0) for o in options)
    )
    return {
        "exact": exact,
        "voters": results.get("voters"),
        "expected_voters": len(voted),
        "counts": counts,
        "expected_counts": {o: expected.get(o, 0) for o in options},
        "seq": final.get("seq"),
    }


def _vote_timeline(voted: list[Phone], t0: int) -> list[list[int]]:
    """Votes sent and acked by each 250 ms after t0: the spread as it happened."""
    if not voted:
        return []
    sent = sorted(_sent_ns(p) for p in voted)
    acks = sorted(p.ack_ns for p in voted if p.ack_ns is not None)
    end = max(sent[-1], acks[-1] if acks else 0)
    rows = []
    t = t0
    while t <= end + 250_000_000:
        rows.append([round(ms(t - t0)), bisect.bisect_right(sent, t), bisect.bisect_right(acks, t)])
        t += 250_000_000
    return rows
