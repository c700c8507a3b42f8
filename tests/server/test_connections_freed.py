"""A closed connection is freed by reference counting, not left for the cyclic GC.

The GC settler (server/gcsettle.py) runs a full collection only after as
many departures as phones attached, so whatever a closed connection left in
a reference cycle stayed for minutes: at 1,000 phones up to a thousand dead
connections at a time (server/rawsend.py, ``_Detachable``; server/live.py,
``Session._unlink``). Here the collector is off while one phone connects and
leaves through a real uvicorn, and its protocol object must still go.
"""

from __future__ import annotations

import asyncio
import gc
import json
import weakref
from collections.abc import Iterator
from typing import Any, cast

import httpx
import pytest
from litestar import Litestar
from litestar.types import Receive, Scope, Send
from websockets.asyncio.client import connect

from server.rawsend import raw_send
from tests.server.conftest import ADMIN
from tests.server.test_framesend import serve

pytestmark = pytest.mark.anyio


@pytest.fixture
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


async def gone(ref: weakref.ref[Any], timeout_s: float = 10.0) -> bool:
    """Whether the object dies within the timeout (the server closes its side in turn)."""
    obj = ref()
    if obj is None:
        return True
    died = asyncio.Event()
    weakref.finalize(obj, died.set)
    del obj
    try:
        async with asyncio.timeout(timeout_s):
            await died.wait()
    except TimeoutError:
        return False
    return True


@pytest.mark.parametrize("kind", ["api", "phone"])
async def test_a_closed_connection_needs_no_collector(
    app: Litestar, collector_off: None, kind: str
) -> None:
    protocols: list[weakref.ref[Any]] = []

    async def watched(scope: Scope, receive: Receive, send: Send) -> None:
        sent = raw_send(scope)
        if sent is not None:
            protocols.append(weakref.ref(cast(Any, sent).__self__))  # uvicorn's protocol
        await app(scope, receive, send)

    server, task, port = await serve(watched, lifespan="on")
    base = f"127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=f"http://{base}") as http:
            created = await http.post(
                "/api/events",
                json={"title": "Zukunft", "format": "world_cafe", "language": "de"},
                headers={"Authorization": f"Bearer {ADMIN}"},
            )
            code = created.json()["code"]
            joined = await http.post(
                f"/api/events/{code}/participants", json={"name": "Ada", "organisation_type": None}
            )
            token = joined.json()["token"]
        path = f"/api/events/{code}/live" if kind == "api" else f"/ws/phone/{code}"
        headers = {"Cookie": f"dg_p_{code}={token}"}
        async with asyncio.timeout(30):
            async with connect(
                f"ws://{base}{path}", compression=None, additional_headers=headers
            ) as ws:
                await ws.send(json.dumps({"type": "hello", "token": token, "after": None}))
                await ws.recv()  # the welcome (JSON) or the first fragments (page)
        assert protocols, "no WebSocket reached the app"
        assert await gone(protocols[-1]), "the closed connection waits for the cyclic GC"
    finally:
        server.should_exit = True
        await task
