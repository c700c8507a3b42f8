"""Scenario "join": N people scan the QR code within a short ramp; how soon does the screen know?

This is the first thing every event does, all at once, on venue Wi-Fi: the
moderator says "scan the code now" and the projector's participant counter
is the room's first proof that the system works. One run:

1. start a fresh server and create an event through the API;
2. connect one screen (the probe process) and read the server's baseline
   memory and CPU;
3. start N phones on a ramp: join POST, then the live socket with hello;
4. wait until the screen shows ``joined == N`` and ``online == N`` and
   every phone has its welcome; let the room go idle; read memory and CPU;
5. ask the moderator view for the order the server admitted everyone, so
   each phone's "position" is exact rather than guessed from timings.

Measured: convergence (first join sent to the screen showing N), per-join
join-to-screen latency (join POST sent to the screen first showing at least
that participant's position), server RSS per connection, server CPU seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from loadtests.clients import Phones, ScreenFeed
from loadtests.lean_http import PostPool
from loadtests.scenarios.common import (
    SAMPLE_EVERY_S,
    LoadSample,
    Progress,
    create_event,
    moderator_state,
    sample_load,
    self_cpu_s,
    server_settled,
    start_spy,
    stop_spy,
)
from loadtests.scenarios.join_metrics import load_profile, metrics
from loadtests.server_proc import ServerProcess


@dataclass(frozen=True)
class JoinConfig:
    n: int
    ramp_s: float = 2.0  # joins spread evenly over this long
    timeout_s: float = 120.0  # hard limit for the whole run, server start included
    idle_s: float = 2.0  # quiet time before the "connected and idle" memory reading
    # join POSTs in flight; 0: one connection per phone, as real phones have. A pool of
    # 16 made the generator the bottleneck: at 1,000 phones the POSTs queued in it for
    # 0.8-2.8 s (join_queued_in_generator_ms p50), and that queue was most of join→screen.
    http_connections: int = 0
    progress_every_s: float = 1.0


async def run(
    config: JoinConfig,
    progress: Progress,
    source: Path | None = None,
    profile_to: Path | None = None,
) -> dict[str, Any]:
    """One run; never raises for a failed or timed-out run, it reports it instead.

    ``source``: an exported tree to run the server from (default: the working tree);
    ``profile_to``: record the server with py-spy from the first join until the
    screen shows everyone online (a diagnostic: py-spy costs the server a little).
    """
    workdir = Path(tempfile.mkdtemp(prefix="dialograum-load-"))
    server = ServerProcess(workdir, source=source)
    step = "starting"
    result: dict[str, Any] = {"n": config.n, "config": asdict(config), "ok": False}
    screen: ScreenFeed | None = None
    phones: Phones | None = None
    sampler: asyncio.Task[None] | None = None
    spy: asyncio.subprocess.Process | None = None
    started = time.monotonic()
    try:
        async with asyncio.timeout(config.timeout_s):
            step = "starting the server"
            progress(f"{step} on port {server.port}")
            await server.start()
            async with httpx.AsyncClient(
                base_url=server.base_url, timeout=60, trust_env=False
            ) as http:
                step = "creating the event"
                event = await create_event(http, server.admin_token)
                code = event["code"]

                step = "connecting the screen"
                screen = ScreenFeed(f"{server.ws_url}/api/events/{code}/live")
                await screen.start()
                await asyncio.sleep(0.5)  # let the welcome's allocations settle
                step = "waiting for the server to settle"
                result["server_settle_s"] = await server_settled(server)
                before = server.sample()
                cpu_before_self = self_cpu_s()
                progress(f"event {code}, screen connected; server RSS {before.rss_kib} KiB")

                if profile_to is not None:
                    spy = await start_spy(server.pid, profile_to, config.timeout_s)
                step = "joining"
                load: list[LoadSample] = []
                sampler = asyncio.create_task(sample_load(server, load, SAMPLE_EVERY_S))
                pool = PostPool("127.0.0.1", server.port, config.http_connections or config.n)
                phones = Phones(pool, code, config.n)
                phones.start(config.ramp_s)
                reporter = asyncio.create_task(
                    _report_progress(phones, screen, config, progress, time.monotonic())
                )
                try:
                    await phones.wait_settled()
                    step = "waiting for the screen"
                    ok_joins, live = phones.joined_ok, phones.connected
                    await screen.wait_until(
                        lambda: (
                            screen is not None
                            and screen.last_joined >= ok_joins
                            and screen.last_online >= live
                        ),
                        config.timeout_s,
                    )
                finally:
                    reporter.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await reporter
                converged = time.monotonic()
                if spy is not None:
                    await stop_spy(spy)
                progress(
                    f"converged: screen joined {screen.last_joined}, online "
                    f"{screen.last_online}; idling {config.idle_s:.0f} s"
                )

                step = "idling"
                pushes_at_idle = len(screen.times_ns)
                await asyncio.sleep(config.idle_s)
                after = server.sample()
                cpu_after_self = self_cpu_s()
                sampler.cancel()

                step = "reading the join order"
                order = await _join_order(http, code, event["moderator_token"])
                result.update(
                    metrics(config.n, phones, screen, order, before, after, converged - started)
                )
                result.update(load_profile(load, phones, SAMPLE_EVERY_S))
                result["screen_pushes_while_idle"] = len(screen.times_ns) - pushes_at_idle
                result["generator_cpu_s"] = round(cpu_after_self - cpu_before_self, 3)
                result["ok"] = result["joins_ok"] == config.n and result["dropped"] == 0
                if not result["ok"]:
                    result["error"] = "not every phone joined and stayed connected"
    except TimeoutError:
        result["error"] = f"timed out after {config.timeout_s:.0f} s while {step}"
        progress(result["error"])
    except Exception as exc:  # a broken run is a result too; the next run still goes
        result["error"] = f"{type(exc).__name__} while {step}: {exc}"[:500]
        progress(result["error"])
    finally:
        if sampler is not None:
            sampler.cancel()
        if spy is not None:
            await stop_spy(spy)
        result["server_alive_at_end"] = server.alive()
        if phones is not None:
            result.setdefault("progress_at_end", _snapshot(phones, screen))
        try:
            async with asyncio.timeout(45):  # each step is bounded; this bounds them all
                if phones is not None:
                    await phones.stop()
                    phones.pool.close()
                if screen is not None:
                    await screen.stop()
                result["server_exit"] = await server.stop()
        except TimeoutError:
            result["cleanup"] = "timed out; server killed"
            progress("cleanup timed out; killing the server")
        finally:
            server.kill_now()
        result["server_log"] = server.log_summary()
        shutil.rmtree(workdir, ignore_errors=True)
    return result


async def _join_order(http: httpx.AsyncClient, code: str, moderator_token: str) -> dict[str, int]:
    """participant id -> 1-based position in the log, from the moderator view.

    The view lists present people newest first, in the order their joins were
    applied, so this is the exact count the screen must reach to include them.
    """
    people = (await moderator_state(http, code, moderator_token))["state"]["people"]
    return {row["id"]: position for position, row in enumerate(reversed(people), start=1)}


def _snapshot(phones: Phones, screen: ScreenFeed | None) -> dict[str, int]:
    return {
        "sent": phones.sent,
        "joined_ok": phones.joined_ok,
        "connected": phones.connected,
        "dropped": phones.dropped,
        "screen_joined": screen.last_joined if screen else 0,
        "screen_online": screen.last_online if screen else 0,
    }


async def _report_progress(
    phones: Phones, screen: ScreenFeed, config: JoinConfig, progress: Progress, t0: float
) -> None:
    """A line per second, so a stuck run is visible long before its timeout."""
    while True:
        await asyncio.sleep(config.progress_every_s)
        s = _snapshot(phones, screen)
        progress(
            f"{time.monotonic() - t0:5.1f} s: joins sent {s['sent']}/{config.n} "
            f"(ok {s['joined_ok']}), phones live {s['connected']}, dropped {s['dropped']}; "
            f"screen joined {s['screen_joined']} online {s['screen_online']}"
        )
