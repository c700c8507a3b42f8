"""Counts held back by the room's pacing always go out, however the ticks fall.

The phones' counts-only pushes are paced (``counts_per_s``): a tick that
finds only counts changed within the pacing window holds them and sets a
timer for a later tick. Found by the upvote benchmark (a patching phone
stayed ~100 upvotes behind for good, in one run of three): when a flush
driven by a new change fell on the phones' tick before the tick's own
timer, it held the counts but set no timer (one was pending), and the
pending timer's flush then came too early to be a tick and, with nothing
new, set none either. Random upvote schedules, then quiet: every phone must
show the last count within a few windows.
"""

from __future__ import annotations

import asyncio
import random

import msgspec
import pytest

from rooms.base import Actor, Role
from rooms.lobby.domain import Join
from rooms.qna.domain import AskQuestion, CreateQna, Upvote
from rooms.room import RoomState, handle
from server.fanout import FanOut, Subscriber
from server.outbox import Outbox
from server.patches import PATCH_KIND
from server.present import Presenter
from server.render import Renderer
from tests.rooms.helpers import T0, new_room
from tests.server.test_flush_reads import Room

pytestmark = pytest.mark.anyio

VOTERS = 80
WINDOW, PHONE_WINDOW, COUNTS_PER_S = 0.01, 0.05, 20.0  # two phones: counts every 0.1 s


def seq_of(text: object) -> int:
    assert isinstance(text, str)
    message = msgspec.json.decode(text)
    assert isinstance(message, dict)
    seq = message["seq"]
    assert isinstance(seq, int)
    return seq


def room_with_two_questions() -> tuple[RoomState, list[str]]:
    moderator = Actor(Role.MODERATOR)
    state, _ = new_room()
    people = [f"v{i}" for i in range(VOTERS)] + ["a", "b", "c", "d"]
    for pid in people:
        assert handle(state, Join(pid, pid.upper()), Actor(Role.GUEST), f"j{pid}", T0).ok
    assert handle(state, CreateQna(title="Input"), moderator, "q", T0).ok
    for k, asker in enumerate(("a", "b")):
        ask = AskQuestion(session="s1", text=f"Frage {k}")
        assert handle(state, ask, Actor(Role.PARTICIPANT, asker), f"ask{k}", T0).ok
    return state, people[:VOTERS]


def watching(state: RoomState) -> tuple[FanOut, list[Subscriber]]:
    """A fan-out with two phones that only watch, outboxes read by hand: neither votes
    nor asked, so nothing but the counts' pushes brings them the new counts."""
    presenter = Presenter(Renderer(), lambda code: code)
    fan = FanOut("ABCDEF", presenter, Room(state), WINDOW, PHONE_WINDOW, counts_per_s=COUNTS_PER_S)
    phones = [Subscriber(PATCH_KIND, "de", pid, Outbox(1 << 20)) for pid in ("c", "d")]
    for phone in phones:
        fan.add(phone)
        fan.send_current(phone)
    return fan, phones


def upvote(fan: FanOut, state: RoomState, n: int, voter: str) -> None:
    voted = handle(state, Upvote(f"q{1 + n % 2}"), Actor(Role.PARTICIPANT, voter), f"u{n}", T0)
    assert voted.ok
    fan.touch(voted.touched & {voter}, voted.touched - {voter}, voted.activities)


async def every_phone_reaches(phones: list[Subscriber], seq: int) -> None:
    """Read the phones' outboxes until each has a message at ``seq``; fail after 2 s
    (20 pacing windows: held counts go within one or two)."""
    last: dict[int, int] = {}
    async with asyncio.timeout(2):
        while len(last) < len(phones) or min(last.values()) < seq:
            for i, phone in enumerate(phones):
                while len(phone.outbox):
                    last[i] = max(last.get(i, -1), seq_of(await phone.outbox.next()))
            await asyncio.sleep(0.01)


@pytest.mark.parametrize("seed", range(3))
async def test_held_counts_always_reach_every_phone(seed: int) -> None:
    rng = random.Random(seed)
    state, voters = room_with_two_questions()
    fan, phones = watching(state)
    for n, voter in enumerate(voters):
        upvote(fan, state, n, voter)
        await asyncio.sleep(rng.choice((0.0, 0.001, 0.004, 0.01, 0.02, 0.049, 0.05, 0.051)))
    await every_phone_reaches(phones, state.seq)
    fan.stop()


async def test_a_tick_taken_by_a_change_before_its_timer_still_sends_held_counts() -> None:
    """The order that stranded the counts, set up by hand: a flush between ticks sets
    the tick's timer; a change's flush then takes the tick (its time has come) and holds
    the counts (their window has not); the timer's flush comes too early to be a tick."""
    state, voters = room_with_two_questions()
    fan, phones = watching(state)
    upvote(fan, state, 0, voters[0])
    fan._flush()  # the phones' first tick: the counts go
    upvote(fan, state, 1, voters[1])
    fan._flush()  # between ticks: the phones' timer is set
    assert fan._phone_handle is not None
    loop = asyncio.get_running_loop()
    fan._phone_last = loop.time() - PHONE_WINDOW  # the tick is due ...
    fan._counts_last = dict.fromkeys(fan._counts_last, loop.time())  # ... the counts are not
    upvote(fan, state, 2, voters[2])
    fan._flush()  # the change's flush: a tick that holds the counts
    # The timer set between ticks now fires before the next tick's time: as if this
    # flush had come later than it did (under load, flushes take tens of ms).
    fan._phone_last = loop.time() + 60
    await every_phone_reaches(phones, state.seq)
    fan.stop()
