"""Run the broadcast ceiling (:mod:`loadtests.baselines.ceiling_server`) against N lean phones.

The phones are the same :class:`LeanSocket` Dialograum's phones use, so
the generator's cost per received message is the same on both sides. The
server's CPU is read from ``/proc`` right before the first broadcast and
after every phone has read every message.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from typing import Any

from websockets.asyncio.client import connect
from websockets.typing import BytesLike

from loadtests.lean_socket import LeanSocket, open_socket
from loadtests.scenarios.common import self_cpu_s
from loadtests.server_proc import free_port, sample_process


async def run(
    n: int, payload: str, count: int, interval_s: float = 0.1, timeout_s: float = 120.0
) -> dict[str, Any]:
    """Broadcast ``payload`` ``count`` times to ``n`` phones; deliveries per server CPU second."""
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "loadtests.baselines.ceiling_server", str(port),
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    sockets: list[LeanSocket] = []
    received = 0
    everything = asyncio.Event()
    result: dict[str, Any] = {"n": n, "count": count, "payload_bytes": len(payload.encode())}

    def on_message(data: BytesLike) -> None:
        nonlocal received
        received += 1
        if received >= n * count:
            everything.set()

    try:
        async with asyncio.timeout(timeout_s):
            assert proc.stdout is not None
            await proc.stdout.readline()  # "ready"
            url = f"ws://127.0.0.1:{port}/"
            for start in range(0, n, 100):  # like a ramp: 100 at a time
                opened = await asyncio.gather(
                    *(
                        open_socket("127.0.0.1", port, url, "hello", on_message, 30)
                        for _ in range(start, min(n, start + 100))
                    )
                )
                sockets.extend(s for s, _ in opened)
            received = 0  # the welcomes do not count
            async with connect(
                f"ws://127.0.0.1:{port}/control", compression=None, proxy=None
            ) as control:
                order = {"n": n, "count": count, "interval_s": interval_s, "payload": payload}
                await control.send(json.dumps(order))
                json.loads(await control.recv())  # ready
                before, gen_before, t0 = sample_process(proc.pid), self_cpu_s(), time.monotonic()
                done = json.loads(await control.recv())
                await asyncio.wait_for(everything.wait(), 30)
                after, wall = sample_process(proc.pid), time.monotonic() - t0
            cpu = after.cpu_s - before.cpu_s
            result |= {
                "ok": received == n * count and done["phones"] == n,
                "deliveries": received,
                "server_cpu_s": round(cpu, 3),
                "wall_s": round(wall, 3),
                "generator_cpu_s": round(self_cpu_s() - gen_before, 2),
                "deliveries_per_cpu_s": round(received / cpu) if cpu > 0 else None,
                "server_rss_kib": after.rss_kib,
            }
    except Exception as exc:  # reported, never raised
        result |= {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    finally:
        for s in sockets:
            s.abort()
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        with contextlib.suppress(Exception):
            await asyncio.sleep(0)
    return result
