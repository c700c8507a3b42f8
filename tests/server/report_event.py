"""A test event with every activity, built through the API: the report tests' material.

People have names nobody would type by chance, so a test can grep every
downloaded file for them. Some vote in anonymous polls and post anonymous
cards only (their names must appear nowhere), some sign cards or answer a
named poll, one joins an action with a contact (only the contacts file may
carry it).
"""

from __future__ import annotations

import time
from typing import Any
from unittest.mock import patch

import msgspec
from litestar import Litestar
from litestar.testing import TestClient

from tests.server.conftest import create_event
from tests.server.test_live import hello
from tests.server.test_polls_live import Peer, command

Client = TestClient[Litestar]

# name -> organisation type
PEOPLE = {
    "Zorabel Quandtmeier": "business",  # anonymous everywhere
    "Xaverius Pfründner": "union",  # anonymous everywhere
    "Wilhelmina Kratzbeck": "chamber",  # signs a card, answers the named poll, speaks
    "Ottokar Lindwurmer": "public",  # answers the named poll, asks a question by name
    "Ysolde Brimborium": "research",  # joins an action with a contact
    "Quirin Nebelhorn": None,
}
ANONYMOUS_ONLY = ("Zorabel Quandtmeier", "Xaverius Pfründner", "Quirin Nebelhorn")
CONTACT = "ysolde.brimborium@beispiel.example"
# Q&A: q1 (anonymous) answered with 3 votes after q4 (a duplicate) was merged into it;
# q2 (by name) open with 1 vote; q3 (anonymous) hidden, so in no report.
HIDDEN_QUESTION = "Darf man hier auch Unfug fragen?"
# Speaker list: finished turns of 95 s (chamber), 120 s (public), 30 s (added by name, public).
# Agenda: (title, planned minutes, minutes it really ran); the last one is still running.
PHASES = [("Kritikphase", 20, 25), ("Fantasiephase", 15, 12), ("Umsetzung", 30, None)]
PROMPT = "Wie sähe eine Verwaltung aus, die Innovation beschleunigt?"
TURNS = [("Wilhelmina Kratzbeck", 95), ("Ottokar Lindwurmer", 120), ("Bürgermeister Ohnefon", 30)]


class Built(msgspec.Struct):
    code: str
    token: str  # moderator
    people: dict[str, dict[str, Any]]  # name -> join response (participant_id, token)
    polls: dict[str, str]  # kind -> poll id


def join_as(client: Client, code: str, name: str, org: str | None) -> dict[str, Any]:
    response = client.post(
        f"/api/events/{code}/participants", json={"name": name, "organisation_type": org}
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def ok(reply: dict[str, Any]) -> dict[str, Any]:
    assert reply["ok"] is True, reply
    return reply


def build_event(client: Client, language: str = "de") -> Built:
    made = create_event(
        client,
        title="Zukunft der Industrie im Revier",
        format="world_cafe",
        language=language,
        date="2026-11-30",
        place="Stadthalle Gelsenkirchen",
        organisers="Regionalbüro Industrie & IG Metall",
        region="Emscher-Lippe",
    )
    code, token = made["code"], made["moderator_token"]
    people = {name: join_as(client, code, name, org) for name, org in PEOPLE.items()}
    polls: dict[str, str] = {}
    peers: dict[str, Peer] = {}
    sockets = []
    try:
        console_ws = client.websocket_connect(f"/api/events/{code}/live").__enter__()
        sockets.append(console_ws)
        hello(console_ws, token)
        console = Peer(console_ws)
        for name, person in people.items():
            ws = client.websocket_connect(f"/api/events/{code}/live").__enter__()
            sockets.append(ws)
            hello(ws, person["token"])
            peers[name] = Peer(ws)
        _polls(console, peers, polls)
        _ideas(console, peers)
        _cafe(console, people)
        ok(command(console, "ac1", type="action.create", title="Azubi-Bus", owner="IHK Nord",
                   due="2027-03-31", what="Ein Shuttle zu den Ausbildungsbetrieben"))  # fmt: skip
        ok(command(console, "ac2", type="action.create", title="Digitallabor", owner="Stadt"))
        ok(command(peers["Ysolde Brimborium"], "aj", type="action.join", action="a1",
                   name="Ysolde Brimborium", contact=CONTACT, consent=True))  # fmt: skip
        ok(command(peers["Zorabel Quandtmeier"], "aj", type="action.join", action="a1",
                   name="Zorabel Quandtmeier", consent=True))  # fmt: skip
        _qna(console, peers)
        _speakers(console, peers)  # it moves the server's clock ahead
        _agenda(console)  # last: so does this, on a clock of its own
    finally:
        for ws in reversed(sockets):
            ws.__exit__(None, None, None)
    return Built(code, token, people, polls)


def _polls(console: Peer, peers: dict[str, Peer], polls: dict[str, str]) -> None:
    specs: list[dict[str, Any]] = [
        {"kind": "single", "question": "Wo zuerst investieren?",
         "options": ["Schiene", "Wasserstoff", "Bildung"]},
        {"kind": "multiple", "question": "Welche Partner fehlen?",
         "options": ["Hochschulen", "Gewerkschaften", "Kommunen"], "anonymous": False},
        {"kind": "scale", "question": "Wie zuversichtlich sind Sie?", "scale_min": 1,
         "scale_max": 5, "min_label": "gar nicht", "max_label": "sehr"},
        {"kind": "ranking", "question": "Was ist am dringendsten?",
         "options": ["Fachkräfte", "Energiepreise", "Flächen"]},
        {"kind": "points", "question": "Wie das Budget verteilen?",
         "options": ["Qualifizierung", "Infrastruktur"], "budget": 10},
        {"kind": "text", "question": "Ein Wort zur Region?"},
    ]  # fmt: skip
    for n, spec in enumerate(specs):
        made = ok(command(console, f"pc{n}", type="poll.create", **spec))
        polls[spec["kind"]] = made["id"]
        ok(command(console, f"po{n}", type="poll.open", poll=made["id"]))
    names = list(peers)
    votes: dict[str, list[dict[str, Any]]] = {
        "single": [{"choice": "o1"}, {"choice": "o2"}, {"choice": "o1"}, {"choice": "o3"}],
        "multiple": [{}, {}, {"choices": ["o1", "o3"]}, {"choices": ["o1"]}],
        "scale": [{"value": 4}, {"value": 2}, {"value": 5}, {"value": 4}, {"value": 3}],
        "ranking": [{"ranking": ["o1", "o2", "o3"]}, {"ranking": ["o2", "o1", "o3"]},
                    {"ranking": ["o1", "o3", "o2"]}],
        "points": [{"points": {"o1": 7, "o2": 3}}, {"points": {"o2": 10}}],
        "text": [{"text": "Strukturwandel gestalten"}, {"text": "Wasserstoff und Strukturwandel"},
                 {"text": "Mut"}],
    }  # fmt: skip
    for kind, ballots in votes.items():
        for voter, ballot in zip(names, ballots, strict=False):
            if ballot:
                ok(command(peers[voter], f"v-{kind}", type="poll.vote", poll=polls[kind], **ballot))
    for n, kind in enumerate(votes):
        if kind != "text":
            ok(command(console, f"pz{n}", type="poll.close", poll=polls[kind]))


def _ideas(console: Peer, peers: dict[str, Peer]) -> None:
    ok(command(console, "b1", type="ideas.create_board", prompt="Was hemmt Innovation?"))
    cards = [
        ("Zorabel Quandtmeier", "Zu viel Bürokratie bei Förderanträgen", True),
        ("Xaverius Pfründner", "Fehlende Fachkräfte in der Pflege", True),
        ("Wilhelmina Kratzbeck", "Lange Genehmigungsverfahren", False),
        ("Zorabel Quandtmeier", "Kein schnelles Internet im Gewerbegebiet", True),
    ]
    for n, (who, text, anonymous) in enumerate(cards):
        ok(command(peers[who], f"i{n}", type="idea.post", board="b1", text=text,
                   anonymous=anonymous))  # fmt: skip
    made = ok(command(console, "c1", type="cluster.create", board="b1", name="Verwaltung"))
    ok(command(console, "m1", type="cluster.assign", idea="i1", cluster=made["id"]))
    ok(command(console, "m2", type="cluster.assign", idea="i3", cluster=made["id"]))
    ok(command(console, "o", type="ideas.settings", board="b1", dots_open=True))
    ok(command(peers["Xaverius Pfründner"], "d", type="dots.vote", board="b1",
               points={made["id"]: 3}))  # fmt: skip


def _cafe(console: Peer, people: dict[str, dict[str, Any]]) -> None:
    tables = [{"topic": "Fachkräfte sichern"}, {"topic": "Energie und Flächen"}]
    ok(command(console, "k1", type="cafe.create", tables=tables, rounds=2, round_minutes=15))
    host = people["Ottokar Lindwurmer"]["participant_id"]
    ok(command(console, "k2", type="cafe.set_host", table="t1", participant=host))
    ok(command(console, "k3", type="cafe.start_round"))
    ok(command(console, "k4", type="cafe.note", table="t1", text="Ausbildung im Verbund stärken"))
    ok(command(console, "k5", type="cafe.note", table="t2", text="Flächen für Solarparks"))
    ok(command(console, "k6", type="cafe.end_round"))


def _qna(console: Peer, peers: dict[str, Peer]) -> None:
    ok(command(console, "q0", type="qna.create", title="Input: Wasserstoff im Revier",
               speaker="Dr. Erika Musterfrau"))  # fmt: skip
    asks = [
        ("Zorabel Quandtmeier", "Wer bezahlt die neuen Leitungen?", True),
        ("Ottokar Lindwurmer", "Wann kommt der Anschluss ans Kernnetz?", False),
        ("Xaverius Pfründner", HIDDEN_QUESTION, True),
        ("Wilhelmina Kratzbeck", "Wer zahlt die Leitungen?", False),
    ]
    for n, (who, text, anonymous) in enumerate(asks):
        ok(command(peers[who], f"q-ask{n}", type="question.ask", session="s1", text=text,
                   anonymous=anonymous))  # fmt: skip
    for n, (who, question) in enumerate(
        [("Ottokar Lindwurmer", "q1"), ("Ysolde Brimborium", "q1"), ("Ysolde Brimborium", "q4"),
         ("Xaverius Pfründner", "q4"), ("Zorabel Quandtmeier", "q2")]
    ):  # fmt: skip
        ok(command(peers[who], f"q-up{n}", type="question.upvote", question=question))
    ok(command(console, "q-m", type="question.merge", question="q4", into="q1"))
    ok(command(console, "q-h", type="question.hide", question="q3"))
    ok(command(console, "q-l", type="question.live", question="q1"))
    ok(command(console, "q-a", type="question.answered", question="q1"))


class _Clock:
    """The server's clock, moved ahead by hand: speaking times of whole minutes in no time.

    It stands still between moves, so a busy machine's real seconds between two
    commands do not add to a speaking time (CI once saw 1:36 for 1:35).
    """

    def __init__(self) -> None:
        self.start = time.time_ns() // 1_000_000
        self.ahead = 0

    def __call__(self) -> int:
        return self.start + self.ahead


def _speakers(console: Peer, peers: dict[str, Peer]) -> None:
    clock = _Clock()
    with patch("server.writer.now_ms", clock):
        ok(command(console, "sp-s", type="speakers.settings", seconds=120, alternate="none"))
        ok(command(peers["Wilhelmina Kratzbeck"], "sp-r", type="speakers.request",
                   subject="Fachkräfte"))  # fmt: skip
        ok(command(peers["Ottokar Lindwurmer"], "sp-r", type="speakers.request"))
        ok(command(console, "sp-a", type="speakers.add", name="Bürgermeister Ohnefon",
                   organisation_type="public"))  # fmt: skip
        for n, (_, seconds) in enumerate(TURNS):
            ok(command(console, f"sp-n{n}", type="speakers.next"))
            clock.ahead += seconds * 1000
        ok(command(console, "sp-end", type="speakers.next"))  # ends the last turn


def _agenda(console: Peer) -> None:
    """Three phases run on a hand-moved clock; the critique cluster is carried forward and an
    action is made from it, so the chain runs cluster → prompt → action."""
    shows = [["board:b1", "poll:p1"], [], ["actions", "speakers"]]
    for n, ((title, minutes, _), refs) in enumerate(zip(PHASES, shows, strict=True)):
        ok(command(console, f"ag{n}", type="agenda.add_phase", title=title, minutes=minutes,
                   activities=refs))  # fmt: skip
    clock = _Clock()
    with patch("server.writer.now_ms", clock):
        for n, (_, _, ran) in enumerate(PHASES):
            ok(command(console, f"ag-n{n}", type="agenda.next"))
            if n == 0:
                ok(command(console, "ag-c", type="agenda.carry", from_board="b1", to_phase="a2"))
                ok(command(console, "ag-e", type="agenda.edit_prompt", phase="a2", prompt="k1",
                           text=PROMPT))  # fmt: skip
            if ran is not None:
                clock.ahead += ran * 60_000
    ok(command(console, "ac3", type="action.create", title="Antragslotse", owner="Kreis",
               source="c1"))  # fmt: skip
