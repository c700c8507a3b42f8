"""cluster.sort over the live API socket: progress while it computes, then a proposal."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from server import suggest
from server.embedding import EMBEDDER
from tests.server.conftest import join
from tests.server.test_ideas_live import board_of, has_board
from tests.server.test_live import hello
from tests.server.test_polls_live import Peer, command

Client = TestClient[Litestar]


def test_sort_over_the_api_reports_progress_and_proposes_targets(
    client: Client, event: dict[str, Any]
) -> None:
    code = event["code"]
    EMBEDDER.encode(["warm"])  # the model loads once per process: not in a wait
    person = join(client, code, "P")
    with (
        client.websocket_connect(f"/api/events/{code}/live") as console_ws,
        client.websocket_connect(f"/api/events/{code}/live") as phone_ws,
    ):
        hello(console_ws, event["moderator_token"])
        hello(phone_ws, person["token"])
        console, phone = Peer(console_ws), Peer(phone_ws)
        assert command(console, "b", type="ideas.create_board", prompt="Was hemmt?")["ok"]
        texts = ["Strompreise zu hoch", "Busse zu selten", "Solar auf Hallendächer"]
        for n, text in enumerate(texts):
            assert command(phone, f"i{n}", type="idea.post", board="b1", text=text)["ok"]
        refused = command(console, "s0", type="cluster.sort", board="b1")
        assert refused["reason"] == "no_headings", refused
        for n, name in enumerate(["Energie", "Verkehr"]):
            assert command(console, f"c{n}", type="cluster.create", board="b1", name=name)["ok"]
        assert command(phone, "s", type="cluster.sort", board="b1")["reason"] == "not_allowed"
        sorted_ = command(console, "s1", type="cluster.sort", board="b1")
        assert sorted_["ok"], sorted_
        stages = [m for m in console.backlog if m["type"] == "progress"]
        assert stages and stages[-1] == {
            "type": "progress", "board": "b1", "stage": "done", "done": 0, "total": 0,
        }  # fmt: skip
        pushed = console.wait(lambda m: has_board(m) and board_of(m["state"]).get("proposal"))
        proposal = board_of(pushed["state"])["proposal"]
        assert proposal["targets"] and set(proposal["targets"]) <= {"c1", "c2"}
        assert sorted(proposal["confidence"]) == ["i1", "i2", "i3"]
        placed = {
            i: t for g, t in zip(proposal["groups"], proposal["targets"], strict=True) for i in g
        }
        assert placed.get("i1") == "c1" and placed.get("i2") == "c2"
        assert command(console, "a", type="cluster.accept", board="b1")["ok"]


def test_a_failing_model_is_refused_and_the_socket_stays_open(
    client: Client, event: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any) -> None:
        raise RuntimeError("no model here")

    monkeypatch.setattr(suggest, "_encode_and_trim", broken)  # the model runs in the server
    person = join(client, event["code"], "P")
    with (
        client.websocket_connect(f"/api/events/{event['code']}/live") as console_ws,
        client.websocket_connect(f"/api/events/{event['code']}/live") as phone_ws,
    ):
        hello(console_ws, event["moderator_token"])
        hello(phone_ws, person["token"])
        console, phone = Peer(console_ws), Peer(phone_ws)
        assert command(console, "b", type="ideas.create_board", prompt="Was hemmt?")["ok"]
        assert command(phone, "i", type="idea.post", board="b1", text="Strompreise")["ok"]
        failed = command(console, "s", type="cluster.suggest", board="b1")
        assert failed["reason"] == "suggest_failed"
        assert (
            failed["message"]
            == "Der Vorschlag ließ sich nicht berechnen. Bitte noch einmal versuchen."
        )
        assert command(console, "c", type="cluster.create", board="b1", name="Energie")["ok"]
