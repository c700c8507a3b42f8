"""A running room for the newer scenarios: server, event, screen probe, N phones, moderator.

The same steps as the plenum's setup (:mod:`loadtests.scenarios.plenum`),
as one async context manager so that brainstorm, reconnect and slow only
write their own choreography. Leaving the block closes every socket and
stops (or kills) the server, whatever happened inside.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from loadtests.clients import Moderator, Phones, ScreenFeed, now_ns
from loadtests.lean_http import PostPool
from loadtests.scenarios.common import Progress, create_event, moderator_state
from loadtests.server_proc import ProcSample, ServerProcess


class LiveRoom:
    def __init__(
        self,
        n: int,
        progress: Progress,
        source: Path | None = None,
        ramp_s: float = 2.0,
        http_connections: int = 16,
        extra_env: dict[str, str] | None = None,
        make_server: Callable[[Path, Path | None], ServerProcess] | None = None,
        join_within_s: float = 120.0,  # every phone joined and welcomed (or failed)
        patches: bool = False,
        html_phones: bool = False,
    ) -> None:
        self.join_within_s = join_within_s
        self.html_phones = html_phones  # the phones as the browser's phone page (HTML)
        self.n = n
        self.patches = patches  # the phones say "patches" in their hello (docs/api.md)
        self.progress = progress
        self.ramp_s = ramp_s
        self.http_connections = http_connections
        self.workdir = Path(tempfile.mkdtemp(prefix="dialograum-bench-"))
        # ``make_server(workdir, source)``: another kind of server (workers on Redis)
        self.server = (
            make_server(self.workdir, source)
            if make_server is not None
            else ServerProcess(self.workdir, extra_env=extra_env, source=source)
        )
        self.http: httpx.AsyncClient | None = None
        self.screen: ScreenFeed | None = None
        self.phones: Phones | None = None
        self.moderator: Moderator | None = None
        self.code = ""
        self.moderator_token = ""
        self.live_url = ""
        self.baseline: ProcSample | None = None  # server before any phone joined
        self.joined: ProcSample | None = None  # ... and with all N connected
        self.setup_join_s: float | None = None
        self.log: dict[str, object] = {}  # the server log's summary, read on close

    async def __aenter__(self) -> LiveRoom:
        try:
            await self._start()
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def _start(self) -> None:
        self.progress(f"starting the server on port {self.server.port}")
        await self.server.start()
        self.http = httpx.AsyncClient(base_url=self.server.base_url, timeout=60, trust_env=False)
        event = await create_event(self.http, self.server.admin_token)
        self.code, self.moderator_token = event["code"], event["moderator_token"]
        self.live_url = f"{self.server.ws_url}/api/events/{self.code}/live"
        self.screen = ScreenFeed(self.live_url)
        await self.screen.start()
        self.baseline = self.server.sample()
        pool = PostPool("127.0.0.1", self.server.port, self.http_connections)
        self.phones = Phones(pool, self.code, self.n, patches=self.patches, html=self.html_phones)
        started = now_ns()
        self.phones.start(self.ramp_s)
        await asyncio.wait_for(self.phones.wait_settled(), self.join_within_s)
        live = self.phones.connected
        screen = self.screen
        await screen.wait_until(lambda: screen.last_online >= live, 60)
        self.setup_join_s = round((now_ns() - started) / 1e9, 2)
        self.progress(f"{self.phones.joined_ok}/{self.n} joined, {live} live")
        if live != self.n:
            raise RuntimeError(f"only {live}/{self.n} phones connected: {self.phones.errors()}")
        self.moderator = Moderator(
            "127.0.0.1", self.server.port, self.live_url, self.moderator_token
        )
        await self.moderator.open()
        await asyncio.sleep(1.0)  # let the joins' pushes settle
        self.joined = self.server.sample()

    async def open_poll(self, fields: dict[str, Any]) -> str:
        """create → open → show on screen; waits until the screen shows it open."""
        assert self.moderator is not None
        assert self.screen is not None
        ack = await self.moderator.command({"type": "poll.create", **fields})
        if ack.id is None:
            raise RuntimeError("poll.create acked without an id")
        poll = ack.id
        await self.moderator.command({"type": "poll.open", "poll": poll})
        await self.moderator.command({"type": "screen.show", "what": "poll", "poll": poll})
        screen = self.screen
        await screen.wait_until(
            lambda: (
                bool(screen.poll_ids)
                and screen.poll_ids[-1] == poll
                and screen.poll_status[-1] == "open"
            ),
            30,
        )
        return poll

    async def state(self) -> dict[str, Any]:
        assert self.http is not None
        return await moderator_state(self.http, self.code, self.moderator_token)

    def memory(self) -> dict[str, Any]:
        """Server RSS before the phones and with them, and the difference per connection."""
        if self.baseline is None or self.joined is None:
            return {}
        return {
            "rss_baseline_kib": self.baseline.rss_kib,
            "rss_connected_kib": self.joined.rss_kib,
            "rss_per_connection_kib": round(
                (self.joined.rss_kib - self.baseline.rss_kib) / self.n, 1
            ),
        }

    async def close(self) -> None:
        try:
            async with asyncio.timeout(45):
                if self.moderator is not None:
                    await self.moderator.close()
                if self.phones is not None:
                    await self.phones.stop()
                    self.phones.pool.close()
                if self.screen is not None:
                    await self.screen.stop()
                if self.http is not None:
                    await self.http.aclose()
                await self.server.stop()
        except TimeoutError:
            self.progress("cleanup timed out; killing the server")
        finally:
            self.server.kill_now()
            with contextlib.suppress(OSError):
                self.log = self.server.log_summary()
            shutil.rmtree(self.workdir, ignore_errors=True)
