"""The join scenario's numbers, from what the clients and the sampler recorded.

Kept apart from the scenario's choreography so that each can be read on
its own: this module only does arithmetic on stamps, no I/O.
"""

from __future__ import annotations

import itertools
from typing import Any, NamedTuple

from loadtests.clients import Phones, ScreenFeed
from loadtests.server_proc import MachineCpu, ProcSample
from loadtests.stats import distribution


def ms(ns: int) -> float:
    return ns / 1e6


class LoadSample(NamedTuple):
    """One reading of the sampler: when, server, generator, whole machine."""

    t_ns: int
    server_cpu_s: float
    server_rss_kib: int
    generator_cpu_s: float
    machine: MachineCpu


def load_profile(load: list[LoadSample], phones: Phones, every_s: float) -> dict[str, Any]:
    """The busiest second of server, generator and machine, and the sampled series itself.

    The server runs one event loop, so its ceiling is one core (1.0): a peak
    near 1.0 means the server, not the generator, set the pace.
    """
    first_sent = min((p.sent_ns for p in phones.phones if p.sent_ns is not None), default=0)
    step = round(1 / every_s)  # samples per second
    peaks = {"server": 0.0, "generator": 0.0, "machine": 0.0, "steal": 0.0}
    for a, b in zip(load, load[step:], strict=False):
        seconds = (b.t_ns - a.t_ns) / 1e9
        for name, value in (
            ("server", b.server_cpu_s - a.server_cpu_s),
            ("generator", b.generator_cpu_s - a.generator_cpu_s),
            ("machine", b.machine.busy_s - a.machine.busy_s),
            ("steal", b.machine.steal_s - a.machine.steal_s),
        ):
            peaks[name] = max(peaks[name], value / seconds)
    first, last = (load[0], load[-1]) if load else (None, None)
    others: float | None = None
    if first and last and last.t_ns > first.t_ns:
        # everything else on the machine: the screen probe (tiny) and any other work
        busy = last.machine.busy_s - first.machine.busy_s
        ours = (last.server_cpu_s - first.server_cpu_s) + (
            last.generator_cpu_s - first.generator_cpu_s
        )
        others = round(max(0.0, busy - ours) / ((last.t_ns - first.t_ns) / 1e9), 2)
    return {
        "other_processes_cores": others,
        "server_peak_core_share": round(peaks["server"], 2),
        "generator_peak_core_share": round(peaks["generator"], 2),
        "machine_peak_busy_cores": round(peaks["machine"], 2),
        "machine_peak_steal_cores": round(peaks["steal"], 2),
        "machine_steal_s": round(last.machine.steal_s - first.machine.steal_s, 2)
        if first and last
        else None,
        # ms after the first join POST; server CPU s, RSS KiB; generator CPU s;
        # machine busy s, steal s (cumulative, all cores)
        "load_timeline": [
            [
                round(ms(x.t_ns - first_sent)),
                round(x.server_cpu_s, 2),
                x.server_rss_kib,
                round(x.generator_cpu_s, 2),
                round(x.machine.busy_s, 2),
                round(x.machine.steal_s, 2),
            ]
            for x in load
        ],
    }


def max_gap_ms(times_ns: list[int], start: int, end: int | None) -> float | None:
    """The longest the screen went without a push while the room kept changing.

    By design a change reaches the screen within one tick (100 ms); a longer
    gap between the first join and the last change means the fan-out stalled.
    """
    if end is None:
        return None
    marks = [start, *(t for t in times_ns if start < t <= end)]
    return round(max(ms(b - a) for a, b in itertools.pairwise(marks)), 1)


def metrics(
    n: int,
    phones: Phones,
    screen: ScreenFeed,
    order: dict[str, int],
    before: ProcSample,
    after: ProcSample,
    wall_s: float,
) -> dict[str, Any]:
    """Everything a run reports about its phones, its screen and the server's resources."""
    sent = [p.sent_ns for p in phones.phones if p.sent_ns is not None]
    first_sent = min(sent)
    shown_all = screen.first_at_least(n)
    online_all = screen.first_online_at_least(n)
    join_to_screen: list[float] = []
    http_ms: list[float] = []
    queued_ms: list[float] = []
    tcp_ms: list[float] = []
    upgrade_ms: list[float] = []
    hello_ms: list[float] = []
    welcome_ms: list[float] = []
    for phone in phones.phones:
        if phone.sent_ns is None:
            continue
        if phone.replied_ns is not None:
            http_ms.append(ms(phone.replied_ns - phone.sent_ns))
        if phone.slot_ns is not None:
            queued_ms.append(ms(phone.slot_ns - phone.sent_ns))
        if phone.welcome_ns is not None:
            welcome_ms.append(ms(phone.welcome_ns - phone.sent_ns))
        sock = phone.socket
        if sock and phone.socket_ns and sock.made_ns and sock.upgraded_ns and phone.welcome_ns:
            tcp_ms.append(ms(sock.made_ns - phone.socket_ns))
            upgrade_ms.append(ms(sock.upgraded_ns - sock.made_ns))
            hello_ms.append(ms(phone.welcome_ns - sock.upgraded_ns))
        position = order.get(phone.participant_id or "")
        shown = screen.first_at_least(position) if position else None
        if shown is not None:
            join_to_screen.append(ms(shown - phone.sent_ns))
    connections = phones.connected
    return {
        "joins_ok": phones.joined_ok,
        "connected": connections,
        "dropped": phones.dropped,
        "http_status": phones.status_counts(),
        "phone_errors": phones.errors(),
        "ramp_s": round((max(sent) - first_sent) / 1e9, 3),
        "convergence_s": round((shown_all - first_sent) / 1e9, 3) if shown_all else None,
        "online_convergence_s": round((online_all - first_sent) / 1e9, 3) if online_all else None,
        "screen_max_gap_ms": max_gap_ms(screen.times_ns, first_sent, online_all or shown_all),
        "join_to_screen_ms": distribution(join_to_screen),
        "join_http_ms": distribution(http_ms),
        "join_queued_in_generator_ms": distribution(queued_ms),
        "join_to_welcome_ms": distribution(welcome_ms),
        # the live socket's opening in three legs: TCP connect, upgrade answered, hello answered
        "socket_tcp_ms": distribution(tcp_ms),
        "socket_upgrade_ms": distribution(upgrade_ms),
        "socket_hello_to_welcome_ms": distribution(hello_ms),
        "screen_pushes": len(screen.times_ns),
        "phone_messages": sum(p.messages for p in phones.phones),
        "server": {
            "rss_before_kib": before.rss_kib,
            "rss_after_kib": after.rss_kib,
            "rss_peak_kib": after.hwm_kib,
            "rss_per_connection_kib": round((after.rss_kib - before.rss_kib) / connections, 1)
            if connections
            else None,
            "cpu_s": round(after.cpu_s - before.cpu_s, 2),
            "window_s": round(after.at - before.at, 2),
            "threads": after.threads,
        },
        "wall_s": round(wall_s, 2),
        # ms after the first join POST, joined, online: enough to plot or eyeball the ramp
        "screen_timeline": [
            [round(ms(t - first_sent), 1), j, o]
            for t, j, o in zip(screen.times_ns, screen.joined, screen.online, strict=True)
        ],
    }
