"""Undo over the sockets (rooms/undo.py): the JSON API and the console's live history."""

from __future__ import annotations

from functools import partial
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from tests.server.conftest import join
from tests.server.test_live import hello
from tests.server.test_page_sockets import read_until as read_until_in
from tests.server.test_polls_live import Peer, command

Client = TestClient[Litestar]


def history(state: dict[str, Any]) -> list[dict[str, Any]]:
    return [*state["poll_undo"], *state["ideas_undo"], *state["action_undo"]]


def test_a_deleted_poll_and_a_reset_come_back_over_the_api(
    client: Client, event: dict[str, Any]
) -> None:
    code = event["code"]
    person = join(client, code, "Anna")
    with (
        client.websocket_connect(f"/api/events/{code}/live") as console_ws,
        client.websocket_connect(f"/api/events/{code}/live") as phone_ws,
    ):
        hello(console_ws, event["moderator_token"])
        hello(phone_ws, person["token"])
        console, phone = Peer(console_ws), Peer(phone_ws)
        poll = dict(type="poll.create", kind="single", options=["Ja", "Nein"])
        assert command(console, "c1", question="Entwurf?", **poll)["id"] == "p1"
        assert command(console, "c2", question="Offen?", **poll)["id"] == "p2"
        assert command(console, "c3", type="poll.open", poll="p2")["ok"] is True
        assert command(phone, "v1", type="poll.vote", poll="p2", choice="o1")["ok"] is True

        deleted = command(console, "c4", type="poll.delete", poll="p1")
        pushed = console.wait(lambda m: m["type"] == "state" and m["state"]["poll_undo"])
        [move] = history(pushed["state"])
        assert move == {
            "seq": deleted["seq"],
            "at": move["at"],
            "type": "poll.undo",
            "what": "poll_deleted",
            "label": "Entwurf?",
            "blocked": None,
        }
        assert [p["id"] for p in pushed["state"]["polls"]] == ["p2"]

        # A phone never sees the history.
        seen = phone.wait(lambda m: m["type"] == "state")
        assert history(seen["state"]) == []
        assert command(phone, "u0", type="poll.undo", seq=deleted["seq"])["reason"] == (
            "not_allowed"
        )

        # The form sends the seq as text; the wire converts it.
        undone = command(console, "c5", type="poll.undo", seq=str(deleted["seq"]))
        assert undone["ok"] is True
        back = console.wait(lambda m: m["type"] == "state" and len(m["state"]["polls"]) == 2)
        assert [p["id"] for p in back["state"]["polls"]] == ["p1", "p2"]
        assert history(back["state"]) == []

        again = command(console, "c6", type="poll.undo", seq=deleted["seq"])
        assert again["reason"] == "undo_gone"
        assert again["message"].startswith("Dieser Schritt kann nicht mehr rückgängig")

        reset = command(console, "c7", type="poll.reset", poll="p2")
        assert command(phone, "v2", type="poll.vote", poll="p2", choice="o2")["ok"] is True
        blocked = command(console, "c8", type="poll.undo", seq=reset["seq"])
        assert blocked["reason"] == "undo_votes_since"
        assert "abgestimmt" in blocked["message"]


read_until = partial(read_until_in, limit=50)
"""tests/server/test_page_sockets.py's, reading up to 50 messages."""


def test_the_console_lists_the_move_with_its_undo_button(
    client: Client, event: dict[str, Any]
) -> None:
    code = event["code"]
    client.get(event["links"]["moderator"].replace("http://testserver.local", ""))
    page = client.get(f"/console/{code}").text
    assert 'id="console-undo"' in page and 'id="undo-toast"' in page
    assert "Noch nichts rückgängig zu machen" in page
    with client.websocket_connect(f"/ws/console/{code}") as console:
        console.send_json({"type": "hello", "after": 1})
        read_until(console, 'id="console-status"')
        console.send_json({"type": "action.create", "title": "Radweg planen", "cid": "k1"})
        read_until(console, "Radweg planen")
        console.send_json({"type": "action.delete", "action": "a1", "cid": "k2"})
        html = read_until(console, 'data-undo-text="Maßnahme gelöscht: Radweg planen"')
        assert 'name="type" value="action.undo"' in html
        assert "Rückgängig</button>" in html
