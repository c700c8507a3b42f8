"""A flush renders only the fragments that read what changed; this holds their reads to the truth.

Every shared page fragment declares what it reads (``Fragment.reads`` and
``follows_screen`` in rooms/activity.py; the registry adds what the
activities' views read in turn, ``Activity.reads``), and every event what it
changes (``Activity.writes``). A declaration that left something out would
leave a fragment showing an old text after a change it does not read. So:
random scripts of every activity's commands, with people coming online and
going, rendered as the fan-out renders (only the fragments that read what
the entries changed since the last render, at random moments, per page kind
and language), must show exactly what rendering everything shows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rooms.activity import ONLINE
from rooms.base import Actor, Role
from rooms.ideas.domain import CreateBoard, PostIdea
from rooms.lobby.domain import Join, ScreenMode, ShowOnScreen
from rooms.polls.domain import CreatePoll, OpenPoll, PollKind, Vote
from rooms.qna.domain import AskQuestion, CreateQna
from rooms.room import Command, RoomState, handle
from server import present
from server.fanout import FanOut, Subscriber
from server.outbox import Outbox
from server.present import PAGE_KINDS, Presenter
from server.render import Renderer
from tests.rooms.helpers import T0, new_room
from tests.rooms.strategies import PEOPLE, cheap_plans, steps
from tests.server.test_console_ideas_limits import CountingRenderer

Step = tuple[Actor, Command, str | None]
# What a fragment reads is the same in every language. The JSON API's views are whole,
# but each activity's fields in them are kept while nothing they read changed
# (server/activity_views.py): the same check holds those to the truth.
API_KINDS = ("api:screen", "api:moderator", "api:participant")
KEYS = [(kind, "de") for kind in (*PAGE_KINDS, *API_KINDS)]
RENDERER = Renderer()


@pytest.fixture(autouse=True, scope="module")
def _cheap_plans() -> Iterator[None]:
    with cheap_plans():
        yield


class Pages:
    """Every page kind and language of one room, as the fan-out keeps them."""

    def __init__(self) -> None:
        self.presenter = Presenter(RENDERER, lambda code: f"https://example.org/j/{code}")
        self.shown: dict[tuple[str, str], dict[str, str]] = {}
        self.dirty: dict[tuple[str, str], set[str]] = {}

    def changed(self, what: set[str]) -> None:
        for key in self.shown:
            self.dirty[key] |= what

    def stale(self, key: tuple[str, str], state: RoomState, online: frozenset[str]) -> list[str]:
        """Render ``key`` only where it is dirty; the parts that differ from rendering all."""
        kind, lang = key
        # A presenter of its own renders everything: nothing kept from earlier renders.
        fresh = Presenter(RENDERER, lambda code: f"https://example.org/j/{code}")
        whole = fresh.shared(kind, lang, state, online)
        if key in self.shown:
            only = self.presenter.shared(
                kind, lang, state, online, self.dirty[key], self.shown[key]
            )
            wrong = sorted(part for part in whole if only.get(part) != whole[part])
            if wrong:
                return wrong
            self.shown[key] = only
        else:
            self.shown[key] = self.presenter.shared(kind, lang, state, online)
        self.dirty[key] = set()
        return []


@settings(max_examples=30, deadline=None)
@given(steps, st.data())
def test_rendering_only_what_changed_shows_what_rendering_everything_shows(
    script: list[Step], data: st.DataObject
) -> None:
    state, _ = new_room()
    online: frozenset[str] = frozenset()
    pages = Pages()
    for i, (actor, command, cid) in enumerate(script):
        handled = handle(state, command, actor, cid, T0 + 1000 * (i + 1))
        changed = set(handled.activities)
        if data.draw(st.integers(0, 3), label="presence") == 0:
            now_online = frozenset(data.draw(st.sets(st.sampled_from(PEOPLE)), label="online"))
            if now_online != online:
                online = now_online
                changed.add(ONLINE)
        pages.changed(changed)
        if data.draw(st.integers(0, 2), label="a flush now") > 0:
            continue  # changes pile up until the next flush, as between ticks
        for key in data.draw(st.sets(st.sampled_from(KEYS), min_size=1), label="rendered"):
            assert pages.stale(key, state, online) == [], (key, command)


def test_a_fragment_whose_reads_leave_something_out_is_caught(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The check above fails where a declaration is wrong: the stage without ``follows_screen``
    misses a vote while the poll is on the projector."""
    moderator = Actor(Role.MODERATOR)
    state, _ = new_room()
    for cid, command in [
        (
            "c",
            CreatePoll(
                kind=PollKind.SINGLE, question="Wohin?", options=["A", "B"], anonymous=False
            ),
        ),
        ("o", OpenPoll("p1")),
        ("s", ShowOnScreen(ScreenMode.POLL, "p1")),
    ]:
        assert handle(state, command, moderator, cid, T0).ok
    assert handle(state, Join("p0", "Ada"), Actor(Role.GUEST), "j", T0).ok
    reads, _ = present.PART_READS["screen"]["stage"]
    monkeypatch.setitem(present.PART_READS["screen"], "stage", (reads, False))
    pages = Pages()
    key = ("screen", "de")
    assert pages.stale(key, state, frozenset()) == []
    handled = handle(state, Vote(poll="p1", choice="o1"), Actor(Role.PARTICIPANT, "p0"), "v", T0)
    assert handled.activities == {"polls"}
    pages.changed(handled.activities)
    assert pages.stale(key, state, frozenset()) == ["stage"]
    monkeypatch.undo()  # declared truthfully, the stage follows the poll on the projector
    assert pages.stale(key, state, frozenset()) == []


def test_a_change_the_projector_does_not_show_yet_is_there_when_it_switches() -> None:
    """A question asked while a poll is on the projector renders nothing there (the
    stage reads the polls then), and the render that finds nothing to do must not
    leave the kept Q&A fields behind: switching the projector to the Q&A shows the
    question (found in review: the kept fields were only refreshed by renders that
    built the views)."""
    moderator, ada = Actor(Role.MODERATOR), Actor(Role.PARTICIPANT, "p0")
    state, _ = new_room()
    for cid, command in [
        ("c", CreatePoll(kind=PollKind.SINGLE, question="Wohin?", options=["A", "B"])),
        ("o", OpenPoll("p1")),
        ("q", CreateQna(title="Input 1")),
        ("s", ShowOnScreen(ScreenMode.POLL, "p1")),
    ]:
        assert handle(state, command, moderator, cid, T0).ok
    assert handle(state, Join("p0", "Ada"), Actor(Role.GUEST), "j", T0).ok
    pages = Pages()
    key = ("screen", "de")
    assert pages.stale(key, state, frozenset()) == []
    asked = handle(state, AskQuestion(session="s1", text="Wer bezahlt das?"), ada, "a", T0)
    pages.changed(set(asked.activities))
    assert pages.stale(key, state, frozenset()) == []  # nothing on the projector reads it
    shown = handle(state, ShowOnScreen("qna"), moderator, "sq", T0)
    pages.changed(set(shown.activities))
    assert pages.stale(key, state, frozenset()) == []
    assert "Wer bezahlt das?" in pages.shown[key]["stage"]


class Room:
    """The fan-out's source: one room in memory, nobody online, nothing in flight."""

    def __init__(self, state: RoomState) -> None:
        self.state = state
        self.online: frozenset[str] = frozenset()
        self.appending = False


async def sent(sub: Subscriber) -> dict[str, str]:
    """What one flush queued for ``sub`` (it fills every outbox in one go)."""
    first = await asyncio.wait_for(sub.outbox.next(), 5)
    assert isinstance(first, str)
    texts = [first] + [await sub.outbox.next() for _ in range(len(sub.outbox))]
    return {t.split('id="', 1)[1].split('"', 1)[0]: t for t in texts if isinstance(t, str)}


@pytest.mark.anyio
async def test_a_vote_renders_the_fragments_that_read_the_polls_and_no_others() -> None:
    """The console and the projector of a room with a board and a shown poll: a vote
    renders the polls' fragments and the stage, not the board, the people or the rest;
    what goes out is what rendering everything gives."""
    moderator, ada = Actor(Role.MODERATOR), Actor(Role.PARTICIPANT, "p0")
    state, _ = new_room()
    for cid, command in [
        (
            "c",
            CreatePoll(
                kind=PollKind.SINGLE, question="Wohin?", options=["A", "B"], anonymous=False
            ),
        ),
        ("o", OpenPoll("p1")),
        ("b", CreateBoard(prompt="Was fehlt?")),
        ("s", ShowOnScreen(ScreenMode.POLL, "p1")),
    ]:
        assert handle(state, command, moderator, cid, T0).ok
    assert handle(state, Join("p0", "Ada"), Actor(Role.GUEST), "j", T0).ok
    assert handle(state, PostIdea(board="b1", text="Ruhe"), ada, "i", T0).ok
    renderer = CountingRenderer()
    fanout = FanOut("ABCDEF", Presenter(renderer, lambda code: code), Room(state), window=0.01)
    subs = [Subscriber(kind, "de", None, Outbox()) for kind in ("console", "screen")]
    for sub in subs:
        fanout.add(sub)
        fanout.send_current(sub)
        await sent(sub)
    renderer.rendered.clear()
    voted = handle(state, Vote(poll="p1", choice="o1"), ada, "v", T0)
    fanout.touch(voted.touched, None, voted.activities)
    console, screen = [await sent(sub) for sub in subs]
    assert sorted(renderer.rendered) == [
        "lobby/stage.html",
        "partials/seq.html",
        "partials/seq.html",
        "polls/console-polls.html",
        "polls/console-undo.html",
    ]
    assert "console-polls" in console and "stage" in screen
    whole = Presenter(Renderer(), lambda code: code)
    for sub, got in [(subs[0], console), (subs[1], screen)]:
        fresh = whole.shared(sub.kind, "de", state, frozenset())
        assert all(fresh[part] == text for part, text in got.items() if part in fresh)


@pytest.mark.anyio
async def test_the_phones_tick_shows_every_change_that_waited_for_it() -> None:
    """Between the phones' ticks their shared views are not rendered; what changed in
    that time piles up, so the tick renders the fragments of every activity that changed
    (here the polls, then the boards), not only the last flush's."""
    moderator = Actor(Role.MODERATOR)
    state, _ = new_room()
    assert handle(state, Join("p0", "Ada"), Actor(Role.GUEST), "j", T0).ok
    fanout = FanOut(
        "ABCDEF", Presenter(RENDERER, lambda c: c), Room(state), window=0.01, phone_window=5.0
    )
    phone = Subscriber("phone", "de", "p0", Outbox())
    console = Subscriber("console", "de", None, Outbox())
    for sub in (phone, console):
        fanout.add(sub)
        fanout.send_current(sub)
        await sent(sub)

    def do(command: Command, cid: str) -> None:
        handled = handle(state, command, moderator, cid, T0)
        assert handled.ok, handled.reason
        fanout.touch(handled.touched, None, handled.activities)

    do(CreateBoard(prompt="Was fehlt?"), "b1")  # the first change goes to phones at once
    assert "phone-ideas" in await sent(phone)
    await sent(console)
    do(CreatePoll(kind=PollKind.SINGLE, question="Wohin?", options=["A", "B"]), "c")
    do(OpenPoll("p1"), "o")
    assert "console-polls" in await sent(console)
    do(CreateBoard(prompt="Was wünschen wir uns?"), "b2")
    assert "console-ideas" in await sent(console)
    assert len(phone.outbox) == 0  # the phones' tick is seconds away
    got = await sent(phone)
    assert {"phone-polls", "phone-ideas"} <= set(got)
    fresh = Presenter(RENDERER, lambda c: c).shared("phone", "de", state, frozenset())
    assert all(fresh[part] == text for part, text in got.items() if part in fresh)


@pytest.mark.parametrize("mode", ["ideas", "poll"])
def test_the_stage_of_a_mode_with_nothing_to_show_is_the_welcome(mode: str) -> None:
    """Found by the property test above: ``screen.show`` of the ideas mode with no board
    on the projector (or a poll mode whose poll is gone) made the stage's template fail
    (``first`` of nothing), so the projector got no update at all."""
    state, _ = new_room()
    shown = handle(state, ShowOnScreen(mode), Actor(Role.MODERATOR), "s", T0)
    if not shown.ok:  # the poll mode needs a poll: point it at one that is not there
        state.lobby.screen, state.lobby.screen_poll = ScreenMode.POLL, "p9"
    stage = Presenter(RENDERER, lambda c: c).shared("screen", "de", state, frozenset())["stage"]
    assert 'data-mode="welcome"' in stage
