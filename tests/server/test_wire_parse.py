"""parse converts a message to the one command struct its ``type`` names."""

from __future__ import annotations

from typing import get_args

import msgspec
import pytest

from rooms.polls.domain import Vote
from server.wire import BadMessage, ClientCommand, parse


def test_every_client_command_is_found_by_its_tag() -> None:
    reasons: dict[str, str] = {}
    for struct in get_args(ClientCommand):
        tag = struct.__struct_config__.tag
        try:
            command, _ = parse(msgspec.json.encode({"type": tag}))
        except BadMessage as exc:  # its required fields are missing
            reasons[tag] = exc.reason
        else:
            assert type(command) is struct
    assert set(reasons.values()) <= {"bad_message"}, reasons


def test_a_vote_parses_with_its_cid() -> None:
    command, cid = parse('{"type":"poll.vote","poll":"p1","choice":"o1","cid":"c1"}')
    assert command == Vote(poll="p1", choice="o1")
    assert cid == "c1"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ('{"type":"poll.explode","cid":"u1"}', "unknown_command"),
        ('{"type":5}', "bad_message"),
        ('{"poll":"p1"}', "bad_message"),
        ('{"type":"poll.vote","poll":5}', "bad_message"),
        ("not json", "bad_message"),
    ],
)
def test_refusals_keep_their_reasons(raw: str, reason: str) -> None:
    with pytest.raises(BadMessage) as caught:
        parse(raw)
    assert caught.value.reason == reason
