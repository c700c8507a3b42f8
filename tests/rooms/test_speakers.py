"""The speaker list: requests, the direct-reply lane, turns as timestamps, alternation."""

from __future__ import annotations

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from rooms.base import Actor, Role
from rooms.lobby.domain import Join, OrganisationType
from rooms.room import Command, Handled, handle, replay
from rooms.speakers.domain import (
    AddSpeaker,
    AllowDirect,
    Alternate,
    CloseSpeakers,
    Entry,
    MoveSpeaker,
    NextSpeaker,
    OpenSpeakers,
    PauseTimer,
    RemoveSpeaker,
    RequestToSpeak,
    ResumeTimer,
    Speakers,
    SpeakerSettings,
    Spoken,
    Withdraw,
    speaking_order,
    stats_by_type,
)
from rooms.speakers.views import my_speakers, speakers_view
from tests.rooms.helpers import T0, new_room

MOD = Actor(Role.MODERATOR)
ORGS = {
    "p0": OrganisationType.BUSINESS,
    "p1": OrganisationType.BUSINESS,
    "p2": OrganisationType.UNION,
    "p3": OrganisationType.PUBLIC,
    "p4": None,
}


def who(pid: str) -> Actor:
    return Actor(Role.PARTICIPANT, pid)


class Room:
    def __init__(self) -> None:
        self.state, self.log = new_room()
        self.clock = T0
        for pid, org in ORGS.items():
            self.do(Actor(Role.GUEST), Join(pid, f"Name {pid}", org))

    def do(self, actor: Actor, command: Command, cid: str | None = None, ms: int = 1000) -> Handled:
        self.clock += ms
        handled = handle(self.state, command, actor, cid, self.clock)
        self.log.extend(handled.envelopes)
        return handled

    def ok(self, actor: Actor, command: Command, ms: int = 1000) -> Handled:
        handled = self.do(actor, command, ms=ms)
        assert handled.ok, handled.reason
        return handled

    def refused(self, actor: Actor, command: Command) -> str | None:
        handled = self.do(actor, command)
        assert not handled.ok
        return handled.reason

    @property
    def sp(self) -> Speakers:
        return self.state.speakers

    def names(self) -> list[str]:
        return [e.name for e in speaking_order(self.sp)]


def test_request_withdraw_and_a_second_request_is_refused() -> None:
    room = Room()
    room.ok(who("p0"), RequestToSpeak(subject="Zur Finanzierung"))
    room.ok(who("p2"), RequestToSpeak())
    assert room.refused(who("p2"), RequestToSpeak()) == "already_on_list"
    assert my_speakers(room.sp, "p2").places == {"e2": 2}
    room.ok(who("p0"), Withdraw())
    assert room.names() == ["Name p2"]
    assert my_speakers(room.sp, "p2").places == {"e2": 1}
    assert room.refused(who("p1"), RequestToSpeak(subject="x" * 81)) == "subject_too_long"
    assert room.refused(who("p1"), AddSpeaker(name="Gast")) == "not_allowed"


def test_moderator_adds_moves_removes_and_closes() -> None:
    room = Room()
    room.ok(who("p0"), RequestToSpeak())
    added = room.ok(MOD, AddSpeaker(name="Frau Keller", organisation_type=OrganisationType.CHAMBER))
    assert added.id == "e2"
    room.ok(who("p2"), RequestToSpeak())
    room.ok(MOD, MoveSpeaker("e3", 0))
    assert room.names() == ["Name p2", "Name p0", "Frau Keller"]
    room.ok(MOD, RemoveSpeaker("e1"))
    assert room.names() == ["Name p2", "Frau Keller"]
    room.ok(MOD, CloseSpeakers())
    assert room.refused(who("p3"), RequestToSpeak()) == "speakers_closed"
    room.ok(MOD, AddSpeaker(name="Herr Ohne Handy"))  # the moderator still may
    room.ok(MOD, OpenSpeakers())
    room.ok(who("p3"), RequestToSpeak())
    assert len(room.names()) == 4


def test_next_speaker_runs_on_timestamps_with_pause_and_records_time() -> None:
    room = Room()
    room.ok(MOD, SpeakerSettings(seconds=120))
    room.ok(who("p0"), RequestToSpeak())
    room.ok(who("p2"), RequestToSpeak())
    started = room.ok(MOD, NextSpeaker())
    turn = room.sp.current
    assert turn is not None and turn.entry == "e1"
    assert turn.ends_at == turn.started_at + 120_000
    assert room.state.lobby.screen == "speakers"  # the follow-up took the projector
    assert "p0" in started.touched and "p2" in started.touched  # their places moved
    assert my_speakers(room.sp, "p0").speaking
    room.ok(MOD, PauseTimer(), ms=30_000)  # 30 s spoken
    view = speakers_view(room.sp, "screen").current
    assert view is not None and view.paused and view.remaining == 90_000
    room.ok(MOD, ResumeTimer(), ms=60_000)  # paused for a minute: not counted
    turn = room.sp.current
    assert turn is not None and turn.ends_at == room.clock + 90_000
    room.ok(MOD, NextSpeaker(), ms=20_000)
    assert room.sp.history == [Spoken("e1", 50_000)]
    room.ok(MOD, NextSpeaker(), ms=10_000)
    assert room.sp.current is None
    stats = stats_by_type(room.sp)
    assert stats["business"].seconds == 50 and stats["union"].seconds == 10
    assert stats["union"].turns == 1 and stats["business"].people == 1


def test_a_direct_reply_waits_for_the_moderator_and_goes_first() -> None:
    room = Room()
    assert room.refused(who("p1"), RequestToSpeak(direct=True)) == "no_current_speaker"
    room.ok(who("p0"), RequestToSpeak())
    room.ok(who("p2"), RequestToSpeak())
    room.ok(MOD, NextSpeaker())  # p0 speaks
    assert room.refused(who("p0"), RequestToSpeak(direct=True)) == "already_speaking"
    room.ok(who("p3"), RequestToSpeak(direct=True))
    room.ok(who("p4"), RequestToSpeak(direct=True))
    assert room.names() == ["Name p2"]  # not allowed yet
    moderator = speakers_view(room.sp, "moderator")
    assert [e.name for e in moderator.requests or []] == ["Name p3", "Name p4"]
    room.ok(MOD, AllowDirect("e3"))
    assert room.names() == ["Name p3", "Name p2"]
    room.ok(MOD, NextSpeaker())
    turn = room.sp.current
    assert turn is not None and turn.entry == "e3"
    assert turn.ends_at == turn.started_at + 60_000  # a direct reply is short
    room.ok(MOD, NextSpeaker())  # p2, a regular speaker: p4's unanswered reply lapses
    assert room.sp.direct == [] and room.names() == []


def test_alternating_by_organisation_and_first_time_speakers() -> None:
    room = Room()
    room.ok(MOD, SpeakerSettings(seconds=0, alternate=Alternate.ORGANISATION))
    for pid in ("p0", "p1", "p2", "p3"):
        room.ok(who(pid), RequestToSpeak())
    assert room.names() == ["Name p0", "Name p2", "Name p1", "Name p3"]
    room.ok(MOD, NextSpeaker())  # p0 (business) speaks
    assert room.names() == ["Name p2", "Name p1", "Name p3"]
    room.ok(MOD, SpeakerSettings(seconds=0, alternate=Alternate.FIRST_TIME))
    room.ok(MOD, NextSpeaker())  # after a first-timer a repeat one; none waits: p1
    assert room.sp.current is not None and room.sp.current.entry == "e2"
    room.ok(who("p0"), RequestToSpeak())  # p0 again: has spoken
    room.ok(who("p4"), RequestToSpeak())
    # p1 spoke for the first time: a repeat speaker next, then first-time ones
    assert room.names() == ["Name p0", "Name p2", "Name p3", "Name p4"]
    firsts = {e.name: e.first_time for e in speakers_view(room.sp, "screen").queue}
    assert firsts["Name p0"] is False and firsts["Name p2"] is True


def test_a_participant_without_a_name_must_give_one() -> None:
    room = Room()
    room.do(Actor(Role.GUEST), Join("p9", None, None))
    assert room.refused(who("p9"), RequestToSpeak()) == "speaker_name_missing"
    room.ok(who("p9"), RequestToSpeak(name="Jo"))
    assert room.names() == ["Jo"]


# --- properties -----------------------------------------------------------------

person = st.sampled_from(list(ORGS))
entry = st.sampled_from([f"e{i}" for i in range(1, 10)])
commands = st.one_of(
    st.tuples(person, st.builds(RequestToSpeak, direct=st.booleans())),
    st.tuples(person, st.just(Withdraw())),
    st.tuples(st.just("mod"), st.builds(AddSpeaker, name=st.sampled_from(["Gast", "gast", "B"]))),
    st.tuples(st.just("mod"), st.builds(MoveSpeaker, entry, st.integers(-1, 6))),
    st.tuples(st.just("mod"), st.just(NextSpeaker())),
    st.tuples(st.just("mod"), st.builds(RemoveSpeaker, entry)),
    st.tuples(st.just("mod"), st.builds(AllowDirect, entry)),
    st.tuples(st.just("mod"), st.sampled_from([PauseTimer(), ResumeTimer()])),
    st.tuples(
        st.just("mod"),
        st.builds(
            SpeakerSettings,
            seconds=st.sampled_from([0, 60]),
            alternate=st.sampled_from(list(Alternate)),
        ),
    ),
)


def _check_alternation(sp: Speakers) -> None:
    """In an alternating list, two neighbours share a group only when nobody else was left."""
    if sp.alternate is Alternate.NONE:
        return
    spoken = sp.has_spoken()

    def group(e: Entry) -> object:
        if sp.alternate is Alternate.ORGANISATION:
            return e.organisation_type
        return e.key in spoken

    main = [e for e in speaking_order(sp) if not (e.direct and e.allowed)]
    for i in range(1, len(main)):
        if group(main[i]) == group(main[i - 1]):
            assert all(group(e) == group(main[i - 1]) for e in main[i:])
    nobody_spoke = not sp.history and sp.current is None
    if (
        sp.alternate is Alternate.FIRST_TIME
        and nobody_spoke
        and any(e.key not in spoken for e in main)
    ):
        assert main[0].key not in spoken  # first-time speakers go first


@settings(max_examples=200, deadline=None)
@given(st.lists(commands, max_size=40))
def test_nobody_stands_twice_and_the_order_alternates(script: list[tuple[str, Command]]) -> None:
    room = Room()
    for i, (actor, command) in enumerate(script):
        room.do(MOD if actor == "mod" else who(actor), command, cid=f"c{i % 7}", ms=7_000)
        sp = room.sp
        for lane in (sp.queue, sp.direct):
            keys = [sp.entries[e].key for e in lane]
            assert len(keys) == len(set(keys))
        assert not set(sp.queue) & set(sp.direct)
        if sp.current is not None:
            assert sp.current.entry not in sp.queue and sp.current.entry not in sp.direct
        order = speaking_order(sp)
        assert sorted(e.id for e in order) == sorted(
            [*sp.queue, *(e for e in sp.direct if sp.entries[e].allowed)]
        )
        _check_alternation(sp)
    assert msgspec.to_builtins(replay(room.log)) == msgspec.to_builtins(room.state)
    stats = stats_by_type(room.sp)
    assert sum(t.turns for t in stats.values()) == len(room.sp.history)
    assert all(s.ms >= 0 for s in room.sp.history)
