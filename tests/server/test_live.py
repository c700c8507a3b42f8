"""The live WebSocket protocol: hello, welcome, pushes, acks, idempotency, limits."""

from __future__ import annotations

import gc
import inspect
import json
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from litestar.testing.websocket_test_session import WebSocketTestSession

from rooms import views
from server import live
from tests.server.conftest import join

Client = TestClient[Litestar]


def hello(ws: WebSocketTestSession, token: str | None, after: int | None = None) -> dict[str, Any]:
    ws.send_json({"type": "hello", "token": token, "after": after})
    welcome: dict[str, Any] = ws.receive_json(timeout=30)
    assert welcome["type"] == "welcome", welcome
    return welcome


def until(ws: WebSocketTestSession, check: Any, limit: int = 50) -> dict[str, Any]:
    """Read messages until one satisfies ``check``: waits on the condition, never sleeps."""
    for _ in range(limit):
        message: dict[str, Any] = ws.receive_json(timeout=30)
        if check(message):
            return message
    raise AssertionError("condition not reached")


def collect(ws: WebSocketTestSession, *checks: Any, limit: int = 50) -> list[dict[str, Any]]:
    """Read until every check has matched a message, in whatever order they come.

    Acks and state pushes travel independently (a push may overtake the ack
    of the command that caused it), so tests must not depend on their order.
    """
    found: list[dict[str, Any] | None] = [None] * len(checks)
    for _ in range(limit):
        if all(f is not None for f in found):
            break
        message: dict[str, Any] = ws.receive_json(timeout=30)
        for i, check in enumerate(checks):
            if found[i] is None and check(message):
                found[i] = message
    assert all(f is not None for f in found), "condition not reached"
    return [f for f in found if f is not None]


def ack_for(cid: str) -> Any:
    return lambda m: m["type"] == "ack" and m["cid"] == cid


def test_roles_follow_the_token(client: Client, event: dict[str, Any]) -> None:
    code = event["code"]
    person = join(client, code, "Anna")
    with client.websocket_connect(f"/api/events/{code}/live") as ws:
        screen = hello(ws, None)
        assert screen["role"] == "screen"
        assert screen["state"]["participants"]["joined"] == 1
        assert "people" not in screen["state"]
    with client.websocket_connect(f"/api/events/{code}/live") as ws:
        mod = hello(ws, event["moderator_token"])
        assert mod["role"] == "moderator"
        assert mod["state"]["people"][0]["name"] == "Anna"
    with client.websocket_connect(f"/api/events/{code}/live") as ws:
        me = hello(ws, person["token"])
        assert me["role"] == "participant"
        assert me["state"]["me"]["id"] == person["participant_id"]


def test_a_bad_token_is_refused_with_a_reason(client: Client, event: dict[str, Any]) -> None:
    with client.websocket_connect(f"/api/events/{event['code']}/live") as ws:
        ws.send_json({"type": "hello", "token": "forged.token"})
        error = ws.receive_json(timeout=30)
        assert error["type"] == "error"
        assert error["reason"] == "bad_token"


def test_the_first_message_must_be_hello(client: Client, event: dict[str, Any]) -> None:
    with client.websocket_connect(f"/api/events/{event['code']}/live") as ws:
        ws.send_json({"type": "participant.leave", "cid": "x"})
        error = ws.receive_json(timeout=30)
        assert error == {
            "type": "error",
            "reason": "hello_first",
            "message": "Bitte verbinden Sie sich erneut.",
        }


def test_rename_is_acked_and_pushed_to_the_participant_and_the_moderator(
    client: Client, event: dict[str, Any]
) -> None:
    code = event["code"]
    person = join(client, code, "Anna")
    with (
        client.websocket_connect(f"/api/events/{code}/live") as phone,
        client.websocket_connect(f"/api/events/{code}/live") as console,
    ):
        hello(phone, person["token"])
        hello(console, event["moderator_token"])
        phone.send_json({"type": "participant.rename", "cid": "r1", "name": "Anna Berg"})
        ack, mine = collect(phone, ack_for("r1"), lambda m: m["type"] == "state" and m["seq"] == 3)
        assert ack["ok"] is True
        assert ack["seq"] == 3
        assert mine["state"]["me"]["name"] == "Anna Berg"
        theirs = until(
            console,
            lambda m: m["type"] == "state" and m["state"]["people"][0]["name"] == "Anna Berg",
        )
        assert theirs["state"]["participants"]["online"] == 1


def test_a_repeated_cid_gets_the_first_answer_and_changes_nothing(
    client: Client, event: dict[str, Any]
) -> None:
    code = event["code"]
    person = join(client, code, "Anna")
    with client.websocket_connect(f"/api/events/{code}/live") as ws:
        hello(ws, person["token"])
        ws.send_json({"type": "participant.rename", "cid": "same", "name": "One"})
        first = until(ws, ack_for("same"))
        ws.send_json({"type": "participant.rename", "cid": "same", "name": "Two"})
        second = until(ws, ack_for("same"))
        assert second == first
    state = client.get(
        f"/api/events/{code}/state",
        headers={"Authorization": f"Bearer {event['moderator_token']}"},
    ).json()
    assert state["seq"] == first["seq"]
    assert state["state"]["people"][0]["name"] == "One"


def test_participants_cannot_use_moderator_commands(client: Client, event: dict[str, Any]) -> None:
    person = join(client, event["code"])
    with client.websocket_connect(f"/api/events/{event['code']}/live") as ws:
        hello(ws, person["token"])
        ws.send_json({"type": "event.close", "cid": "c1", "role": "moderator"})
        ack = until(ws, ack_for("c1"))
        assert ack["ok"] is False
        assert ack["reason"] == "not_allowed"
        assert ack["message"] == "Das dürfen Sie nicht."


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("{not json", "bad_message"),
        (json.dumps({"type": "poll.explode", "cid": "u1"}), "unknown_command"),
        (json.dumps({"type": "screen.show", "cid": "u2", "what": "fireworks"}), "bad_message"),
        (
            json.dumps({"type": "participant.rename", "cid": "u3", "name": "x" * 17_000}),
            "message_too_large",
        ),
    ],
)
def test_bad_messages_get_an_error_and_the_connection_stays_healthy(
    client: Client, event: dict[str, Any], raw: str, reason: str
) -> None:
    code = event["code"]
    with client.websocket_connect(f"/api/events/{code}/live") as ws:
        hello(ws, event["moderator_token"])
        ws.send_text(raw)
        error = until(ws, lambda m: m["type"] == "ack")
        assert error["ok"] is False
        assert error["reason"] == reason
        ws.send_json({"type": "screen.show", "cid": "after", "what": "blank"})
        assert until(ws, ack_for("after"))["ok"] is True


def test_moderator_screen_changes_reach_the_screen(client: Client, event: dict[str, Any]) -> None:
    code = event["code"]
    with (
        client.websocket_connect(f"/api/events/{code}/live") as screen,
        client.websocket_connect(f"/api/events/{code}/live") as console,
    ):
        hello(screen, None)
        hello(console, event["moderator_token"])
        console.send_json({"type": "screen.show", "cid": "s1", "what": "blank"})
        shown = until(screen, lambda m: m["type"] == "state" and m["state"]["screen"] == "blank")
        assert shown["seq"] == 2
        console.send_json({"type": "event.close", "cid": "s2"})
        until(screen, lambda m: m["type"] == "state" and m["state"]["status"] == "closed")


def test_joins_reach_a_connected_screen(client: Client, event: dict[str, Any]) -> None:
    code = event["code"]
    with client.websocket_connect(f"/api/events/{code}/live") as screen:
        hello(screen, None)
        for i in range(5):
            join(client, code, f"P{i}")
        until(screen, lambda m: m["type"] == "state" and m["state"]["participants"]["joined"] == 5)


def test_a_burst_beyond_the_rate_limit_is_refused_with_a_reason(
    client: Client, event: dict[str, Any]
) -> None:
    person = join(client, event["code"])
    with client.websocket_connect(f"/api/events/{event['code']}/live") as ws:
        hello(ws, person["token"])
        for i in range(30):
            ws.send_json({"type": "participant.rename", "cid": f"b{i}", "name": f"N{i}"})
        acks = [until(ws, ack_for(f"b{i}")) for i in range(30)]
    refused = [a for a in acks if not a["ok"]]
    assert 5 <= len(refused) <= 10  # burst of 20, a few more refill while it runs
    assert {a["reason"] for a in refused} == {"rate_limited"}


def test_foreign_origins_are_refused(client: Client, event: dict[str, Any]) -> None:
    from litestar.exceptions import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect):  # refused at the upgrade, before any message
        client.websocket_connect(
            f"/api/events/{event['code']}/live", headers={"Origin": "http://evil.example"}
        ).__enter__()
    with client.websocket_connect(
        f"/api/events/{event['code']}/live", headers={"Origin": "http://testserver.local"}
    ) as ws:
        assert hello(ws, None)["role"] == "screen"


def test_unknown_events_are_refused(client: Client) -> None:
    from litestar.exceptions import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect):
        client.websocket_connect("/api/events/ZZZZZZ/live").__enter__()


def test_an_open_session_keeps_no_view_of_the_room(client: Client, event: dict[str, Any]) -> None:
    """A socket lasts hours; its welcome view (the whole room at the join) must not.

    The stamina run found every open JSON socket holding its welcome struct in
    the session coroutine's frame: 1,000 stale copies of a growing room
    (café tables, polls, questions), tens of MB over a long event. While the
    sockets below stay open, no local of their sessions may be a view struct
    (directly or in a tuple). Only the sessions' frames are looked at: the
    server thread may be rendering a view for the console at this moment.
    """
    code = event["code"]
    person = join(client, code, "Anna")
    views_alive = (views.ParticipantView, views.PublicView, views.ModeratorView)
    with (
        client.websocket_connect(f"/api/events/{code}/live") as phone,
        client.websocket_connect(f"/api/events/{code}/live") as screen,
        client.websocket_connect(f"/api/events/{code}/live") as console,
    ):
        hello(phone, person["token"])
        hello(screen, None)
        hello(console, event["moderator_token"])
        frozen = gc.get_freeze_count()
        gc.unfreeze()  # the server's GC settler may have frozen them out of get_objects()
        try:
            sessions = [
                o.cr_frame.f_locals
                for o in gc.get_objects()
                if inspect.iscoroutine(o)
                and o.cr_code is live.api_session.__code__
                and o.cr_frame is not None
                and getattr(o.cr_frame.f_locals.get("hub"), "code", None) == code
            ]
        finally:
            if frozen:
                gc.freeze()
        assert len(sessions) == 3
        kept = [
            name
            for local in sessions
            for name, value in local.items()
            for item in (value if isinstance(value, tuple) else (value,))
            if isinstance(item, views_alive)
        ]
        assert kept == []
