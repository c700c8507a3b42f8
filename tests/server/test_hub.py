"""The hub on its own: group commit, coalesced fan-out, latest-wins outboxes."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator, Collection, Mapping
from pathlib import Path

import pytest

from rooms.activities import Limits
from rooms.base import Actor, Role
from rooms.lobby.domain import CreateEvent, Join, Rename, ScreenMode, ShowOnScreen
from rooms.qna.domain import AskQuestion, CreateQna, HideQuestion, Upvote
from rooms.qna.views import my_qna
from rooms.room import Command, Envelope, Handled, RoomState, handle, replay
from server import writer as writer_module
from server.broker import Broker, LocalBroker
from server.fanout import Subscriber
from server.hub import Hub, HubSettings
from server.outbox import Message, Outbox, OutboxOverflow, drain
from server.stores.base import StoreError
from server.stores.sqlite import SqliteStore
from server.writer import decode_entries, encode_entry

pytestmark = pytest.mark.anyio


class CountingPresenter:
    """Renders the joined count; counts how often each kind was rendered."""

    def __init__(self) -> None:
        self.shared_renders = 0
        self.personal_renders = 0
        self.renders_of: Counter[str] = Counter()  # shared renders per kind

    def shared(
        self,
        kind: str,
        lang: str,
        state: RoomState,
        online: frozenset[str],
        dirty: Collection[str] | None = None,
        previous: Mapping[str, str] | None = None,
    ) -> dict[str, str]:
        self.shared_renders += 1
        self.renders_of[kind] += 1
        return {
            "count": f"{kind}:{state.lobby.joined}:{state.lobby.screen}",
            "title": state.lobby.title,
        }

    def personal(
        self, kind: str, lang: str, state: RoomState, online: frozenset[str], participant: str
    ) -> str | None:
        self.personal_renders += 1
        me = state.lobby.participants.get(participant)
        if me is None:
            return None
        places = [q.rank for q in my_qna(state.qna, participant).asked]
        return f"me:{me.name}" + (f":places={places}" if places else "")

    def frames(
        self,
        kind: str,
        changed: dict[str, str],
        personal: str | None,
        current: tuple[dict[str, str], str | None],
    ) -> list[tuple[str, str]]:
        out = [(f"shared:{part}", text) for part, text in changed.items()]
        if personal is not None:
            out.append(("personal", personal))
        return out


class FlakyStore(SqliteStore):
    fail_next = False
    fail_reads = 0

    async def append(self, room: str, expected_seq: int, entries: list[bytes]) -> int:
        if self.fail_next:
            self.fail_next = False
            raise StoreError("disk full")
        return await super().append(room, expected_seq, entries)

    async def read(self, room: str, after: int = 0) -> list[bytes]:
        if self.fail_reads:
            self.fail_reads -= 1
            raise StoreError("not reachable")
        return await super().read(room, after)


@pytest.fixture
def window() -> float:
    """The coalescing window; a test that needs a long one parametrises it."""
    return 0.05


@pytest.fixture
async def hub(tmp_path: Path, window: float) -> AsyncIterator[Hub]:
    store = FlakyStore(tmp_path / "hub.sqlite3")
    await store.open()
    state = RoomState()
    created = handle(state, CreateEvent("ABCDEF", "T"), Actor(Role.ADMIN), None, 0)
    await store.create_room("ABCDEF", encode_entry(created.envelopes[0]))
    the_hub = Hub("ABCDEF", store, LocalBroker(), CountingPresenter(), HubSettings(window=window))
    await the_hub.load()
    yield the_hub
    await the_hub.close()
    await store.close()


def presenter(hub: Hub) -> CountingPresenter:
    assert isinstance(hub.presenter, CountingPresenter)
    return hub.presenter


async def next_text(outbox: Outbox) -> str | None:
    """The next message; without a ``send`` the outbox never hands back a direct send."""
    item = await outbox.next()
    assert item is None or isinstance(item, str)
    return item


async def receive_until(sub: Subscriber, wanted: str) -> list[str]:
    """Everything ``sub`` receives up to and including ``wanted``; fails after 30 s.

    Phones get shared views at most once per ``phone_window`` (1 s by default).
    """
    seen: list[str] = []
    async with asyncio.timeout(30):
        while not seen or seen[-1] != wanted:
            text = await next_text(sub.outbox)
            assert text is not None
            seen.append(text)
    return seen


async def test_a_burst_of_commands_is_group_committed_and_rendered_few_times(hub: Hub) -> None:
    screen = Subscriber("screen", "de", None, Outbox())
    hub.attach(screen)
    guest = Actor(Role.GUEST)
    results = await asyncio.gather(
        *(hub.submit(guest, Join(f"p{i}", None, None), f"c{i}") for i in range(200))
    )
    assert all(r.ok for r in results)
    assert sorted(r.seq for r in results if r.seq) == list(range(2, 202))
    seen = await receive_until(screen, "screen:200:welcome")
    seen += [await next_text(screen.outbox) or "" for _ in range(len(screen.outbox))]
    # 200 joins, one shared view: rendered a handful of times, not 200.
    assert presenter(hub).shared_renders <= 10
    # The title part never changed, so it was sent once, not with every count.
    assert seen.count("T") == 1


@pytest.mark.parametrize("window", [60.0])
async def test_ticks_are_leading_edge(hub: Hub) -> None:
    """The first change after a quiet spell goes out at once, not after the window.

    The window is a minute here, so a trailing-edge flush would miss the 30 s
    wait by far, while a leading-edge one passes on any machine, however busy.
    """
    screen = Subscriber("screen", "de", None, Outbox())
    hub.attach(screen)
    await hub.submit(Actor(Role.MODERATOR), ShowOnScreen(ScreenMode.BLANK), "s1")
    async with asyncio.timeout(30):
        assert await screen.outbox.next() == "screen:0:blank"


async def test_phones_get_shared_views_at_their_own_slower_tick(hub: Hub) -> None:
    """The screen sees every change within its tick; phones get the shared views at most once
    per ``phone_window`` (1 s by default), and their own view at once.

    The phones' window is a minute here, so "held back" holds on any machine, however
    slow; then a window of zero shows that the held counts go out on the next flush.
    """
    assert hub.settings.phone_window == 1.0
    screen = Subscriber("screen", "de", None, Outbox())
    anna = Subscriber("phone", "de", "anna", Outbox())
    hub.attach(screen)
    hub.attach(anna)
    guest = Actor(Role.GUEST)
    await hub.submit(guest, Join("anna", "Anna", None), "j0")
    await receive_until(anna, "phone:1:welcome")
    hub.fanout.phone_window = 60.0  # from this push on, the phones' next is a minute away
    for i in range(1, 6):
        await hub.submit(guest, Join(f"p{i}", None, None), f"j{i}")
    await receive_until(screen, "screen:6:welcome")  # the projector: every tick
    await hub.submit(Actor(Role.PARTICIPANT, "anna"), Rename("Anna B.", None), "r")
    got = await receive_until(anna, "me:Anna B.")  # her own view is never held back
    assert "phone:6:welcome" not in got  # the shared counts wait for the phones' tick
    hub.fanout.phone_window = 0.0
    await hub.submit(guest, Join("p6", None, None), "j6")
    await receive_until(anna, "phone:7:welcome")  # the held counts, on the phones' next tick


async def test_between_the_phones_ticks_only_the_phones_whose_own_view_changed_are_served(
    hub: Hub,
) -> None:
    """A flush between the phones' ticks neither renders the phones' shared views nor
    queues anything for a phone whose own view did not change; the tick sends the
    count that waited, once, to every phone.
    """
    screen = Subscriber("screen", "de", None, Outbox())
    anna = Subscriber("phone", "de", "anna", Outbox())
    bob = Subscriber("phone", "de", "bob", Outbox())
    for sub in (screen, anna, bob):
        hub.attach(sub)
    guest = Actor(Role.GUEST)
    for pid in ("anna", "bob"):
        await hub.submit(guest, Join(pid, pid.title(), None), f"j-{pid}")
    await receive_until(anna, "me:Anna")
    await receive_until(bob, "me:Bob")
    await receive_until(anna, "phone:2:welcome")
    await receive_until(bob, "phone:2:welcome")
    hub.fanout.phone_window = 60.0  # the phones' next tick is a minute away
    phone_renders = presenter(hub).renders_of["phone"]
    for i in range(5):
        await hub.submit(guest, Join(f"p{i}", None, None), f"j{i}")
    await receive_until(screen, "screen:7:welcome")  # the projector: every tick
    assert presenter(hub).renders_of["phone"] == phone_renders  # not even rendered
    assert len(anna.outbox) == 0
    assert len(bob.outbox) == 0
    await hub.submit(Actor(Role.PARTICIPANT, "anna"), Rename("Anna B.", None), "r")
    got = await receive_until(anna, "me:Anna B.")  # her own view: at once
    assert not any(text.startswith("phone:") for text in got)  # the counts still wait
    assert len(bob.outbox) == 0  # Bob's own view did not change: nothing for him
    hub.fanout.phone_window = 0.0
    await hub.submit(guest, Join("p9", None, None), "j9")
    for phone in (anna, bob):
        got = await receive_until(phone, "phone:8:welcome")  # the phones' tick
        assert "phone:7:welcome" not in got  # the newest count, not each one on the way


async def test_personal_views_render_only_for_who_changed(hub: Hub) -> None:
    anna = Subscriber("phone", "de", "anna", Outbox())
    bob = Subscriber("phone", "de", "bob", Outbox())
    hub.attach(anna)
    hub.attach(bob)
    guest = Actor(Role.GUEST)
    for pid in ("anna", "bob"):
        await hub.submit(guest, Join(pid, pid.title(), None), None)
    await receive_until(anna, "me:Anna")
    await receive_until(bob, "me:Bob")
    before = presenter(hub).personal_renders
    await hub.submit(Actor(Role.PARTICIPANT, "anna"), Rename("Anna B.", None), "r")
    await receive_until(anna, "me:Anna B.")
    # The same flush served Bob: his shared view at most, never a personal one.
    assert presenter(hub).personal_renders == before + 1
    bob_got = [await next_text(bob.outbox) for _ in range(len(bob.outbox))]
    assert all(not (text or "").startswith("me:") for text in bob_got)


async def waiting(sub: Subscriber) -> list[str]:
    """Everything in ``sub``'s outbox now (a flush fills every outbox in one go)."""
    return [await next_text(sub.outbox) or "" for _ in range(len(sub.outbox))]


async def test_a_rank_moved_by_someone_elses_upvote_waits_for_the_phones_tick(hub: Hub) -> None:
    """The voter's own view goes at once; the askers whose place the vote moved get
    theirs with the phones' tick, together with the list it is a place in. A
    moderator's move reaches them at once."""
    phones = {pid: Subscriber("phone", "de", pid, Outbox()) for pid in ("anna", "bob", "carl")}
    for sub in phones.values():
        hub.attach(sub)
    guest, moderator = Actor(Role.GUEST), Actor(Role.MODERATOR)
    anna, bob, carl = (Actor(Role.PARTICIPANT, pid) for pid in phones)
    for pid in phones:
        await hub.submit(guest, Join(pid, pid.title(), None), f"j-{pid}")
    assert (await hub.submit(moderator, CreateQna(title="Input"), "c1")).ok
    assert (await hub.submit(anna, AskQuestion(session="s1", text="Wer zahlt?"), "a1")).ok
    assert (await hub.submit(bob, AskQuestion(session="s1", text="Wann?"), "b1")).ok
    await receive_until(phones["anna"], "me:Anna:places=[1]")
    await receive_until(phones["bob"], "me:Bob:places=[2]")
    hub.fanout.phone_window = 60.0  # the phones' next tick is a minute away
    for sub in phones.values():
        await waiting(sub)
    assert (await hub.submit(carl, Upvote("q2"), "u1")).ok  # q2 overtakes q1
    await receive_until(phones["carl"], "me:Carl")  # the voter's own view: at once
    assert "me:Anna:places=[2]" not in await waiting(phones["anna"])  # held for the tick
    assert "me:Bob:places=[1]" not in await waiting(phones["bob"])
    hub.fanout.phone_window = 0.0
    await hub.submit(guest, Join("dora", None, None), "j-dora")
    anna_got = await receive_until(phones["anna"], "me:Anna:places=[2]")  # the phones' tick
    assert "phone:4:welcome" in anna_got  # with the list (here: the count) of the same tick
    await receive_until(phones["bob"], "me:Bob:places=[1]")
    hub.fanout.phone_window = 60.0
    assert (await hub.submit(moderator, HideQuestion("q2"), "h1")).ok
    await receive_until(phones["anna"], "me:Anna:places=[1]")  # a moderator's move: at once


async def test_a_failed_append_is_refused_and_leaves_no_trace(hub: Hub) -> None:
    assert isinstance(hub.store, FlakyStore)
    hub.store.fail_next = True
    failed = await hub.submit(Actor(Role.GUEST), Join("anna", "Anna", None), "j1")
    assert failed.ok is False
    assert failed.reason == "store_unavailable"
    assert "anna" not in hub.state.lobby.participants
    retried = await hub.submit(Actor(Role.GUEST), Join("anna", "Anna", None), "j1")
    assert retried.ok is True
    assert hub.state.lobby.joined == 1


async def test_after_a_failed_append_and_reload_a_notice_reloads_instead_of_building_on_it(
    hub: Hub,
) -> None:
    """The state holds a batch the store refused, and the reload after it failed too
    (a Redis Cluster master failing over): a notice from another worker must not
    apply the log's entries on top of the phantom batch."""
    assert isinstance(hub.store, FlakyStore)
    other = Hub("ABCDEF", hub.store, hub.broker, CountingPresenter(), HubSettings(window=0.01))
    await other.load()
    try:
        hub.store.fail_next, hub.store.fail_reads = True, 1
        refused = await hub.submit(Actor(Role.GUEST), Join("anna", "Anna", None), "j1")
        assert refused.reason == "store_unavailable"
        assert (await other.submit(Actor(Role.GUEST), Join("ben", "Ben", None), "j2")).ok
        assert (await other.submit(Actor(Role.GUEST), Join("cem", "Cem", None), "j3")).ok
        await asyncio.wait_for(hub.reached(other.state.seq), 10)
        assert sorted(hub.state.lobby.participants) == ["ben", "cem"]
        assert hub.state == replay(decode_entries(await hub.store.read("ABCDEF")))
    finally:
        await other.close()


async def test_a_catch_up_that_fails_is_tried_again_without_another_notice(
    hub: Hub, tmp_path: Path
) -> None:
    """After a Redis outage the broker's "read it all" can be the last notice a room
    gets for a while (a room with screens only on this worker, an event that went
    quiet). A catch-up that fails then must try again by itself; before, the room
    stayed behind until the next command or notice (a CI run of the Redis restart
    test: a screen kept the old tally for the whole minute it was watched)."""
    assert isinstance(hub.store, FlakyStore)
    store = SqliteStore(tmp_path / "hub.sqlite3")  # another worker: the same log
    await store.open()
    other = Hub("ABCDEF", store, hub.broker, CountingPresenter(), HubSettings(window=0.01))
    await other.load()
    try:
        hub.store.fail_reads = 2  # the notice's catch-up and the first retry fail
        assert (await other.submit(Actor(Role.GUEST), Join("ben", "Ben", None), "j1")).ok
        await asyncio.wait_for(hub.reached(other.state.seq), 10)
        assert hub.store.fail_reads == 0
        assert sorted(hub.state.lobby.participants) == ["ben"]
        assert hub.state == replay(decode_entries(await hub.store.read("ABCDEF")))
    finally:
        await other.close()
        await store.close()


async def test_a_room_that_holds_a_refused_batch_rebuilds_itself_from_the_log(
    hub: Hub,
) -> None:
    """The append failed and the reload after it failed too: the state holds a batch
    the log does not, and any render would show it. The room rebuilds itself once
    the store answers again, without waiting for a command or a notice."""
    assert isinstance(hub.store, FlakyStore)
    hub.store.fail_next, hub.store.fail_reads = True, 2  # the reload and a retry fail
    refused = await hub.submit(Actor(Role.GUEST), Join("anna", "Anna", None), "j1")
    assert refused.reason == "store_unavailable"
    await until_replayed(hub)
    assert hub.store.fail_reads == 0
    assert "anna" not in hub.state.lobby.participants


class FlakyBroker(LocalBroker):
    """A broker whose next ``fail_publishes`` publishes fail."""

    fail_publishes = 0

    async def publish(self, room: str, seq: int) -> None:
        if self.fail_publishes:
            self.fail_publishes -= 1
            raise StoreError("Redis publish: Connection closed by server.")
        await super().publish(room, seq)


@contextlib.asynccontextmanager
async def room_on(path: Path, broker: Broker) -> AsyncIterator[Hub]:
    """A room of its own, on ``broker``: a store at ``path`` with the event created and
    the hub loaded; both closed after."""
    store = SqliteStore(path)
    await store.open()
    created = handle(RoomState(), CreateEvent("ABCDEF", "T"), Actor(Role.ADMIN), None, 0)
    await store.create_room("ABCDEF", encode_entry(created.envelopes[0]))
    the_hub = Hub("ABCDEF", store, broker, CountingPresenter(), HubSettings(window=0.01))
    await the_hub.load()
    try:
        yield the_hub
    finally:
        await the_hub.close()
        await store.close()


async def test_a_notice_that_could_not_be_published_is_published_again(tmp_path: Path) -> None:
    """The append is in the log but its notice was lost: the other workers would
    hear of it only with the next append, which in a quiet room may not come."""
    broker = FlakyBroker()
    heard: list[int] = []
    got = asyncio.Event()

    def hear(room: str, seq: int) -> None:
        heard.append(seq)
        got.set()

    stop = broker.subscribe("ABCDEF", hear)
    async with room_on(tmp_path / "announce.sqlite3", broker) as the_hub:
        broker.fail_publishes = 2  # the append's own and the first retry
        assert (await the_hub.submit(Actor(Role.GUEST), Join("anna", "Anna", None), "j1")).ok
        await asyncio.wait_for(got.wait(), 10)
        assert heard == [the_hub.state.seq]
        assert broker.fail_publishes == 0
    stop()


class GatedBroker(LocalBroker):
    """Publishes fail while ``failing``; one publish may hang at ``gate`` first."""

    def __init__(self) -> None:
        super().__init__()
        self.failing = False
        self.hold_next = False
        self.gate = asyncio.Event()
        self.held = asyncio.Event()  # a publish waits at the gate

    async def publish(self, room: str, seq: int) -> None:
        if self.hold_next:
            self.hold_next = False
            self.failing = True  # the publishes after it fail, until the test says
            self.held.set()
            await self.gate.wait()
        elif self.failing:
            raise StoreError("Redis publish: Connection closed by server.")
        await super().publish(room, seq)


async def test_a_notice_that_fails_while_an_earlier_one_is_retried_is_not_stranded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seq 2's publish failed; its retry hangs. Seq 3's publish fails meanwhile, and
    its timer fires while the retry of 2 still hangs, so it leaves 3 to that retry.
    When 2 goes through at last, 3 must still be published (a review's find: it was
    left for good, the timer gone)."""
    broker = GatedBroker()
    heard: list[int] = []
    async with room_on(tmp_path / "gated.sqlite3", broker) as the_hub:
        last = asyncio.Event()

        def hear(room: str, seq: int) -> None:
            heard.append(seq)
            if seq == the_hub.state.seq:
                last.set()

        broker.subscribe("ABCDEF", hear)
        writer = the_hub.writer
        fired = asyncio.Event()
        retry_now = writer._retry_now

        def retry_and_tell() -> None:  # the timer looks the method up when it is set
            retry_now()
            if broker.held.is_set():
                fired.set()

        monkeypatch.setattr(writer, "_retry_now", retry_and_tell)
        broker.failing = True
        assert (await the_hub.submit(Actor(Role.GUEST), Join("anna", "Anna", None), "j1")).ok
        broker.failing, broker.hold_next = False, True
        await asyncio.wait_for(broker.held.wait(), 10)  # the retry of seq 2 hangs
        assert (await the_hub.submit(Actor(Role.GUEST), Join("ben", "Ben", None), "j2")).ok
        await asyncio.wait_for(fired.wait(), 10)  # seq 3's timer, while 2 still hangs
        broker.failing = False
        broker.gate.set()
        await asyncio.wait_for(last.wait(), 10)
        assert heard[-1] == the_hub.state.seq


async def test_the_retries_of_a_publish_back_off_while_the_store_answers(
    tmp_path: Path,
) -> None:
    """Each retry also catches up, and a catch-up that works reset the delay: a
    broker that kept failing was tried every 0.2 s for good (a review's find)."""
    broker = FlakyBroker()
    tries = asyncio.Event()
    publish = broker.publish

    async def counted(room: str, seq: int) -> None:
        try:
            await publish(room, seq)
        finally:
            if broker.fail_publishes <= 997:  # the append's own and two retries failed
                tries.set()

    broker.publish = counted  # type: ignore[method-assign]
    async with room_on(tmp_path / "backoff.sqlite3", broker) as the_hub:
        broker.fail_publishes = 1000
        assert (await the_hub.submit(Actor(Role.GUEST), Join("anna", "Anna", None), "j1")).ok
        await asyncio.wait_for(tries.wait(), 10)
        await asyncio.gather(*the_hub.writer.running())  # the catch-ups that went with them
        assert the_hub.writer._retry_delay >= 1.6  # 0.2, 0.4, 0.8: the next one doubles again


async def until_replayed(hub: Hub, within: float = 10) -> None:
    """Wait until the hub's state is the log's again (read past the store's failures)."""
    assert isinstance(hub.store, FlakyStore)
    deadline = asyncio.get_running_loop().time() + within
    while hub.state != replay(decode_entries(await SqliteStore.read(hub.store, "ABCDEF"))):
        assert asyncio.get_running_loop().time() < deadline, "not rebuilt from the log"
        await asyncio.sleep(0.02)


async def test_a_command_that_raises_is_refused_with_its_batch_and_leaves_no_trace(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A defect in deciding one command (here a stand-in that raises) must not leave
    its batch's senders waiting for good, nor the state holding half the batch."""

    def handle_or_raise(
        state: RoomState, command: Command, actor: Actor, cid: str | None, now: int, limits: Limits
    ) -> Handled:
        if isinstance(command, Join) and command.name == "Boom":
            raise RuntimeError("a defect")
        return handle(state, command, actor, cid, now, limits)

    monkeypatch.setattr(writer_module, "handle", handle_or_raise)
    guest = Actor(Role.GUEST)
    async with asyncio.timeout(10):
        # one batch: anna is decided (and applied to the state) before boom raises
        anna, boom = await asyncio.gather(
            hub.submit(guest, Join("anna", "Anna", None), "j1"),
            hub.submit(guest, Join("boom", "Boom", None), "j2"),
        )
    assert (anna.ok, anna.reason) == (False, "store_unavailable")
    assert (boom.ok, boom.reason) == (False, "store_unavailable")
    assert hub.state == replay(decode_entries(await hub.store.read("ABCDEF")))
    assert "anna" not in hub.state.lobby.participants
    monkeypatch.undo()
    async with asyncio.timeout(10):
        again = await hub.submit(guest, Join("anna", "Anna", None), "j1")
    assert again.ok and hub.state.lobby.joined == 1


async def test_a_resend_after_success_is_answered_from_the_log(hub: Hub) -> None:
    guest = Actor(Role.GUEST)
    first = await hub.submit(guest, Join("anna", None, None), "same")
    again = await hub.submit(guest, Join("other", None, None), "same")
    assert again == first
    assert hub.state.lobby.joined == 1
    raw = await hub.store.read("ABCDEF")
    assert len(raw) == 2


async def test_outbox_keeps_only_the_latest_render_of_a_view() -> None:
    box = Outbox(limit=3)
    box.put("shared", "v1")
    box.put("ack:a", "ack a")
    box.put("shared", "v2")
    assert await box.next() == "ack a"
    assert await box.next() == "v2"
    assert len(box) == 0


async def test_outbox_overflow_is_reported() -> None:
    box = Outbox(limit=2)
    box.put("ack:1", "1")
    box.put("ack:2", "2")
    with pytest.raises(OutboxOverflow):
        box.put("ack:3", "3")


async def test_a_stuck_connection_is_given_up_without_holding_others() -> None:
    box = Outbox()
    box.put("shared", "v1")
    stuck_called = asyncio.Event()
    never = asyncio.Event()

    async def send(text: Message) -> None:
        await never.wait()

    async def on_stuck() -> None:
        stuck_called.set()

    await asyncio.wait_for(drain(box, send, 0.05, on_stuck), timeout=5)
    assert stuck_called.is_set()
    assert box.closed


async def test_presence_counts_people_not_connections(hub: Hub) -> None:
    await hub.submit(Actor(Role.GUEST), Join("anna", None, None), None)
    first = Subscriber("phone", "de", "anna", Outbox())
    second = Subscriber("phone", "de", "anna", Outbox())
    hub.attach(first)
    hub.attach(second)
    assert hub.online == frozenset({"anna"})
    hub.detach(first)
    assert hub.online == frozenset({"anna"})
    hub.detach(second)
    assert hub.online == frozenset()


async def test_entries_round_trip_through_the_store(hub: Hub) -> None:
    await hub.submit(Actor(Role.GUEST), Join("anna", "Anna", None), "x")
    raw = await hub.store.read("ABCDEF")
    import msgspec

    decoded = [msgspec.json.decode(r, type=Envelope) for r in raw]
    assert [e.seq for e in decoded] == [1, 2]
    assert decoded[1].cid == "x"


async def test_a_turn_given_holds_appends_until_another_workers_append_is_heard(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another worker asked for a turn: this hub's next batch waits, through a
    notice of what it already has, until the other's append is heard (the bound
    is an hour here, so only the notice can let it go)."""
    monkeypatch.setattr("server.writer.TURN_HOLD_S", 3600.0)
    hub.writer.give_turn()
    held = asyncio.ensure_future(hub.submit(Actor(Role.GUEST), Join("anna", None, None), "j1"))
    hub.writer.notice(hub.state.seq)  # nothing new: the turn is not taken yet
    done, _ = await asyncio.wait({held}, timeout=0.2)
    assert not done, "the batch went while another worker had the turn"
    assert hub.writer.turns_given == 1
    hub.writer.notice(hub.state.seq + 1)  # the other worker's append
    result = await asyncio.wait_for(held, 5)
    assert result.ok
    assert "anna" in hub.state.lobby.participants


async def test_close_waits_for_a_running_catch_up(tmp_path: Path) -> None:
    """``close`` returns only when the writer's catch-up is done, so the store can
    close under it (a cluster client re-opened its sockets for a late read)."""
    store = SlowReadStore(tmp_path / "close.sqlite3")
    await store.open()
    created = handle(RoomState(), CreateEvent("ABCDEF", "T"), Actor(Role.ADMIN), None, 0)
    await store.create_room("ABCDEF", encode_entry(created.envelopes[0]))
    the_hub = Hub("ABCDEF", store, LocalBroker(), CountingPresenter(), HubSettings())
    await the_hub.load()
    store.gate = asyncio.Event()
    the_hub.writer.notice(the_hub.state.seq + 1)  # another worker appended: catch up
    await asyncio.wait_for(store.reading.wait(), 5)
    closing = asyncio.ensure_future(the_hub.close())
    done, _ = await asyncio.wait({closing}, timeout=0.2)
    assert not done, "close returned with a read in flight"
    store.gate.set()
    await asyncio.wait_for(closing, 5)
    assert not the_hub.writer.running()
    assert store.reads_done == 1
    await store.close()


class SlowReadStore(SqliteStore):
    """A read that waits at ``gate`` (when set) until the test opens it."""

    gate: asyncio.Event | None = None
    reads_done = 0

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.reading = asyncio.Event()

    async def read(self, room: str, after: int = 0) -> list[bytes]:
        if self.gate is not None:
            self.reading.set()
            await self.gate.wait()
            self.reads_done += 1
        return await super().read(room, after)
