"""Polls over the live sockets: the API contract and the page forms."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import TestClient
from litestar.testing.websocket_test_session import WebSocketTestSession

from tests.server.conftest import join
from tests.server.test_live import ack_for, hello
from tests.server.test_page_sockets import read_each
from tests.server.test_pages import join_in_browser

Client = TestClient[Litestar]


class Peer:
    """A socket whose messages are kept until a test asks for them.

    Acks and state pushes overtake each other; a test waiting for one must
    not throw away the other.
    """

    def __init__(self, ws: WebSocketTestSession) -> None:
        self.ws = ws
        self.backlog: list[dict[str, Any]] = []

    def wait(self, check: Any, limit: int = 50) -> dict[str, Any]:
        for message in self.backlog:
            if check(message):
                self.backlog.remove(message)
                return message
        for _ in range(limit):
            received: dict[str, Any] = self.ws.receive_json(timeout=30)
            if check(received):
                return received
            self.backlog.append(received)
        raise AssertionError("condition not reached")


def command(peer: Peer, cid: str, **fields: Any) -> dict[str, Any]:
    peer.ws.send_json({"cid": cid, **fields})
    return peer.wait(ack_for(cid))


def poll_of(state: dict[str, Any], poll: str) -> dict[str, Any]:
    return next(p for p in state["polls"] if p["id"] == poll)


def test_single_choice_poll_end_to_end_over_the_api(client: Client, event: dict[str, Any]) -> None:
    code = event["code"]
    people = [join(client, code, f"P{i}") for i in range(3)]
    with (
        client.websocket_connect(f"/api/events/{code}/live") as console_ws,
        client.websocket_connect(f"/api/events/{code}/live") as screen_ws,
        client.websocket_connect(f"/api/events/{code}/live") as phone_ws,
    ):
        hello(console_ws, event["moderator_token"])
        hello(screen_ws, None)
        hello(phone_ws, people[0]["token"])
        console, screen, phone = Peer(console_ws), Peer(screen_ws), Peer(phone_ws)
        created = command(
            console, "c1", type="poll.create", kind="single", question="Welche Priorität?",
            options=["Fachkräfte", "Energie", "Digitalisierung"],
        )  # fmt: skip
        assert created["ok"] is True
        assert created["id"] == "p1"
        assert command(console, "c2", type="poll.open", poll="p1")["ok"] is True
        vote = command(phone, "v1", type="poll.vote", poll="p1", choice="o2")
        assert vote["ok"] is True
        again = command(phone, "v1", type="poll.vote", poll="p1", choice="o3")
        assert again == vote  # a resend counts once
        mine = phone.wait(lambda m: m["type"] == "state" and m["state"]["me"]["ballots"])
        assert mine["state"]["me"]["ballots"] == {"p1": {"choice": "o2"}}
        assert "results" not in poll_of(mine["state"], "p1")  # phones see results only if shared
        assert "voters" not in poll_of(
            mine["state"], "p1"
        )  # nor a count that moves with every vote
        shown = screen.wait(
            lambda m: (
                m["type"] == "state"
                and m["state"]["polls"]
                and poll_of(m["state"], "p1")["voters"] == 1
            ),
        )
        results = poll_of(shown["state"], "p1")["results"]
        assert results["voters"] == 1
        assert results["counts"] == {"o1": 0, "o2": 1, "o3": 0}
        assert command(console, "c3", type="poll.close", poll="p1")["ok"] is True
        late = command(phone, "v2", type="poll.vote", poll="p1", choice="o1")
        assert late["ok"] is False
        assert late["reason"] == "poll_closed"
        assert late["message"] == "Diese Abstimmung ist beendet. Ihre Stimme wurde nicht gezählt."


def test_a_poll_closed_for_good_keeps_its_results_and_forgets_whose_vote_was_whose(
    client: Client, event: dict[str, Any]
) -> None:
    """The phone sees its vote while the poll can change; after the seal it cannot,
    and the store has no secret left to link any ballot to anyone."""
    code = event["code"]
    person = join(client, code, "P0")
    svc: Any = client.app.state["svc"]
    with (
        client.websocket_connect(f"/api/events/{code}/live") as console_ws,
        client.websocket_connect(f"/api/events/{code}/live") as phone_ws,
    ):
        hello(console_ws, event["moderator_token"])
        hello(phone_ws, person["token"])
        console, phone = Peer(console_ws), Peer(phone_ws)
        command(console, "c1", type="poll.create", question="Wohin?", options=["A", "B"])
        assert command(console, "c2", type="poll.open", poll="p1")["ok"] is True
        assert command(phone, "v1", type="poll.vote", poll="p1", choice="o1")["ok"] is True
        assert command(phone, "v2", type="poll.vote", poll="p1", choice="o2")["ok"] is True
        mine = phone.wait(
            lambda m: (
                m["type"] == "state" and m["state"]["me"]["ballots"] == {"p1": {"choice": "o2"}}
            )
        )
        assert "sealed" not in poll_of(mine["state"], "p1")
        assert list(client.blocking_portal.call(svc.rooms.store.poll_secrets, code)) == ["p1"]
        assert command(console, "c3", type="poll.close", poll="p1")["ok"] is True
        assert command(console, "c4", type="poll.seal", poll="p1")["ok"] is True
        phone.wait(
            lambda m: m["type"] == "state" and any(p.get("sealed") for p in m["state"]["polls"])
        )
        assert client.blocking_portal.call(svc.rooms.store.poll_secrets, code) == {}
        with client.websocket_connect(f"/api/events/{code}/live") as again:
            # The phone's own view, as any render of it from now on: no ballot in p1.
            assert hello(again, person["token"])["state"]["me"]["ballots"] == {}
        reopen = command(console, "c5", type="poll.open", poll="p1")
        assert (reopen["ok"], reopen["reason"]) == (False, "poll_sealed")
        assert reopen["message"] == "Diese Abstimmung ist endgültig beendet."
        late = command(phone, "v3", type="poll.vote", poll="p1", choice="o1")
        assert (late["ok"], late["reason"]) == (False, "poll_sealed")
        log = client.blocking_portal.call(svc.rooms.store.read, code)
        votes = [entry for entry in log if b'"poll.voted' in entry]
        assert len(votes) == 2 and not any(person["participant_id"].encode() in v for v in votes)


def test_drafts_are_invisible_and_hidden_results_wait_for_close(
    client: Client, event: dict[str, Any]
) -> None:
    code = event["code"]
    with (
        client.websocket_connect(f"/api/events/{code}/live") as console_ws,
        client.websocket_connect(f"/api/events/{code}/live") as screen_ws,
    ):
        hello(console_ws, event["moderator_token"])
        hello(screen_ws, None)
        console, screen = Peer(console_ws), Peer(screen_ws)
        command(
            console, "c1", type="poll.create", kind="scale", question="Wie zufrieden?",
            scale_min=1, scale_max=5, hide_results=True,
        )  # fmt: skip
        state = client.get(f"/api/events/{code}").json()
        assert state["status"] == "open"
        command(console, "c2", type="poll.open", poll="p1")
        opened = screen.wait(lambda m: m["type"] == "state" and m["state"]["polls"])
        assert "results" not in opened["state"]["polls"][0]
        command(console, "c3", type="poll.close", poll="p1")
        closed = screen.wait(
            lambda m: (
                m["type"] == "state"
                and bool(m["state"]["polls"])
                and m["state"]["polls"][0]["status"] == "closed"
            ),
        )
        assert closed["state"]["polls"][0]["results"]["distribution"] == {
            "1": 0, "2": 0, "3": 0, "4": 0, "5": 0,
        }  # fmt: skip


def test_bad_poll_input_gets_a_clear_reason(client: Client, event: dict[str, Any]) -> None:
    with client.websocket_connect(f"/api/events/{event['code']}/live") as console_ws:
        hello(console_ws, event["moderator_token"])
        console = Peer(console_ws)
        ack = command(console, "c1", type="poll.create", kind="single", question="?", options=["x"])
        assert ack["ok"] is False
        assert ack["reason"] == "options_missing"
        assert "mindestens zwei" in ack["message"]
        bad_kind = command(console, "c2", type="poll.create", kind="dice", question="?")
        assert bad_kind["reason"] == "bad_message"


def test_the_console_form_and_phone_forms_speak_the_same_commands(
    client: Client, event: dict[str, Any]
) -> None:
    code = event["code"]
    client.get(event["links"]["moderator"].replace("http://testserver.local", ""))
    with client.websocket_connect(f"/ws/console/{code}") as console:
        console.send_json({"type": "hello", "after": 0})
        # What the editor form sends: strings, a textarea, a checkbox.
        console.send_json(
            {
                "type": "poll.create", "cid": "f1", "kind": "points", "question": "Budget?",
                "options": "Schule\nStraße\n\nRadweg", "budget": "10", "max_per_option": "6",
                "results_on_phones": "true", "named": "true", "max_choices": "0",
            }
        )  # fmt: skip
        fragment, ack = read_each(console, 'id="poll-p1"', '"cid":"f1"')
        assert '"ok":true' in ack
        assert "Budget?" in fragment
        console.send_json({"type": "poll.open", "cid": "f2", "poll": "p1"})
        read_each(console, '"cid":"f2"')
    join_in_browser(client, code, name="Anna")  # the same browser may moderate and take part
    page = client.get(f"/p/{code}")
    assert 'name="points.o1"' in page.text
    with client.websocket_connect(f"/ws/phone/{code}") as ws:
        ws.send_json({"type": "hello", "after": 0})
        ws.send_json(
            {"type": "poll.vote", "cid": "pv", "poll": "p1", "points.o1": "6",
             "points.o2": "0", "points.o3": "4"}
        )  # fmt: skip
        me, ack, results = read_each(ws, '"o3":4', '"cid":"pv"', '<span class="pct">6</span>')
        assert '"ok":true' in ack
        assert 'id="my-ballots"' in me
        assert 'id="phone-results"' in results
    state = client.get(
        f"/api/events/{code}/state",
        headers={"Authorization": f"Bearer {event['moderator_token']}"},
    ).json()["state"]
    poll = poll_of(state, "p1")
    assert poll["settings"]["anonymous"] is False
    assert poll["results"]["totals"] == {"o1": 6, "o2": 0, "o3": 4}
