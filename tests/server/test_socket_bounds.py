"""One client cannot hold unbounded sockets (issue 15): each bound, tried past its limit."""

from __future__ import annotations

import asyncio
import gc
import socket
import time
import weakref
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from litestar import Litestar
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient
from litestar.testing.websocket_test_session import WebSocketTestSession

from server.conns import SocketLimits, Sockets
from server.services import Services
from server.settings import Settings
from server.slowloris import HeaderTimeoutProtocol
from tests.server.conftest import join
from tests.server.test_live import hello

Client = TestClient[Litestar]


@pytest.fixture
def hello_timeout() -> float:
    """Long enough for a loaded CI machine; the silent-socket test sets its own."""
    return 15.0


@pytest.fixture
def settings(tmp_path: Path, hello_timeout: float) -> Settings:
    return Settings(
        db=str(tmp_path / "test.sqlite3"),
        data_dir=str(tmp_path),
        admin_token="test-admin-token",
        public_url="http://testserver.local",
        sample_event=False,
        sqlite_sync="NORMAL",  # tests check behaviour, not power-cut safety
        tick_ms=20,
        screens_per_address=3,
        sockets_per_participant=2,
        sockets_per_event=6,
        hello_timeout_s=hello_timeout,
    )


def closed_code(ws: WebSocketTestSession) -> int:
    """Read until the server closes the socket; its close code."""
    try:
        for _ in range(50):
            ws.receive_text(timeout=30)
    except WebSocketDisconnect as exc:
        code: int = exc.code
        return code
    raise AssertionError("the socket stayed open")


def refused(client: Client, path: str) -> int:
    with pytest.raises(WebSocketDisconnect) as closed:
        client.websocket_connect(path).__enter__()
    code: int = closed.value.code
    return code


def test_screens_per_address_are_bounded(client: Client, event: dict[str, Any]) -> None:
    code = event["code"]
    path = f"/ws/screen/{code}"
    with client.websocket_connect(path) as a:
        a.send_json({"type": "hello"})
        with client.websocket_connect(path) as b:
            b.send_json({"type": "hello"})
            with client.websocket_connect(f"/api/events/{code}/live") as c:  # no token: a screen
                hello(c, None)
                assert refused(client, path) == 1013  # the fourth anonymous socket
        # One closed: there is room again.
        with client.websocket_connect(path) as again:
            again.send_json({"type": "hello"})


def test_a_participants_extra_socket_closes_their_oldest(
    client: Client, app: Litestar, event: dict[str, Any]
) -> None:
    code = event["code"]
    person = join(client, code, "Anna")
    url = f"/api/events/{code}/live"
    with client.websocket_connect(url) as first:
        hello(first, person["token"])
        with client.websocket_connect(url) as second:
            hello(second, person["token"])
            with client.websocket_connect(url) as third:
                hello(third, person["token"])
                assert closed_code(first) == 1013  # the oldest was closed
                third.send_json({"type": "participant.rename", "cid": "r", "name": "Anna B"})
                svc: Services = app.state["svc"]
                assert len(svc.sockets.by_participant[(code, person["participant_id"])]) == 2


def test_sockets_per_event_are_bounded(client: Client, event: dict[str, Any]) -> None:
    code = event["code"]
    people = [join(client, code, f"P{i}")["token"] for i in range(7)]
    url = f"/api/events/{code}/live"
    opened = []
    try:
        for token in people[:6]:
            opened.append(client.websocket_connect(url))
            hello(opened[-1].__enter__(), token)
        assert refused(client, url) == 1013
    finally:
        for ws in opened:
            ws.__exit__(None, None, None)


@pytest.mark.parametrize("hello_timeout", [0.5])
def test_a_socket_that_never_says_hello_is_closed(client: Client, event: dict[str, Any]) -> None:
    with client.websocket_connect(f"/ws/screen/{event['code']}") as silent:
        assert closed_code(silent) == 1008
    with client.websocket_connect(f"/api/events/{event['code']}/live") as api:
        assert closed_code(api) == 1008  # after an error saying "hello_first"


def test_closed_sockets_leave_nothing_behind(
    client: Client, app: Litestar, event: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    code = event["code"]
    svc: Services = app.state["svc"]
    hub_subs: list[weakref.ref[Any]] = []
    for _ in range(3):
        with client.websocket_connect(f"/ws/screen/{code}") as ws:
            ws.send_json({"type": "hello"})
            ws.receive_text(timeout=30)
            hub = client.blocking_portal.call(svc.rooms.get, code)
            assert hub is not None
            hub_subs.extend(weakref.ref(s) for s in hub.subscribers)
    deadline = time.monotonic() + 60  # the server finishes each handler a moment after the close
    while time.monotonic() < deadline:
        caplog.clear()  # a captured log record's traceback would keep its frames alive
        gc.collect()
        if all(ref() is None for ref in hub_subs):
            break
        client.blocking_portal.call(asyncio.sleep, 0.1)
    alive = [ref() for ref in hub_subs if ref() is not None]
    holders = {type(r).__name__ for a in alive for r in gc.get_referrers(a)}
    assert not alive, f"still held by: {sorted(holders)}"
    assert all(ref() is None for ref in hub_subs)  # the subscribers and outboxes are freed
    assert svc.sockets.open == 0
    assert svc.sockets.by_address == {} and svc.sockets.anonymous_by_address == {}


def test_the_counts_balance() -> None:
    sockets = Sockets(SocketLimits(per_address=2, anonymous_per_address=1, per_event=10))
    a = sockets.admit("10.0.0.1", "ABCDEF", None, anonymous=True)
    assert a is not None
    assert sockets.admit("10.0.0.1", "ABCDEF", None, anonymous=True) is None
    b = sockets.admit("10.0.0.1", "ABCDEF", "p1", anonymous=False)
    assert b is not None
    assert sockets.admit("10.0.0.1", "ABCDEF", "p2", anonymous=False) is None  # per address
    assert sockets.admit("10.0.0.2", "ABCDEF", "p2", anonymous=False) is not None
    sockets.release(a)
    sockets.release(a)  # twice is once
    sockets.release(b)
    assert sockets.by_address == {"10.0.0.2": 1}


@pytest.mark.anyio
async def test_slow_headers_are_cut_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """Slowloris: a request whose headers dribble in is closed after the header timeout."""
    monkeypatch.setenv("DIALOGRAUM_HEADER_TIMEOUT_S", "0.3")

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)  # connections wait in the backlog until the server runs
    port = listener.getsockname()[1]
    config = uvicorn.Config(
        app, http=HeaderTimeoutProtocol, log_level="warning", lifespan="off", timeout_keep_alive=30
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        # A whole request is answered.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert b"200" in await asyncio.wait_for(reader.readline(), 5)
        writer.close()
        # Headers that never finish: closed by the server, not held.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n")
        loop = asyncio.get_running_loop()
        started = loop.time()
        closed = False
        for _ in range(30):  # a header line every 0.1 s, for up to 3 s
            try:
                writer.write(b"X-a: b\r\n")
                await writer.drain()
                closed = await asyncio.wait_for(reader.read(), 0.1) == b""
            except TimeoutError:
                continue
            except ConnectionError:
                closed = True
            if closed:
                break
        assert closed, "the dribbling connection was kept open"
        assert loop.time() - started < 3
        writer.close()
        # A connection that sends nothing at all is closed too.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        assert await asyncio.wait_for(reader.read(), 5) == b""
        writer.close()
    finally:
        server.should_exit = True
        await task


def test_phones_connecting_at_once_are_not_taken_for_screens() -> None:
    """Before its hello an API socket is nobody yet: a hall connecting at once all gets in."""
    sockets = Sockets(SocketLimits(anonymous_per_address=3))
    pending = [sockets.admit("10.0.0.1", "ABCDEF", None, anonymous=False) for _ in range(50)]
    assert all(t is not None for t in pending)  # 50 > 3, none is a screen yet
    tickets = [t for t in pending if t is not None]
    for i, ticket in enumerate(tickets[:45]):
        assert sockets.identify(ticket, f"p{i}", anonymous=False)
    assert [sockets.identify(t, None, anonymous=True) for t in tickets[45:]] == [
        True,
        True,
        True,
        False,  # the fourth screen from this address
        False,
    ]


def test_an_api_screen_past_the_bound_is_closed_after_its_hello(
    client: Client, event: dict[str, Any]
) -> None:
    url = f"/api/events/{event['code']}/live"
    with client.websocket_connect(url) as a:
        hello(a, None)
        with client.websocket_connect(url) as b:
            hello(b, None)
            with client.websocket_connect(url) as c:
                hello(c, None)
                with client.websocket_connect(url) as d:
                    d.send_json({"type": "hello", "token": None})
                    assert closed_code(d) == 1013
