"""Deleting personal data in the core: the erasure event, and the log scrubbed to match it."""

from __future__ import annotations

import msgspec

from rooms import views
from rooms.actions.domain import CreateAction, JoinAction
from rooms.base import Actor, Role
from rooms.ideas.domain import CreateBoard, PostIdea
from rooms.lobby.domain import Join, OrganisationType, Rename
from rooms.polls.domain import CreatePoll, OpenPoll, PollKind, Vote
from rooms.privacy.domain import EraseAll, EraseMe
from rooms.privacy.redact import participant_ids, scrub
from rooms.qna.domain import AskQuestion, CreateQna, Upvote
from rooms.room import Command, Envelope, RoomState, replay
from rooms.speakers.domain import AddSpeaker, NextSpeaker, RequestToSpeak
from tests.rooms.helpers import new_room, run

MOD = Actor(Role.MODERATOR)
NAMES = {"a1": "Anna Altmann", "b2": "Bernd Brunnhuber", "c3": "Clara Czerny"}


def person(pid: str) -> Actor:
    return Actor(Role.PARTICIPANT, pid)


def busy_room() -> tuple[RoomState, list[Envelope]]:
    state, log = new_room()
    steps: list[tuple[Actor, Command, str | None]] = [
        (Actor(Role.GUEST), Join(pid, name, OrganisationType.UNION), f"j{pid}")
        for pid, name in NAMES.items()
    ]
    steps += [
        (person("a1"), Rename("Anna A.", OrganisationType.BUSINESS), "r"),
        (MOD, CreatePoll(kind=PollKind.SINGLE, question="Was zuerst?", options=["X", "Y"],
                         anonymous=False), "p"),
        (MOD, OpenPoll("p1"), "o"),
        (person("a1"), Vote(poll="p1", choice="o1"), "v"),
        (person("b2"), Vote(poll="p1", choice="o2"), "v"),
        (MOD, CreateBoard(prompt="Ideen?"), "b"),
        (person("a1"), PostIdea(board="b1", text="Signiert", anonymous=False), "i1"),
        (person("b2"), PostIdea(board="b1", text="Anonym", anonymous=True), "i2"),
        (MOD, CreateAction(title="Bus"), "a"),
        (person("a1"), JoinAction(action="a1", name="Anna Altmann", contact="anna@x.example",
                                  consent=True), "aj"),
        (person("c3"), JoinAction(action="a1", name="Clara", consent=True), "aj"),
        (MOD, CreateQna(title="Input"), "q"),
        (person("a1"), AskQuestion(session="s1", text="Wer zahlt?"), "qa"),
        (person("b2"), Upvote("q1"), "qu"),
        (person("a1"), RequestToSpeak(subject="Kosten"), "sr"),
        (MOD, AddSpeaker(name="Dora Dorfmeister"), "sa"),
        (MOD, NextSpeaker(), "s1"),
        (MOD, NextSpeaker(), "s2"),  # Anna's turn is over, Dora speaks
    ]  # fmt: skip
    assert all(h.ok for h in run(state, log, steps))
    return state, log


def plain(state: RoomState) -> object:
    return msgspec.to_builtins(state)


def test_erasing_oneself_removes_the_name_everywhere_and_the_scrubbed_log_agrees() -> None:
    state, log = busy_room()
    [done] = run(state, log, [(person("a1"), EraseMe(), "e")])
    assert done.ok
    moderator = views.moderator_view(state, frozenset())
    text = msgspec.json.encode(moderator)
    assert b"Anna" not in text and b"anna@x.example" not in text
    assert b"Bernd Brunnhuber" in text  # the named poll still names the others
    assert b"Dora Dorfmeister" in text  # added by the moderator: not Anna's data
    assert moderator.qna[0].questions[0].name is None and moderator.qna[0].questions[0].votes == 1
    assert moderator.actions[0].joined == 1  # she left the event, so her sign-up no longer counts
    assert moderator.polls[0].results is not None and moderator.polls[0].results.voters == 2
    scrubbed = scrub(log, {"a1"})
    assert b"Anna" not in b"".join(msgspec.json.encode(e) for e in scrubbed)
    assert plain(replay(scrubbed)) == plain(state)
    unchanged = [new for old, new in zip(log, scrubbed, strict=True) if new is old]
    assert len(unchanged) > len(log) // 2  # only entries holding her data are rewritten


def test_erasing_everyone_keeps_results_and_pseudonyms_cut_every_id() -> None:
    state, log = busy_room()
    assert run(state, log, [(MOD, EraseAll(), "e")])[0].ok
    assert state.lobby.closed and state.lobby.erased
    assert all(p.name is None for p in state.lobby.participants.values())
    ids = participant_ids(log)
    assert ids == ["a1", "b2", "c3"]
    pseudonyms = {pid: f"x{n:015d}" for n, pid in enumerate(ids)}
    scrubbed = scrub(log, None, pseudonyms)
    stored = b"".join(msgspec.json.encode(e) for e in scrubbed)
    for pid, name in NAMES.items():
        assert name.encode() not in stored
        assert f'"{pid}"'.encode() not in stored and f'"p:{pid}"'.encode() not in stored
    assert b"anna@x.example" not in stored
    assert b"Dora Dorfmeister" not in stored  # a name on the speaker list is personal data too
    assert plain(replay(scrub(log, None))) == plain(state)
    again = replay(scrubbed)
    before = views.moderator_view(state, frozenset())
    after = views.moderator_view(again, frozenset())
    assert [p.results for p in after.polls] == [p.results for p in before.polls]
    assert [a.joined for a in after.actions] == [a.joined for a in before.actions]
    assert [c.text for c in after.boards[0].ideas] == ["Signiert", "Anonym"]
    assert after.speakers.stats == before.speakers.stats  # speaking time stays, names go
    assert [q.votes for q in after.qna[0].questions] == [1]


def test_only_a_participant_erases_their_own_data_and_only_moderators_everyones() -> None:
    state, log = busy_room()
    refused = run(state, log, [(MOD, EraseMe(), "x"), (person("a1"), EraseAll(), "y")])
    assert [h.reason for h in refused] == ["not_allowed", "not_allowed"]
