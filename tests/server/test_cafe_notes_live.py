"""A host's key points through the phone page: the form names its round, and a host the
moderator replaced is told so and may still save the round they hosted.

The pure rules are in ``tests/rooms/test_cafe_notes.py``; this checks that the
page's form carries what those rules need (its hidden fields after a live
update), that the wire takes the round from a form string, and that the
refusal reaches the phone as a sentence in its language.
"""

from __future__ import annotations

import json
import re
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient, WebSocketTestSession

from rooms.base import Actor, Role
from rooms.cafe.domain import CreateCafe, SetHost, StartRound, TableSpec
from tests.server.conftest import join
from tests.server.test_page_sockets import read_until
from tests.server.test_pages import join_in_browser

Client = TestClient[Litestar]


def _ack(ws: WebSocketTestSession, cid: str) -> dict[str, Any]:
    text = read_until(ws, f'"cid":"{cid}"')
    ack: dict[str, Any] = json.loads(text)
    return ack


def _form_fields(card: str) -> dict[str, str]:
    """The hidden fields of the key points form in a rendered café card."""
    form = re.search(r"<form[^>]*data-host-notes.*?</form>", card, re.S)
    assert form is not None, card
    return dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', form.group(0)))


def _hub(client: Client, code: str) -> Any:
    svc: Any = client.app.state["svc"]
    return client.blocking_portal.call(svc.rooms.get, code)


def _pid(client: Client, code: str, name: str) -> str:
    """A participant's id by their display name (the join form's cid is not their id)."""
    people = _hub(client, code).state.lobby.participants
    [pid] = [p for p, who in people.items() if who.name == name]
    return str(pid)


def _notes(client: Client, code: str) -> dict[str, dict[int, str]]:
    """The café's key points as the room holds them, by table and round."""
    notes = _hub(client, code).state.cafe.notes
    return {t: dict(rounds) for t, rounds in notes.items()}


def test_a_replaced_host_saves_the_round_they_hosted_after_the_next_began(
    client: Client, event: dict[str, Any]
) -> None:
    code = event["code"]
    join_in_browser(client, code, name="Anna", org="union")
    anna = _pid(client, code, "Anna")
    ben = join(client, code, "Ben")["participant_id"]
    client.get(event["links"]["moderator"].replace("http://testserver.local", ""))
    with (
        client.websocket_connect(f"/ws/phone/{code}") as phone,
        client.websocket_connect(f"/ws/console/{code}") as console,
    ):
        phone.send_json({"type": "hello", "after": 0})
        console.send_json({"type": "hello", "after": 0})
        read_until(console, 'id="console-cafe"')
        tables = {"tables": "Fachkräfte sichern\nEnergie\n", "rounds": "3", "round_minutes": "20"}
        console.send_json({"type": "cafe.create", "cid": "k1", **tables})
        assert _ack(console, "k1")["ok"] is True
        host = {"type": "cafe.set_host", "table": "t1"}
        console.send_json({**host, "cid": "k2", "participant": anna})
        assert _ack(console, "k2")["ok"] is True
        console.send_json({"type": "cafe.start_round", "cid": "k3"})
        card = read_until(phone, 'name="round" value="1"')
        assert _form_fields(card) == {"type": "cafe.note", "table": "t1", "round": "1"}
        # the moderator gives the table to Ben while Anna types
        console.send_json({**host, "cid": "k4", "participant": ben})
        assert _ack(console, "k4")["ok"] is True
        card = read_until(phone, "nicht mehr Gastgeber*in")
        assert "Tisch 1" in card
        assert _form_fields(card) == {"type": "cafe.note", "table": "t1", "round": "1"}
        console.send_json({"type": "cafe.end_round", "cid": "k5"})
        console.send_json({"type": "cafe.start_round", "cid": "k6"})
        read_until(phone, 'data-cafe-signal="round:2"')
        # her form of round 1, sent now: it counts for round 1, not for round 2
        phone.send_json(
            {"type": "cafe.note", "cid": "n1", "table": "t1", "round": "1", "text": "Azubis"}
        )
        assert _ack(phone, "n1")["ok"] is True
        assert _notes(client, code)["t1"] == {1: "Azubis"}
        # round 2 was Ben's: refused, and the phone is told why in its language
        phone.send_json(
            {"type": "cafe.note", "cid": "n2", "table": "t1", "round": "2", "text": "Später"}
        )
        refused = _ack(phone, "n2")
        assert refused["ok"] is False and refused["reason"] == "not_host"
        assert "nicht gespeichert" in refused["message"]
        assert _notes(client, code)["t1"] == {1: "Azubis"}


def test_the_refusal_is_english_on_an_english_phone(client: Client, event: dict[str, Any]) -> None:
    code = event["code"]
    join_in_browser(client, code, name="Anna", org="union")
    ben = join(client, code, "Ben")["participant_id"]
    hub = _hub(client, code)
    for command in (
        CreateCafe(tables=[TableSpec("Energie"), TableSpec("Mobilität")], rounds=2),
        SetHost("t1", ben),
        StartRound(),
    ):
        result = client.blocking_portal.call(hub.submit, Actor(Role.MODERATOR), command, None)
        assert result.ok, result.reason
    client.cookies.set("dg_lang", "en")
    with client.websocket_connect(f"/ws/phone/{code}") as phone:
        phone.send_json({"type": "hello", "after": 0})
        note = {"type": "cafe.note", "table": "t1", "round": "1", "text": "x"}
        phone.send_json({**note, "cid": "n1"})
        refused = _ack(phone, "n1")
    assert refused["ok"] is False and refused["reason"] == "not_host"
    assert "so these key points were not saved" in refused["message"]
    assert _notes(client, code) == {}
