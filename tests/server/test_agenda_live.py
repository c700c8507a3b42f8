"""The agenda through the server: the console's panel, the projector's phase, the phones."""

from __future__ import annotations

from functools import partial
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from tests.server import test_page_sockets as page_sockets
from tests.server.test_pages import join_in_browser

Client = TestClient[Litestar]


# tests/server/test_page_sockets.py's readers, up to 60 messages: a phase change
# sends many fragments before the one a test waits for.
read_until = partial(page_sockets.read_until, limit=60)
read_each = partial(page_sockets.read_each, limit=60)


def _console(client: Client, event: dict[str, Any]) -> None:
    client.get(event["links"]["moderator"].replace("http://testserver.local", ""))


def test_the_console_runs_the_agenda_and_the_pages_follow(
    client: Client, event: dict[str, Any]
) -> None:
    code = event["code"]
    _console(client, event)
    page = client.get(f"/console/{code}")
    assert 'id="console-agenda"' in page.text
    with client.websocket_connect(f"/ws/console/{code}") as console:
        console.send_json({"type": "hello", "after": 0})
        read_until(console, 'id="console-agenda"')
        console.send_json({"type": "qna.create", "title": "Input", "cid": "k0"})
        console.send_json(
            {"type": "agenda.add_phase", "title": "Begrüßung", "minutes": "5", "cid": "k1"}
        )
        console.send_json(
            {
                "type": "agenda.add_phase",
                "title": "Input und Fragen",
                "minutes": "20",
                "activities": "qna:s1, speakers",
                "screen": "agenda",
                "heading": "Was bewegt die Region?",
                "cid": "k2",
            }
        )
        read_until(console, "Input und Fragen")
        console.send_json({"type": "agenda.next", "cid": "k3"})
        fragment, ack = read_each(console, "Begrüßung</strong>", '"cid":"k3"')
        assert '"ok":true' in ack and "data-ends-at" in fragment
        console.send_json({"type": "agenda.previous", "cid": "k4"})
        refused = read_until(console, '"cid":"k4"')
        assert "erste Phase" in refused  # translated refusal
        console.send_json({"type": "agenda.next", "cid": "k5"})
        read_until(console, '"cid":"k5"')
    page = client.get(f"/console/{code}")
    assert 'data-key="pagedown"' in page.text and 'data-key="pageup"' in page.text
    assert "Input und Fragen" in page.text and "hinter dem Zeitplan" not in page.text
    screen = client.get(f"/s/{code}")
    assert "Was bewegt die Region?" in screen.text and 'class="countdown big"' in screen.text
    assert "Phase 2 von 2" in screen.text
    join_in_browser(client, code, name="Anna", org="union")
    phone = client.get(f"/p/{code}")
    assert 'id="phone-agenda"' in phone.text
    assert 'data-now="qna speakers"' in phone.text
    assert "Input und Fragen" in phone.text


def test_the_agenda_fragment_reaches_the_phone_live(client: Client, event: dict[str, Any]) -> None:
    code = event["code"]
    _console(client, event)
    with client.websocket_connect(f"/ws/console/{code}") as console:
        console.send_json({"type": "hello", "after": 0})
        read_until(console, 'id="console-agenda"')
        console.send_json({"type": "agenda.add_phase", "title": "Kritikphase", "cid": "k1"})
        read_until(console, '"cid":"k1"')
    join_in_browser(client, code, name="Ben", org="union")
    with client.websocket_connect(f"/ws/phone/{code}") as phone:
        phone.send_json({"type": "hello", "after": 0})
        read_until(phone, 'id="phone-agenda"')
        phone.send_json({"type": "agenda.next", "cid": "p1"})
        refused = read_until(phone, '"cid":"p1"')
        assert '"reason":"not_allowed"' in refused  # moderators only
        with client.websocket_connect(f"/ws/console/{code}") as console:
            console.send_json({"type": "hello", "after": 0})
            read_until(console, 'id="console-agenda"')
            console.send_json({"type": "agenda.next", "cid": "k2"})
            read_until(console, '"cid":"k2"')
        shown = read_until(phone, 'data-current="a1"')
        assert 'id="phone-agenda"' in shown
        assert "Kritikphase" in shown.replace("\u00ad", "")  # soft hyphens for narrow phones


def test_the_console_edits_a_phase_and_an_emptied_field_is_cleared(
    client: Client, event: dict[str, Any]
) -> None:
    code = event["code"]
    _console(client, event)
    with client.websocket_connect(f"/ws/console/{code}") as console:
        console.send_json({"type": "hello", "after": 0})
        read_until(console, 'id="console-agenda"')
        console.send_json(
            {"type": "agenda.add_phase", "title": "Impuls", "notes": "Mikro!", "cid": "k1"}
        )
        read_until(console, '"cid":"k1"')
        page = client.get(f"/console/{code}")
        assert 'name="whole"' in page.text and 'id="ed-title-a1"' in page.text
        # What the edit form sends: every field, the emptied notes as "".
        form = {"type": "agenda.update_phase", "phase": "a1", "whole": "1", "title": "Impuls 1"}
        form |= {"minutes": "15", "activities": "speakers", "screen": "speakers", "notes": ""}
        console.send_json({**form, "heading": "", "body": "", "cid": "k2"})
        assert '"ok":true' in read_until(console, '"cid":"k2"')
    token = {"Authorization": f"Bearer {event['moderator_token']}"}
    state = client.get(f"/api/events/{code}/state", headers=token).json()["state"]
    phase = state["agenda"]["phases"][0]
    assert (phase["title"], phase["minutes"], phase["activities"]) == ("Impuls 1", 15, ["speakers"])
    assert phase.get("notes", "") == ""
