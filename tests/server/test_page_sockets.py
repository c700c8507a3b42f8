"""Page sockets: the same commands as form fields, HTML fragments swapped by id."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient
from litestar.testing.websocket_test_session import WebSocketTestSession

from tests.server.test_pages import join_in_browser

Client = TestClient[Litestar]


def read_until(ws: WebSocketTestSession, needle: str, limit: int = 30) -> str:
    for _ in range(limit):
        text = ws.receive_text(timeout=30)
        if needle in text:
            return text
    raise AssertionError(f"{needle!r} never arrived")


def read_each(ws: WebSocketTestSession, *needles: str, limit: int = 30) -> list[str]:
    """The first message containing each needle, in whatever order they arrive."""
    found: dict[str, str] = {}
    for _ in range(limit):
        if len(found) == len(needles):
            break
        text = ws.receive_text(timeout=30)
        for needle in needles:
            if needle not in found and needle in text:
                found[needle] = text
    assert len(found) == len(needles), f"missing: {set(needles) - set(found)}"
    return [found[n] for n in needles]


def test_the_phone_socket_needs_the_participant_cookie(
    client: Client, event: dict[str, Any]
) -> None:
    with pytest.raises(WebSocketDisconnect):
        client.websocket_connect(f"/ws/phone/{event['code']}").__enter__()


def test_phone_renames_with_form_fields_and_gets_its_fragment(
    client: Client, event: dict[str, Any]
) -> None:
    code = event["code"]
    join_in_browser(client, code, name="Anna", org="union")
    with client.websocket_connect(f"/ws/phone/{code}") as ws:
        ws.send_json({"type": "hello", "after": 0})
        first = read_until(ws, 'id="phone-status"')
        assert 'hx-swap-oob="true"' in first
        ws.send_json(
            {
                "type": "participant.rename",
                "cid": "f1",
                "name": "Anna Berg",
                "organisation_type": "",  # an empty select means "not given"
                "HEADERS": {"HX-Request": "true"},
            }
        )
        fragment, ack = read_each(ws, "Anna Berg", '"cid":"f1"')
        assert 'id="me"' in fragment
        assert "<strong>Anna Berg</strong></p>" in fragment  # no organisation shown any more
        assert 'value="union" selected' not in fragment
        assert '"ok":true' in ack


def test_the_screen_gets_fresh_views_only_when_behind(
    client: Client, event: dict[str, Any]
) -> None:
    code = event["code"]
    with client.websocket_connect(f"/ws/screen/{code}") as ws:
        ws.send_json({"type": "hello", "after": 0})  # the page showed seq 0: behind
        assert 'id="stage"' in read_until(ws, 'id="stage"')
        client.post(f"/api/events/{code}/participants", json={"name": "Bo"})
        update = read_until(ws, 'class="num" data-tween>1<')
        assert 'id="stage"' in update
        # One frame per tick: the parts, then the seq marker that says what they show.
        assert update.index('id="stage"') < update.index('data-seq="2"')


def test_console_socket_drives_the_screen(client: Client, event: dict[str, Any]) -> None:
    code = event["code"]
    client.get(event["links"]["moderator"].replace("http://testserver.local", ""))
    with (
        client.websocket_connect(f"/ws/console/{code}") as console,
        client.websocket_connect(f"/ws/screen/{code}") as screen,
    ):
        console.send_json({"type": "hello", "after": 1})
        screen.send_json({"type": "hello", "after": 1})
        read_until(console, 'id="console-status"')  # the console always gets a fresh view
        console.send_json({"type": "screen.show", "what": "blank", "cid": "k1"})
        assert 'data-mode="blank"' in read_until(screen, 'data-mode="blank"')


def test_console_socket_refuses_without_the_moderator_cookie(
    client: Client, event: dict[str, Any]
) -> None:
    with pytest.raises(WebSocketDisconnect):
        client.websocket_connect(f"/ws/console/{event['code']}").__enter__()
