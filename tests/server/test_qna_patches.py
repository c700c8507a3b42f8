"""The phones' tick when only counts moved: patches for API clients that ask, counts for pages.

Through Litestar's test client: a participant that says ``patches`` gets a
``patch`` that turns its state into the whole state at the patch's seq; one
that sees a gap says hello again and gets the whole state; one that did not
ask gets whole states only, as before. A phone page gets only the counts
fragment, not the question list, when only votes moved.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from litestar.testing.websocket_test_session import WebSocketTestSession

from rooms.views import Counts
from server.patches import Shapes
from server.settings import Settings
from tests.server.conftest import join
from tests.server.test_live import hello
from tests.server.test_page_sockets import read_each, read_until
from tests.server.test_pages import join_in_browser
from tests.server.test_polls_live import Peer, command

Client = TestClient[Litestar]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The phones' tick at 50 ms, so a test waits for it a twentieth as long."""
    return msgspec.structs.replace(settings, phone_tick_ms=50)


def hello_patches(ws: WebSocketTestSession, token: str) -> dict[str, Any]:
    ws.send_json({"type": "hello", "token": token, "after": None, "patches": True})
    welcome: dict[str, Any] = ws.receive_json(timeout=30)
    assert welcome["type"] == "welcome", welcome
    return welcome


def apply_patch(state: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """What a client does with a patch (docs/api.md, "Patches")."""
    out = copy.deepcopy(state)
    out["participants"] = patch["participants"]
    sessions = {s["id"]: s for s in out["qna"]}
    for change in patch["qna"]:
        session = sessions[change["session"]]
        by_id = {q["id"]: q for q in session["questions"]}
        session["questions"] = [by_id[q] for q in change["order"]]
        for q, votes in zip(change["order"], change["votes"], strict=True):
            by_id[q]["votes"] = votes
    return out


def shared(state: dict[str, Any]) -> dict[str, Any]:
    """The shared part of a participant's state (``me`` is the phone's own)."""
    return {k: v for k, v in state.items() if k != "me"}


def messages_until(ws: WebSocketTestSession, needle: str, limit: int = 30) -> list[str]:
    """Every message up to and including the first that holds ``needle``."""
    seen = []
    for _ in range(limit):
        seen.append(ws.receive_text(timeout=30))
        if needle in seen[-1]:
            return seen
    raise AssertionError(f"{needle!r} never arrived")


def is_state_at(seq: int) -> Any:
    return lambda m: m["type"] == "state" and m["seq"] >= seq


def test_a_patch_turns_the_last_state_into_the_whole_state(
    client: Client, event: dict[str, Any]
) -> None:
    code = event["code"]
    people = [join(client, code, f"P{i}") for i in range(4)]
    with (
        client.websocket_connect(f"/api/events/{code}/live") as console_ws,
        client.websocket_connect(f"/api/events/{code}/live") as watcher_ws,
        client.websocket_connect(f"/api/events/{code}/live") as plain_ws,
        client.websocket_connect(f"/api/events/{code}/live") as voter_ws,
    ):
        hello(console_ws, event["moderator_token"])
        hello_patches(watcher_ws, people[0]["token"])
        hello(plain_ws, people[1]["token"])
        hello(voter_ws, people[2]["token"])
        console, watcher, plain, voter = (
            Peer(ws) for ws in (console_ws, watcher_ws, plain_ws, voter_ws)
        )
        assert command(console, "c1", type="qna.create", title="Input 1", mode="open")["ok"]
        command(voter, "v1", type="question.ask", session="s1", text="Wer zahlt?")
        asked = command(voter, "v2", type="question.ask", session="s1", text="Wann?")
        # New questions change more than counts: the watcher gets the whole state.
        base = watcher.wait(is_state_at(asked["seq"]))
        assert [q["id"] for q in base["state"]["qna"][0]["questions"]] == ["q1", "q2"]

        upvoted = command(voter, "v3", type="question.upvote", question="q2")
        patch = watcher.wait(lambda m: m["type"] == "patch" and m["seq"] >= upvoted["seq"])
        assert patch["base"] <= base["seq"] <= patch["seq"]
        assert patch["qna"] == [{"session": "s1", "order": ["q2", "q1"], "votes": [1, 0]}]
        # The client that did not ask for patches gets the whole state, as the API promises.
        whole = plain.wait(is_state_at(patch["seq"]))
        assert whole["seq"] == patch["seq"]
        assert apply_patch(shared(base["state"]), patch) == shared(whole["state"])
        assert not any(m["type"] == "patch" for m in plain.backlog)

        # A hidden question changes the list: whole state, and later patches start there.
        hidden = command(console, "c2", type="question.hide", question="q1")
        after_hide = watcher.wait(is_state_at(hidden["seq"]))
        assert [q["id"] for q in after_hide["state"]["qna"][0]["questions"]] == ["q2"]
        back = command(console, "c3", type="question.restore", question="q1")
        restored = watcher.wait(is_state_at(back["seq"]))
        assert len(restored["state"]["qna"][0]["questions"]) == 2
        upvoted = command(voter, "v4", type="question.upvote", question="q1")
        later = watcher.wait(lambda m: m["type"] == "patch" and m["seq"] >= upvoted["seq"])
        # A client still at the first patch has missed the hide and the restore: a gap.
        assert later["base"] > patch["seq"]
        assert later["base"] <= restored["seq"]
        watcher.ws.send_json({"type": "hello"})  # what a client that sees a gap does
        fresh = watcher.wait(is_state_at(later["seq"]))
        assert [(q["id"], q["votes"]) for q in fresh["state"]["qna"][0]["questions"]] == [
            ("q1", 1),
            ("q2", 1),
        ]
        assert fresh["state"]["me"]["id"] == people[0]["participant_id"]


def test_a_shape_that_changed_and_changed_back_moves_the_base() -> None:
    shapes = Shapes()

    def view(status: str, votes: int, online: int) -> Any:
        question = msgspec.defstruct("Q", [("id", str), ("status", str), ("votes", int)])
        session = msgspec.defstruct("S", [("id", str), ("questions", list[Any])])
        room = msgspec.defstruct("V", [("participants", Counts), ("qna", list[Any])])
        return room(Counts(5, online), [session("s1", [question("q1", status, votes)])])

    assert shapes.seen("ROOM", 10, view("visible", 0, 3))[1] == 10
    assert shapes.seen("ROOM", 12, view("visible", 4, 5))[1] == 10  # counts only
    assert shapes.seen("ROOM", 13, view("hidden", 4, 5))[1] == 13
    assert shapes.seen("ROOM", 14, view("visible", 4, 5))[1] == 14  # back, but not for 13
    assert shapes.seen("OTHER", 14, view("visible", 4, 5))[1] == 14  # per room


@contextmanager
def qna_with_a_voter_and_a_page(
    client: Client, event: dict[str, Any]
) -> Iterator[tuple[Peer, Peer, WebSocketTestSession]]:
    """A Q&A session with one question ("Wer zahlt?") from a JSON participant, and
    Anna's phone page, said hello: the console, the voter and the page."""
    code = event["code"]
    voter = join(client, code, "Voter")
    with client.websocket_connect(f"/api/events/{code}/live") as console_ws:
        hello(console_ws, event["moderator_token"])
        console = Peer(console_ws)
        assert command(console, "c1", type="qna.create", title="Input 1", mode="open")["ok"]
        with client.websocket_connect(f"/api/events/{code}/live") as voter_ws:
            hello(voter_ws, voter["token"])
            voting = Peer(voter_ws)
            command(voting, "v1", type="question.ask", session="s1", text="Wer zahlt?")
            join_in_browser(client, code, name="Anna")
            with client.websocket_connect(f"/ws/phone/{code}") as phone:
                phone.send_json({"type": "hello", "after": 0})
                yield console, voting, phone


def test_a_phone_page_gets_only_the_counts_when_only_votes_moved(
    client: Client, event: dict[str, Any]
) -> None:
    with qna_with_a_voter_and_a_page(client, event) as (console, voting, phone):
        listed, counted = read_each(phone, 'id="phone-qna-list"', 'id="qna-counts"')
        assert "Wer zahlt?" in listed and '"q1",0' in counted
        # A new question goes with the whole list (after it, the phones' tick
        # knows what this page was sent, whatever came before).
        command(voting, "v2", type="question.ask", session="s1", text="Wann?")
        read_until(phone, "Wann?")
        command(voting, "v3", type="question.upvote", question="q2")
        since = messages_until(phone, '"q2",1')
        assert '{"s1":[["q2",1],["q1",0]]}' in since[-1]
        sent_again = [m[:60] for m in since if 'id="phone-qna-list"' in m]
        assert not sent_again  # only the counts went
        command(console, "c2", type="question.hide", question="q1")
        again = read_until(phone, 'id="phone-qna-list"')
        assert "Wer zahlt?" not in again and "Wann?" in again


def test_the_schema_describes_the_live_messages(client: Client, event: dict[str, Any]) -> None:
    schema = client.get("/schema/openapi.json").json()
    components = schema["components"]["schemas"]
    assert "/api/events/{code}/live" in schema["paths"]
    assert "patches" in components["Hello"]["properties"]
    patch = components["Patch"]
    assert set(patch["required"]) >= {"type", "seq", "base", "participants", "qna"}
    assert set(components["SessionVotes"]["properties"]) == {"session", "order", "votes"}
    for name in ("Welcome", "StatePush", "Ack", "Error", "Progress"):
        assert name in components, name
    plain = client.get(f"/api/events/{event['code']}/live", headers={"Accept-Language": "de"})
    assert plain.status_code == 426
    assert plain.json()["reason"] == "upgrade_required"
    assert "Live-Verbindung" in plain.json()["detail"]


def test_counts_only_tells_counts_from_everything_else() -> None:
    from server.fanout import counts_only
    from server.patches import PATCH_KIND

    assert counts_only("phone", {"phone-qna-counts": "…", "seq": "7"})
    assert not counts_only("phone", {"phone-qna-counts": "…", "phone-qna-list": "…"})
    assert counts_only(PATCH_KIND, {"view": "…", "patch": "…", "seq": "7"})
    assert not counts_only(PATCH_KIND, {"view": "…", "shape": "…", "seq": "7"})
    assert not counts_only("api:participant", {"view": "…", "seq": "7"})  # whole states


def test_a_room_paces_counts_by_its_phones_and_never_strands_them() -> None:
    """Counts-only pushes: every tick up to ``counts_per_s`` phones, then slower."""
    from server.fanout import FanOut

    unused: Any = None  # the pacing reads neither the presenter nor the room
    fan = FanOut("ABCDEF", unused, unused, 0.1, 1.0, counts_per_s=500.0)
    fan._phone_keys = {("phone", "de"): 300, ("api:participant+patch", "de"): 200}
    assert fan._counts_window() == 1.0  # 500 phones: every tick
    fan._phone_keys[("phone", "en")] = 500
    assert fan._counts_window() == 2.0  # 1,000 phones: every other second
    fan.counts_per_s = 0.0
    assert fan._counts_window() == 0.0  # no cap


def test_held_counts_reach_the_phone_at_a_later_tick(client: Client, event: dict[str, Any]) -> None:
    """With a budget that holds counts back (two phones at 4 a second: every
    0.5 s), an upvote's new count still arrives, with nothing else changing."""
    svc: Any = client.app.state["svc"]
    code = event["code"]
    hub = client.blocking_portal.call(svc.rooms.get, code)
    hub.fanout.counts_per_s = 4.0
    with qna_with_a_voter_and_a_page(client, event) as (_, voting, phone):
        command(voting, "v2", type="question.ask", session="s1", text="Wann?")
        read_until(phone, "Wann?")
        assert hub.fanout._counts_window() == 0.5
        command(voting, "v3", type="question.upvote", question="q2")
        command(voting, "v4", type="question.upvote", question="q1")
        last = read_until(phone, '"q1",1')
        assert '"q2",1' in last and 'id="phone-qna-list"' not in last
