"""The mood meter through the server: the JSON socket, and the three pages with their sockets.

The example activity of docs/architecture.md ("How to add an activity") goes
through every surface without a line of its own in server/: this is the proof.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from tests.server.conftest import join
from tests.server.test_live import hello
from tests.server.test_page_sockets import read_until
from tests.server.test_pages import join_in_browser
from tests.server.test_polls_live import Peer, command

Client = TestClient[Litestar]


def mood_is(counts: list[int]) -> Any:
    return lambda m: m["type"] == "state" and m["state"]["mood"]["counts"] == counts


def test_moods_over_the_json_socket(client: Client, event: dict[str, Any]) -> None:
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
        assert command(a, "a1", type="mood.set", mood=2)["ok"]
        assert command(b, "b1", type="mood.set", mood="4")["ok"]  # a form sends strings
        assert command(a, "a2", type="mood.set", mood=5)["ok"]  # replaces 2
        assert command(a, "a2", type="mood.set", mood=5)["ok"]  # a resend: nothing new
        shown = screen.wait(mood_is([0, 0, 0, 1, 1]))
        assert shown["state"]["mood"]["total"] == 2
        mine = a.wait(lambda m: m["type"] == "state" and m["state"]["me"]["mood"] == 5)
        assert mine["state"]["mood"]["counts"] == [0, 0, 0, 1, 1]
        refused = command(b, "b2", type="mood.set", mood=9)
        assert refused["reason"] == "mood_invalid"
        assert refused["message"] == "Bitte wählen Sie eine Stimmung von 1 bis 5."
        assert command(console, "c1", type="mood.set", mood=3)["reason"] == "not_allowed"
        assert command(console, "c2", type="screen.show", what="mood")["ok"]
        moderator = client.get(
            f"/api/events/{code}/state",
            headers={"Authorization": f"Bearer {event['moderator_token']}"},
        ).json()["state"]
        assert moderator["screen"] == "mood"
        assert moderator["mood"] == {"counts": [0, 0, 0, 1, 1], "total": 2}
        assert people[0]["participant_id"] not in str(moderator["mood"])  # counts, no names


def test_phone_console_and_screen_show_the_mood_meter(
    client: Client, event: dict[str, Any]
) -> None:
    code = event["code"]
    client.get(event["links"]["moderator"].replace("http://testserver.local", ""))
    console_page = client.get(f"/console/{code}").text
    assert 'id="mood-panel"' in console_page and 'id="console-mood"' in console_page
    assert "Stimmungsbarometer" in console_page
    join_in_browser(client, code, name="Anna", org="union")
    phone_page = client.get(f"/p/{code}").text
    assert 'id="phone-mood-me"' in phone_page
    for value in range(1, 6):  # five buttons, none pressed yet
        assert f'name="mood" value="{value}"' in phone_page
    assert 'aria-pressed="true"' not in phone_page.split('id="phone-mood-me"')[1]
    assert "Sie haben noch nichts angegeben." in phone_page
    with (
        client.websocket_connect(f"/ws/console/{code}") as console,
        client.websocket_connect(f"/ws/screen/{code}") as screen,
    ):
        console.send_json({"type": "hello", "after": 0})
        screen.send_json({"type": "hello", "after": 0})
        read_until(console, 'id="console-mood"')
        with client.websocket_connect(f"/ws/phone/{code}") as phone:
            phone.send_json({"type": "hello", "after": 0})
            read_until(phone, 'id="phone-mood-me"')
            phone.send_json({"type": "mood.set", "mood": "4", "cid": "m1"})
            mine = read_until(phone, "Ihre Stimmung:")
            assert "eher gut" in mine
            assert 'aria-pressed="true">4</button>' in mine
        counted = read_until(console, "1 Person hat ihre Stimmung angegeben")
        assert 'id="console-mood-4"' in counted and "height: 100%" in counted
        console.send_json({"type": "screen.show", "what": "mood", "cid": "k1"})
        stage = read_until(screen, 'data-mode="mood"')
        assert "Wie ist die Stimmung?" in stage
        assert stage.count('class="col-fill"') == 5  # the big row of five bars
        assert 'id="screen-mood-4" data-bar="height" style="height: 100%"' in stage
    screen_page = client.get(f"/s/{code}").text
    assert 'data-mode="mood"' in screen_page and 'id="screen-mood-5"' in screen_page
