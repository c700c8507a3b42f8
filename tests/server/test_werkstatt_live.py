"""Q&A and the speaker list through the server: the API contract, the pages' sockets."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from tests.server.conftest import join
from tests.server.test_live import hello
from tests.server.test_page_sockets import read_each, read_until
from tests.server.test_pages import join_in_browser
from tests.server.test_polls_live import Peer, command

Client = TestClient[Litestar]


def test_questions_and_votes_over_the_api(client: Client, event: dict[str, Any]) -> None:
    code = event["code"]
    people = [join(client, code, f"P{i}") for i in range(3)]
    with (
        client.websocket_connect(f"/api/events/{code}/live") as console_ws,
        client.websocket_connect(f"/api/events/{code}/live") as screen_ws,
        client.websocket_connect(f"/api/events/{code}/live") as a_ws,
        client.websocket_connect(f"/api/events/{code}/live") as b_ws,
    ):
        hello(console_ws, event["moderator_token"])
        hello(screen_ws, None)
        hello(a_ws, people[0]["token"])
        hello(b_ws, people[1]["token"])
        console, screen, a, b = Peer(console_ws), Peer(screen_ws), Peer(a_ws), Peer(b_ws)
        created = command(console, "c1", type="qna.create", title="Input 1", mode="open")
        assert created["ok"] and created["id"] == "s1"
        asked = command(a, "a1", type="question.ask", session="s1", text="Wer zahlt?")
        assert asked["ok"] and asked["id"] == "q1"
        command(b, "b1", type="question.ask", session="s1", text="Anonym?", anonymous=True)
        assert command(b, "b2", type="question.upvote", question="q1")["ok"]
        assert command(b, "b2", type="question.upvote", question="q1")["ok"]  # a resend

        def first_has_a_vote(m: dict[str, Any]) -> bool:
            qna = m["state"]["qna"] if m["type"] == "state" else []
            return bool(qna and qna[0]["questions"] and qna[0]["questions"][0]["votes"] == 1)

        shown = screen.wait(first_has_a_vote)
        questions = shown["state"]["qna"][0]["questions"]
        assert [(q["id"], q["name"], q["votes"]) for q in questions] == [
            ("q1", "P0", 1),
            ("q2", None, 0),
        ]
        mine = a.wait(
            lambda m: m["type"] == "state" and m["state"]["me"]["qna"]["asked"]
            and m["state"]["me"]["qna"]["asked"][0]["rank"] == 1
        )  # fmt: skip
        assert mine["state"]["me"]["qna"]["asked"][0]["text"] == "Wer zahlt?"
        assert command(console, "c2", type="question.hide", question="q2")["ok"]
        refused = command(a, "a2", type="question.upvote", question="q2")
        assert refused["reason"] == "question_hidden"
        assert "ausgeblendet" in refused["message"]
        live = command(console, "c3", type="question.live", question="q1")
        assert live["ok"]
        moderator = client.get(
            f"/api/events/{code}/state",
            headers={"Authorization": f"Bearer {event['moderator_token']}"},
        ).json()
        state = moderator["state"]
        assert state["screen"] == "qna"  # "jetzt dran" took the projector
        assert state["qna"][0]["live"] == "q1"
        assert state["qna"][0]["questions"][1]["status"] == "hidden"
        raw = str(state["qna"])
        assert people[1]["participant_id"] not in raw  # the upvoter is named nowhere
        assert "P1" not in raw  # nor the anonymous asker


def test_the_speaker_list_over_the_api(client: Client, event: dict[str, Any]) -> None:
    code = event["code"]
    people = [join(client, code, f"P{i}") for i in range(2)]
    with (
        client.websocket_connect(f"/api/events/{code}/live") as console_ws,
        client.websocket_connect(f"/api/events/{code}/live") as a_ws,
    ):
        hello(console_ws, event["moderator_token"])
        hello(a_ws, people[0]["token"])
        console, a = Peer(console_ws), Peer(a_ws)
        assert command(a, "a1", type="speakers.request", subject="Finanzierung")["ok"]
        again = command(a, "a2", type="speakers.request")
        assert again["reason"] == "already_on_list"
        assert "schon auf der Redeliste" in again["message"]
        added = command(console, "c1", type="speakers.add", name="Frau Keller")
        assert added["ok"] and added["id"] == "e2"
        settings = command(console, "c2", type="speakers.settings", seconds=90, alternate="none")
        assert settings["ok"]
        assert command(console, "c3", type="speakers.next")["ok"]
        turn = a.wait(lambda m: m["type"] == "state" and m["state"]["me"]["speakers"]["speaking"])
        current = turn["state"]["speakers"]["current"]
        assert current["entry"]["name"] == "P0"
        assert current["ends_at"] - current["started_at"] == 90_000
        assert [e["name"] for e in turn["state"]["speakers"]["queue"]] == ["Frau Keller"]


def test_the_pages_render_both_activities_and_stream_them(
    client: Client, event: dict[str, Any]
) -> None:
    code = event["code"]
    client.get(event["links"]["moderator"].replace("http://testserver.local", ""))
    console_page = client.get(f"/console/{code}")
    assert 'id="console-qna"' in console_page.text and 'id="console-speakers"' in console_page.text
    with client.websocket_connect(f"/ws/console/{code}") as console:
        console.send_json({"type": "hello", "after": 0})
        read_until(console, 'id="console-qna"')
        console.send_json(
            {"type": "qna.create", "title": "Zur Energie", "mode": "moderated", "cid": "k1"}
        )
        read_until(console, "Zur Energie")
    join_in_browser(client, code, name="Anna", org="union")
    phone_page = client.get(f"/p/{code}")
    assert 'id="phone-qna"' in phone_page.text and "Zur Energie" in phone_page.text
    assert 'id="phone-speakers-me"' in phone_page.text
    with client.websocket_connect(f"/ws/phone/{code}") as phone:
        phone.send_json({"type": "hello", "after": 0})
        read_until(phone, 'id="phone-qna"')
        phone.send_json(
            {"type": "question.ask", "session": "s1", "text": "Wann kommt das Netz?", "cid": "q1"}
        )
        fragment, ack = read_each(phone, "Wann kommt das Netz?", '"cid":"q1"')
        assert '"ok":true' in ack
        assert "wartet auf Freigabe" in fragment  # moderated: only the asker sees it
        phone.send_json({"type": "speakers.request", "subject": "", "cid": "s1"})
        mine = read_until(phone, "Platz 1")
        assert 'id="phone-speakers-me"' in mine
    screen = client.get(f"/s/{code}")
    assert screen.status_code == 200
