"""A live server, driven through the JSON socket by random roles with every command.

A stateful hypothesis test (issue 15): a moderator, two participants and a
screen send commands of every activity, each valid, invalid (wrong ids,
values out of range, wrong types) or malformed (not JSON, nested too deep,
no type). After every step:

- the server has answered the message (an ack with its cid), and no socket
  was closed (a crash closes with 4500);
- the room is consistent: replaying the stored log gives the live state.

``make test`` runs a few short examples; ``make fuzz`` runs many more
(``DIALOGRAUM_FUZZ_EXAMPLES``, ``DIALOGRAUM_FUZZ_STEPS``).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import msgspec
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from litestar.testing import TestClient
from litestar.testing.websocket_test_session import WebSocketTestSession

from rooms.room import replay
from server.app import create_app
from server.settings import Settings
from server.wire import _BY_TAG
from server.writer import decode_entries

ADMIN = "fuzz-admin-token"
EXAMPLES = int(os.environ.get("DIALOGRAUM_FUZZ_EXAMPLES", "4"))
STEPS = int(os.environ.get("DIALOGRAUM_FUZZ_STEPS", "12"))

# cluster.suggest loads the sentence model (seconds, ~100 MB): fuzzed in its own tests.
TAGS = sorted(tag for tag in _BY_TAG if tag != "cluster.suggest")
IDS = ["p1", "p2", "o1", "o2", "o3", "t1", "t2", "b1", "i1", "i2", "c1", "a1", "x", ""]
TEXT = st.one_of(
    st.sampled_from(IDS),
    st.text(max_size=12),
    st.sampled_from(["Bürokratie abbauen", "a" * 300, "\u202eevil", "<script>x</script>"]),
)
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 50) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)


def value_for(info: msgspec.inspect.Type, depth: int = 0) -> st.SearchStrategy[Any]:
    """Plausible values for a field of this type, with now and then one of the wrong type."""
    t = msgspec.inspect
    right: st.SearchStrategy[Any]
    if isinstance(info, t.StrType):
        right = TEXT
    elif isinstance(info, (t.IntType, t.FloatType)):
        right = st.integers(-2, 30)
    elif isinstance(info, t.BoolType):
        right = st.booleans()
    elif isinstance(info, t.EnumType):
        right = st.sampled_from([m.value for m in info.cls])
    elif isinstance(info, t.ListType) and depth < 2:
        right = st.lists(value_for(info.item_type, depth + 1), max_size=4)
    elif isinstance(info, t.DictType) and depth < 2:
        right = st.dictionaries(st.sampled_from(IDS), st.integers(-1, 6), max_size=3)
    elif isinstance(info, t.UnionType):
        right = st.one_of([value_for(m, depth + 1) for m in info.types])
    elif isinstance(info, t.NoneType):
        right = st.none()
    elif isinstance(info, t.StructType) and depth < 2:
        right = st.fixed_dictionaries(
            {f.name: value_for(f.type, depth + 1) for f in info.fields if f.required},
            optional={f.name: value_for(f.type, depth + 1) for f in info.fields if not f.required},
        )
    else:
        right = ANY_JSON
    return st.one_of(right, right, right, ANY_JSON)  # mostly the right shape


def command_for(tag: str) -> st.SearchStrategy[dict[str, Any]]:
    info = msgspec.inspect.type_info(_BY_TAG[tag])
    assert isinstance(info, msgspec.inspect.StructType)
    fields = {f.name: value_for(f.type) for f in info.fields}
    return st.fixed_dictionaries({"type": st.just(tag)}, optional=fields)


COMMANDS = st.sampled_from(TAGS).flatmap(command_for)
MALFORMED = st.one_of(
    st.just("{not json"),
    st.just('{"type": "poll.vote", "cid": "CID", "choices": ' + "[" * 1000 + "]" * 1000 + "}"),
    st.just('{"cid": "CID"}'),
    st.just('{"type": 7, "cid": "CID"}'),
    st.just('{"type": "poll.explode", "cid": "CID"}'),
    st.just('{"type": "poll.vote", "cid": "CID", "poll": ' + '"x' * 10_000 + '"}'),
)


class LiveRoom(RuleBasedStateMachine):
    """One event on a fresh server; four sockets with different roles."""

    def __init__(self) -> None:
        super().__init__()
        self.sent = 0
        self.sockets: dict[str, WebSocketTestSession] = {}

    @initialize()
    def start(self) -> None:
        data = Path(tempfile.mkdtemp(prefix="dialograum-fuzz-"))
        self.settings = Settings(
            db=str(data / "fuzz.sqlite3"),
            data_dir=str(data),
            admin_token=ADMIN,
            public_url="http://testserver.local",
            sample_event=False,
            sqlite_sync="NORMAL",  # tests check behaviour, not power-cut safety
            tick_ms=5,
            burst=10_000,  # the fuzzer is one participant sending fast; limits have their own tests
            per_second=10_000,
        )
        self.client = TestClient(create_app(self.settings), base_url="http://testserver.local")
        self.client.__enter__()
        created = self.client.post(
            "/api/events",
            json={"title": "Fuzz", "format": "custom", "language": "de"},
            headers={"Authorization": f"Bearer {ADMIN}"},
        )
        assert created.status_code == 201, created.text
        self.code = created.json()["code"]
        tokens = {"moderator": created.json()["moderator_token"], "screen": None}
        for who in ("anna", "bo"):
            joined = self.client.post(f"/api/events/{self.code}/participants", json={"name": who})
            tokens[who] = joined.json()["token"]
        for who, token in tokens.items():
            ws = self.client.websocket_connect(f"/api/events/{self.code}/live").__enter__()
            ws.send_json({"type": "hello", "token": token})
            assert ws.receive_json(timeout=30)["type"] == "welcome"
            self.sockets[who] = ws

    def teardown(self) -> None:
        for ws in self.sockets.values():
            ws.__exit__(None, None, None)
        if hasattr(self, "client"):
            self.client.__exit__(None, None, None)
            shutil.rmtree(Path(self.settings.data_dir), ignore_errors=True)

    def answer(self, who: str, cid: str | None) -> dict[str, Any]:
        """Read ``who``'s socket until the ack of ``cid``: every message gets one."""
        ws = self.sockets[who]
        for _ in range(200):
            message: dict[str, Any] = ws.receive_json(timeout=30)  # a close raises here
            if message.get("type") == "ack" and message.get("cid") == cid:
                return message
        raise AssertionError(f"no answer to {cid}")

    @rule(who=st.sampled_from(["moderator", "moderator", "anna", "bo", "screen"]), command=COMMANDS)
    def send_command(self, who: str, command: dict[str, Any]) -> None:
        self.sent += 1
        cid = f"c{self.sent}"
        self.sockets[who].send_text(json.dumps({**command, "cid": cid}))
        ack = self.answer(who, cid)
        assert isinstance(ack["ok"], bool)
        if not ack["ok"]:
            assert ack["reason"] and ack["message"], ack  # a refusal says why, translated

    @rule(who=st.sampled_from(["moderator", "anna", "screen"]), raw=MALFORMED)
    def send_malformed(self, who: str, raw: str) -> None:
        self.sent += 1
        cid = f"m{self.sent}"
        sent = raw.replace("CID", cid)
        self.sockets[who].send_text(sent)
        # The error names the cid where one can be read; "{not json" has none.
        ack = self.answer(who, cid if cid in sent else None)
        assert ack["ok"] is False and ack["reason"] in (
            "bad_message",
            "unknown_command",
            "message_too_large",
            "cid_invalid",
        )

    @rule(who=st.sampled_from(["anna", "bo"]))
    def resend(self, who: str) -> None:
        """A phone resends its last command after a reconnect: same answer, nothing new."""
        cid = f"r{self.sent}"
        vote = {"type": "participant.rename", "name": f"{who} {self.sent}", "cid": cid}
        self.sockets[who].send_json(vote)
        first = self.answer(who, cid)
        self.sockets[who].send_json(vote)
        again = self.answer(who, cid)
        assert (first["ok"], first["seq"]) == (again["ok"], again["seq"])

    @invariant()
    def replay_equals_live(self) -> None:
        if not self.sockets:
            return
        svc = self.client.app.state["svc"]
        portal = self.client.blocking_portal
        hub = portal.call(svc.rooms.get, self.code)
        entries = portal.call(svc.rooms.store.read, self.code)
        assert replay(decode_entries(entries)) == hub.state


LiveRoom.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TestLiveRoom = LiveRoom.TestCase
