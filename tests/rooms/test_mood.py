"""The mood meter: one mood per present participant, the distribution a plain count."""

from __future__ import annotations

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from rooms import views
from rooms.base import Actor, Role
from rooms.lobby.domain import CloseEvent, Join, Leave, ReopenEvent
from rooms.mood.domain import Mood, MoodSet, SetMood, apply, distribution
from rooms.room import Command, Handled, handle, replay
from tests.rooms.helpers import T0, new_room

MOD = Actor(Role.MODERATOR)
PEOPLE = [f"p{i}" for i in range(6)]  # p0…p3 join first, p4 and p5 may join later


def who(pid: str) -> Actor:
    return Actor(Role.PARTICIPANT, pid)


class Room:
    def __init__(self) -> None:
        self.state, self.log = new_room()
        self.clock = T0
        for pid in PEOPLE[:4]:
            assert self.do(Actor(Role.GUEST), Join(pid, f"Name {pid}")).ok

    def do(self, actor: Actor, command: Command, cid: str | None = None) -> Handled:
        self.clock += 1000
        handled = handle(self.state, command, actor, cid, self.clock)
        self.log.extend(handled.envelopes)
        return handled


def test_setting_again_replaces_the_mood_and_the_same_one_writes_nothing() -> None:
    room = Room()
    assert room.do(who("p0"), SetMood(2)).envelopes
    assert room.do(who("p1"), SetMood(5)).envelopes
    assert room.do(who("p0"), SetMood(4)).envelopes
    same = room.do(who("p0"), SetMood(4))
    assert same.ok and not same.envelopes
    ev = views.public_view(room.state, 0)
    assert (ev.mood.counts, ev.mood.total) == ([0, 0, 0, 1, 1], 2)
    assert views.me_view(room.state, "p0").mood == 4
    assert views.me_view(room.state, "p2").mood is None


def test_only_a_present_participant_sets_a_mood_on_the_scale() -> None:
    room = Room()
    assert room.do(MOD, SetMood(3)).reason == "not_allowed"
    assert room.do(Actor(Role.SCREEN), SetMood(3)).reason == "not_allowed"
    assert room.do(who("p9"), SetMood(3)).reason == "not_joined"
    assert room.do(who("p0"), SetMood(0)).reason == "mood_invalid"
    assert room.do(who("p0"), SetMood(6)).reason == "mood_invalid"
    room.do(MOD, CloseEvent())
    assert room.do(who("p0"), SetMood(3)).reason == "event_closed"


def test_who_left_no_longer_counts_and_no_view_names_anyone() -> None:
    room = Room()
    room.do(who("p0"), SetMood(1))
    room.do(who("p1"), SetMood(1))
    room.do(who("p1"), Leave())
    assert room.do(who("p1"), SetMood(5)).reason == "not_joined"
    moderator = views.moderator_view(room.state, set())
    assert moderator.mood.counts == [1, 0, 0, 0, 0]
    assert "p0" not in msgspec.json.encode(moderator.mood).decode()


def test_apply_is_total_an_odd_logged_mood_is_kept_but_not_counted() -> None:
    room = Room()
    mood = Mood()
    apply(mood, MoodSet("p0", 9))  # not what decide writes; a log is replayed anyway
    assert distribution(mood, room.state.lobby) == [0, 0, 0, 0, 0]


step = st.one_of(
    st.tuples(st.just("set"), st.sampled_from(PEOPLE), st.integers(-1, 7)),
    st.tuples(st.just("leave"), st.sampled_from(PEOPLE), st.just(0)),
    st.tuples(st.just("join"), st.sampled_from(PEOPLE), st.just(0)),
    st.tuples(st.sampled_from(["close", "reopen"]), st.just(""), st.just(0)),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(step, max_size=40))
def test_the_distribution_is_a_count_of_the_present_people_s_last_moods(
    script: list[tuple[str, str, int]],
) -> None:
    """Against a reference kept beside the room: who is in, who left, each one's last mood."""
    room = Room()
    present, ever, last, closed = set(PEOPLE[:4]), set(PEOPLE[:4]), dict[str, int](), False
    for what, pid, value in script:
        match what:
            case "set":
                handled = room.do(who(pid), SetMood(value))
                counted = pid in present and not closed and 1 <= value <= 5
                assert handled.ok == counted, (pid, value, handled.reason)
                if counted:
                    last[pid] = value
            case "leave":
                if room.do(who(pid), Leave()).ok:
                    present.discard(pid)
            case "join":
                if room.do(Actor(Role.GUEST), Join(pid)).ok and pid not in ever:
                    present.add(pid)
                    ever.add(pid)
            case "close":
                closed = closed or room.do(MOD, CloseEvent()).ok
            case "reopen":
                closed = closed and not room.do(MOD, ReopenEvent()).ok
    reference = [sum(1 for p in present if last.get(p) == v) for v in range(1, 6)]
    for view in (
        views.public_view(room.state, 0),
        views.public_view(room.state, 0, "participant"),
        views.moderator_view(room.state, set()),
    ):
        assert view.mood.counts == reference
        assert view.mood.total == sum(reference)
    for pid in present:
        assert views.me_view(room.state, pid).mood == last.get(pid)
    rebuilt = replay(room.log)
    assert msgspec.to_builtins(rebuilt) == msgspec.to_builtins(room.state)
