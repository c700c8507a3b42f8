"""Idea boards over the live sockets and pages: API contract, form parsing, contacts file."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from server.embedding import EMBEDDER
from server.i18n import REASONS
from server.wire import from_form, parse
from tests.server.conftest import join
from tests.server.test_live import hello
from tests.server.test_page_sockets import read_each
from tests.server.test_pages import join_in_browser
from tests.server.test_polls_live import Peer, command

Client = TestClient[Litestar]
ROOT = Path(__file__).resolve().parents[2]


def board_of(state: dict[str, Any]) -> dict[str, Any]:
    board: dict[str, Any] = state["boards"][0]
    return board


def has_board(message: dict[str, Any]) -> bool:
    """A state push that already holds the board (pushes from before it may still be queued)."""
    return message["type"] == "state" and bool(message["state"]["boards"])


def joined_of(state: dict[str, Any]) -> int:
    return int(state["actions"][0]["joined"]) if state["actions"] else 0


def test_ideas_pipeline_over_the_api(client: Client, event: dict[str, Any]) -> None:
    """Board → cards → clusters (suggested and by hand) → dots → an action people join."""
    code = event["code"]
    EMBEDDER.encode(["warm"])  # the model loads once per process (1–3 s): not in a wait
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
        made = command(
            console, "b", type="ideas.create_board", prompt="Was hemmt Innovation?",
            categories=["Energie", "Verkehr"], dots=3, dots_per_item=2,
        )  # fmt: skip
        assert made["ok"] and made["id"] == "b1"
        texts = ["Strompreise zu hoch", "Photovoltaik auf Hallendächer", "Busse zu selten"]
        for n, text in enumerate(texts):
            posted = command(phone, f"i{n}", type="idea.post", board="b1", text=text)
            assert posted["ok"], posted
        again = command(phone, "i0", type="idea.post", board="b1", text="doppelt")
        assert again["id"] == "i1"  # a resend posts nothing new
        refused = command(phone, "x", type="idea.post", board="b1", text="a" * 281)
        assert refused["reason"] == "idea_too_long"
        assert refused["message"] == "Bitte höchstens 280 Zeichen pro Karte."
        assert command(phone, "s", type="cluster.suggest", board="b1")["reason"] == "not_allowed"
        suggested = command(console, "s", type="cluster.suggest", board="b1")
        assert suggested["ok"], suggested
        pushed = console.wait(lambda m: has_board(m) and board_of(m["state"]).get("proposal"))
        groups = board_of(pushed["state"])["proposal"]["groups"]
        assert sorted(i for g in groups for i in g) == ["i1", "i2", "i3"]
        assert command(console, "a", type="cluster.accept", board="b1")["ok"]
        made = command(console, "c", type="cluster.create", board="b1", name="Sonstiges")
        assert made["ok"]
        assert command(console, "m", type="cluster.assign", idea="i3", cluster=made["id"])["ok"]
        assert command(console, "o", type="ideas.settings", board="b1", dots_open=True)["ok"]
        vote = command(phone, "d", type="dots.vote", board="b1", points={made["id"]: 2})
        assert vote["ok"], vote
        over = command(phone, "d2", type="dots.vote", board="b1", points={made["id"]: 3})
        assert over["reason"] == "dots_over_max"
        shown = screen.wait(lambda m: has_board(m) and board_of(m["state"])["dots"]["voters"] == 1)
        top = board_of(shown["state"])["dots"]["ranking"][0]
        assert (top["item"], top["points"], top["rank"]) == (made["id"], 2, 1)
        action = command(console, "ac", type="action.create", title="Azubi-Bus", owner="IHK")
        assert action["ok"] and action["id"] == "a1"
        no_consent = command(phone, "j", type="action.join", action="a1", name="Eva")
        assert no_consent["reason"] == "consent_missing"
        joined = command(
            phone, "j2", type="action.join", action="a1", name="Eva", contact="eva@example.org",
            consent=True,
        )  # fmt: skip
        assert joined["ok"]
        public = screen.wait(lambda m: m["type"] == "state" and joined_of(m["state"]))
        assert "eva@example.org" not in str(public)
        mod = console.wait(lambda m: m["type"] == "state" and joined_of(m["state"]))
        assert mod["state"]["actions"][0]["members"][0]["contact"] == "eva@example.org"


def test_contacts_file_is_for_moderators_only(client: Client, event: dict[str, Any]) -> None:
    code = event["code"]
    person = join(client, code, "Eva")
    with (
        client.websocket_connect(f"/api/events/{code}/live") as console_ws,
        client.websocket_connect(f"/api/events/{code}/live") as phone_ws,
    ):
        hello(console_ws, event["moderator_token"])
        hello(phone_ws, person["token"])
        console, phone = Peer(console_ws), Peer(phone_ws)
        command(console, "a", type="action.create", title="Digitallabor", due="2027-06-30")
        command(
            phone, "j", type="action.join", action="a1", name="Eva", contact="+49 170 123",
            consent=True,
        )  # fmt: skip
    denied = client.get(f"/console/{code}/contacts.csv")
    assert "+49 170 123" not in denied.text
    client.get(event["links"]["moderator"].replace("http://testserver.local", ""))
    response = client.get(f"/console/{code}/contacts.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "Kontaktdaten-personenbezogen" in response.headers["content-disposition"]
    assert response.headers["cache-control"] == "no-store"
    assert response.content.startswith("\ufeff".encode())  # spreadsheets read it as UTF-8
    lines = response.text.lstrip("\ufeff").splitlines()
    # German: ";" between fields, so German Excel opens it in columns.
    assert lines[0] == "Maßnahme;Verantwortlich;Name;Kontakt;Angemeldet am"
    # A leading + would make a spreadsheet compute the number: kept as text.
    assert lines[1].startswith("Digitallabor;;Eva;'+49 170 123;")
    # The local time with its offset (Europe/Berlin by default), as in every export.
    joined_at = dt.datetime.fromisoformat(lines[1].split(";")[4])
    assert joined_at.utcoffset() in (dt.timedelta(hours=1), dt.timedelta(hours=2))


def test_phone_page_posts_a_card_through_its_form(client: Client, event: dict[str, Any]) -> None:
    code = event["code"]
    with client.websocket_connect(f"/api/events/{code}/live") as console_ws:
        hello(console_ws, event["moderator_token"])
        command(Peer(console_ws), "b", type="ideas.create_board", prompt="Was hemmt Innovation?")
    join_in_browser(client, code, "Anna")
    page = client.get(f"/p/{code}")
    assert 'value="idea.post"' in page.text and "Karte abschicken" in page.text
    with client.websocket_connect(f"/ws/phone/{code}") as ws:
        ws.send_json(
            {"type": "idea.post", "board": "b1", "text": "Glasfaser fehlt", "anonymous": "true",
             "category": "", "cid": "k1", "HEADERS": {}}
        )  # fmt: skip
        mine, wall = read_each(ws, "ohne Ihren Namen", "<li>Glasfaser fehlt</li>")
        assert 'id="phone-ideas-me"' in mine and '<p class="idea-text">Glasfaser fehlt' in mine
        wall_part = wall[wall.index('id="phone-wall"') :]
        assert "Anna" not in wall_part[: wall_part.index("</section>")]


def test_form_fields_become_the_command_shapes() -> None:
    board = from_form({"type": "ideas.create_board", "prompt": "P", "categories": "A\n\nB\n"})
    assert board["categories"] == ["A", "B"]
    post = from_form({"type": "idea.post", "board": "b1", "text": "t"})
    assert post["anonymous"] is False
    join_ = from_form({"type": "action.join", "action": "a1", "name": "E", "consent": "true"})
    assert join_["consent"] is True
    command_, cid = parse(
        '{"type":"dots.vote","board":"b1","points.c1":"2","points.c2":"0","cid":"x"}'
    )
    assert cid == "x" and getattr(command_, "points", None) == {"c1": 2}
    assign, _ = parse('{"type":"cluster.assign","idea":"i1","cluster":"","position":"2"}')
    assert getattr(assign, "cluster", "?") is None and getattr(assign, "position", None) == 2


def test_every_refusal_of_the_ideas_modules_has_words() -> None:
    reasons: set[str] = set()
    for module in ("ideas/domain.py", "ideas/dots.py", "actions/domain.py"):
        text = (ROOT / "rooms" / module).read_text(encoding="utf-8")
        reasons |= set(re.findall(r'Rejected\("([a-z_]+)"', text))
    assert reasons and reasons <= set(REASONS)
