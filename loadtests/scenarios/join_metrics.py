"""The join scenario's numbers, from what the clients and the sampler recorded.

Kept apart from the scenario's choreography so that each can be read on
its own: this module only does arithmetic on stamps, no I/O.
"""

from __future__ import annotations

from typing import Any

from loadtests.clients import Phones, ScreenFeed
from loadtests.scenarios import common
from loadtests.scenarios.common import LoadSample, max_gap_ms, ms
from loadtests.server_proc import ProcSample
from loadtests.stats import distribution


def load_profile(load: list[LoadSample], phones: Phones, every_s: float) -> dict[str, Any]:
    """The shared load profile, its timeline in ms after the first join POST."""
    first_sent = min((p.sent_ns for p in phones.phones if p.sent_ns is not None), default=0)
    return common.load_profile(load, first_sent, every_s)


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
