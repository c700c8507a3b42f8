"""The World Café over the live sockets and on paper: API contract, page forms, check-in."""

from __future__ import annotations

import re
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from tests.server.conftest import join
from tests.server.test_live import hello
from tests.server.test_page_sockets import read_until
from tests.server.test_pages import join_in_browser
from tests.server.test_polls_live import Peer, command

Client = TestClient[Litestar]


def test_cafe_over_the_api_plans_runs_rounds_and_tells_each_phone_its_table(
    client: Client, event: dict[str, Any]
) -> None:
    code = event["code"]
    people = [join(client, code, f"P{i}") for i in range(8)]
    with (
        client.websocket_connect(f"/api/events/{code}/live") as console_ws,
        client.websocket_connect(f"/api/events/{code}/live") as phone_ws,
    ):
        hello(console_ws, event["moderator_token"])
        hello(phone_ws, people[0]["token"])
        console, phone = Peer(console_ws), Peer(phone_ws)
        tables = [{"topic": "Fachkräfte sichern", "capacity": 4}, {"topic": "Energie"}]
        created = command(
            console, "c1", type="cafe.create", tables=tables, rounds=2, round_minutes=15
        )
        assert created["ok"] is True, created
        state = console.wait(lambda m: m["type"] == "state" and m["state"].get("cafe"))["state"]
        cafe = state["cafe"]
        assert [t["topic"] for t in cafe["tables"]] == ["Fachkräfte sichern", "Energie"]
        assert [r["status"] for r in cafe["rounds"]] == ["planned", "planned"]
        assert len(cafe["rounds"][0]["assignments"]) == 8
        mine = phone.wait(lambda m: m["type"] == "state" and (m["state"]["me"] or {}).get("cafe"))
        seat = mine["state"]["me"]["cafe"]["next"]
        assert seat["table"] == cafe["rounds"][0]["assignments"][people[0]["participant_id"]]
        assert "assignments" not in mine["state"]["cafe"]["rounds"][0]  # the plan is the console's
        assert command(console, "c2", type="cafe.start_round")["ok"] is True
        running = phone.wait(
            lambda m: (
                m["type"] == "state"
                and ((m["state"]["me"] or {}).get("cafe") or {}).get("phase") == "round"
            )
        )
        me = running["state"]["me"]["cafe"]
        assert me["current"]["round"] == 1 and me["ends_at"] > 0
        refused = command(phone, "p1", type="cafe.start_round")
        assert refused["ok"] is False and refused["reason"] == "not_allowed"
        assert command(console, "c3", type="cafe.end_round")["ok"] is True
        assert command(console, "c4", type="cafe.start_round")["ok"] is True
        second = phone.wait(
            lambda m: (
                m["type"] == "state"
                and (((m["state"]["me"] or {}).get("cafe") or {}).get("current") or {}).get("round")
                == 2
            )
        )
        assert second["state"]["me"]["cafe"]["current"]["table"] != seat["table"]


def test_cafe_from_the_console_form_to_the_phone_card_and_paper(
    client: Client, event: dict[str, Any]
) -> None:
    code = event["code"]
    join_in_browser(client, code, name="Anna", org="union")
    svc: Any = client.app.state["svc"]
    hub = client.blocking_portal.call(svc.rooms.get, code)
    # The join form's cid is not the participant's id: find Anna's by her name.
    [pid] = [p for p, who in hub.state.lobby.participants.items() if who.name == "Anna"]
    client.get(event["links"]["moderator"].replace("http://testserver.local", ""))
    with (
        client.websocket_connect(f"/ws/phone/{code}") as phone,
        client.websocket_connect(f"/ws/console/{code}") as console,
        client.websocket_connect(f"/ws/screen/{code}") as screen,
    ):
        phone.send_json({"type": "hello", "after": 0})
        console.send_json({"type": "hello", "after": 0})
        screen.send_json({"type": "hello", "after": 0})
        read_until(console, 'id="console-cafe"')
        console.send_json(
            {
                "type": "cafe.create",
                "cid": "k1",
                "tables": "Fachkräfte sichern\nEnergie\n",
                "capacity": "6",
                "rounds": "3",
                "round_minutes": "20",
                "changeover_minutes": "2",
                "mix": "true",
            }
        )
        card = read_until(phone, 'data-cafe-signal="ready:0"')
        assert "Runde 1" in card and ("Fachkräfte sichern" in card or "Energie" in card)
        console.send_json({"type": "cafe.start_round", "cid": "k2"})
        assert "data-ends-at" in read_until(screen, 'data-mode="cafe"')
        console.send_json({"type": "cafe.set_host", "cid": "k3", "table": "t1", "participant": pid})
        assert '"ok":true' in read_until(console, '"cid":"k3"')
        assert hub.state.cafe.hosts().get(pid) == "t1"
    cards = client.get(f"/console/{code}/cafe/cards")
    # One tent card per table, its QR code on both halves.
    assert cards.status_code == 200 and cards.text.count('class="tent-card') == 2
    assert cards.text.count("<svg") == 4
    assert f"/t/{code}/t1" in cards.text
    lists = client.get(f"/console/{code}/cafe/lists")
    assert lists.status_code == 200 and "Anna" in lists.text
    checked = client.get(f"/t/{code}/t2", follow_redirects=False)
    assert checked.status_code == 303 and checked.headers["location"] == f"/p/{code}"


def test_the_console_form_turns_lines_into_tables_and_groups() -> None:
    from server.wire import from_form

    fields = from_form(
        {
            "type": "cafe.create",
            "tables": "Fachkräfte\n\n Energie \n",
            "capacity": "6",
            "keep_apart": "Anna, Bernd\n\nCem,Dora, ",
            "keep_together": "Emil, Frida",
        }
    )
    assert fields["tables"] == [
        {"topic": "Fachkräfte", "capacity": "6"},
        {"topic": "Energie", "capacity": "6"},
    ]
    assert fields["keep_apart"] == [["Anna", "Bernd"], ["Cem", "Dora"]]
    assert fields["keep_together"] == [["Emil", "Frida"]]
    assert fields["mix"] is False  # an unchecked checkbox sends nothing


def test_a_table_card_scanned_before_joining_comes_back_to_sit_down(
    client: TestClient[Litestar], event: dict[str, Any]
) -> None:
    code = event["code"]
    # Anything but a table id is dropped, so the hint cannot send people elsewhere.
    odd = client.get(f"/t/{code}/evil.org", follow_redirects=False)
    assert odd.status_code == 303 and odd.headers["location"] == f"/j/{code}"
    scanned = client.get(f"/t/{code}/t2", follow_redirects=False)
    assert scanned.status_code == 303 and scanned.headers["location"] == f"/j/{code}?table=t2"
    form = client.get(scanned.headers["location"])
    assert '<input type="hidden" name="table" value="t2">' in form.text
    fields = dict(re.findall(r'name="(cid|csrf)" value="([^"]*)"', form.text))
    joined = client.post(
        f"/j/{code}", data={**fields, "name": "Anna", "table": "t2"}, follow_redirects=False
    )
    assert joined.status_code == 303 and joined.headers["location"] == f"/t/{code}/t2"
