"""The agenda: phases, one current phase, timers as timestamps, carrying clusters forward."""

from __future__ import annotations

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from rooms.actions.domain import CreateAction
from rooms.agenda.domain import (
    AddPhase,
    Agenda,
    AutoPolls,
    BoardsFromPrompts,
    Carry,
    EditPrompt,
    ExtendPhase,
    MovePhase,
    NextPhase,
    PausePhase,
    PhaseStarted,
    PhaseStatus,
    PreviousPhase,
    RemovePhase,
    ResumePhase,
    StartPhase,
    UpdatePhase,
)
from rooms.agenda.views import agenda_view
from rooms.base import Actor, Role
from rooms.ideas.domain import BoardSettings, CreateBoard, CreateCluster, PostIdea, VoteDots
from rooms.ideas.dots import DotsOn
from rooms.lobby.domain import Join
from rooms.polls.domain import (
    ClosePoll,
    CreatePoll,
    OpenPoll,
    PollClosed,
    PollKind,
    PollOpened,
    PollStatus,
    SealPoll,
)
from rooms.report.build import build_report
from rooms.room import Command, Envelope, Handled, handle, replay
from rooms.views import public_view
from tests.rooms.helpers import T0, new_room
from tests.rooms.strategies import agenda_commands, cids

MOD = Actor(Role.MODERATOR)
MINUTE = 60_000


def who(pid: str) -> Actor:
    return Actor(Role.PARTICIPANT, pid)


class Room:
    def __init__(self) -> None:
        self.state, self.log = new_room()
        self.clock = T0

    def do(self, actor: Actor, command: Command, cid: str | None = None, ms: int = 1000) -> Handled:
        self.clock += ms
        handled = handle(self.state, command, actor, cid, self.clock)
        self.log.extend(handled.envelopes)
        return handled

    def mod(self, command: Command, ms: int = 1000) -> Handled:
        return self.do(MOD, command, ms=ms)

    @property
    def agenda(self) -> Agenda:
        return self.state.agenda


def three_phases(room: Room) -> list[str]:
    ids = []
    for title, minutes in (("Begrüßung", 10), ("Kritikphase", 20), ("Fantasiephase", 30)):
        handled = room.mod(AddPhase(title=title, minutes=minutes))
        assert handled.ok and handled.id is not None
        ids.append(handled.id)
    return ids


def test_only_the_moderator_edits_and_runs_the_agenda() -> None:
    room = Room()
    room.do(Actor(Role.GUEST), Join("p1", "Ada", None))
    for actor in (who("p1"), Actor(Role.SCREEN), Actor(Role.GUEST)):
        handled = room.do(actor, AddPhase(title="X"))
        assert (handled.ok, handled.reason) == (False, "not_allowed")
    assert room.mod(AddPhase(title="X")).ok


def test_phases_are_added_moved_updated_and_removed_in_order() -> None:
    room = Room()
    a, b, c = three_phases(room)
    assert room.agenda.order == [a, b, c]
    assert room.mod(MovePhase(phase=c, to=0)).ok
    assert room.agenda.order == [c, a, b]
    assert room.mod(UpdatePhase(phase=a, title=" Willkommen ", activities=["poll:p1"])).ok
    assert room.agenda.phases[a].title == "Willkommen"
    assert room.agenda.phases[a].activities == ["poll:p1"]
    assert room.agenda.phases[a].minutes == 10
    assert room.mod(RemovePhase(phase=b)).ok
    assert room.agenda.order == [c, a]
    inserted = room.mod(AddPhase(title="Pause", minutes=5, position=1))
    assert room.agenda.order == [c, inserted.id, a]


def test_bad_phases_are_refused_with_a_reason() -> None:
    room = Room()
    assert room.mod(AddPhase(title=" ")).reason == "phase_title_missing"
    assert room.mod(AddPhase(title="x" * 121)).reason == "phase_title_too_long"
    assert room.mod(AddPhase(title="X", minutes=0)).reason == "phase_minutes_invalid"
    assert room.mod(AddPhase(title="X", activities=["poll"])).reason == "phase_activity_invalid"
    assert room.mod(AddPhase(title="X", screen="disco")).reason == "phase_screen_invalid"
    assert room.mod(NextPhase()).reason == "agenda_empty"
    assert room.mod(StartPhase(phase="a9")).reason == "phase_not_found"
    assert room.mod(ExtendPhase(minutes=5)).reason == "agenda_not_started"


def test_next_and_previous_walk_the_plan_and_keep_the_times() -> None:
    room = Room()
    a, b, c = three_phases(room)
    room.mod(NextPhase())  # not begun: the first phase
    begun = room.clock
    assert room.agenda.current == a
    assert room.agenda.phases[a].ends_at == begun + 10 * MINUTE
    room.mod(NextPhase(), ms=12 * MINUTE)  # two minutes late
    assert room.agenda.current == b
    assert room.agenda.phases[a].status is PhaseStatus.DONE
    assert room.agenda.phases[a].ended_at == room.clock
    view = agenda_view(room.agenda, "moderator")
    assert view.behind_ms == 2 * MINUTE
    assert view.phases[1].planned_start == begun + 10 * MINUTE
    room.mod(NextPhase())
    assert room.mod(NextPhase()).reason == "agenda_at_end"
    room.mod(PreviousPhase())
    assert room.agenda.current == b
    room.mod(StartPhase(phase=a))
    assert room.mod(PreviousPhase()).reason == "agenda_at_start"
    assert room.mod(RemovePhase(phase=a)).reason == "phase_is_current"
    assert [p.status for p in room.agenda.in_order()].count(PhaseStatus.RUNNING) == 1
    assert room.agenda.phases[c].status is PhaseStatus.DONE


def test_pause_resume_and_extend_move_the_end() -> None:
    room = Room()
    a, *_ = three_phases(room)
    room.mod(StartPhase(phase=a))
    ends = room.agenda.phases[a].ends_at
    assert ends is not None
    room.mod(PausePhase(), ms=MINUTE)
    phase = room.agenda.phases[a]
    assert phase.status is PhaseStatus.PAUSED
    assert phase.remaining == ends - room.clock
    assert room.mod(PausePhase()).ok  # already paused: nothing happens
    room.mod(ResumePhase(), ms=3 * MINUTE)
    assert room.agenda.phases[a].status is PhaseStatus.RUNNING  # (mypy kept PAUSED narrowed)
    assert phase.ends_at == ends + 3 * MINUTE + 1000
    room.mod(ExtendPhase(minutes=5))
    assert phase.ends_at == ends + 8 * MINUTE + 1000
    assert agenda_view(room.agenda, "moderator").behind_ms == 8 * MINUTE + 1000


def test_the_notes_and_the_plan_are_for_the_console_only() -> None:
    room = Room()
    room.mod(AddPhase(title="Begrüßung", notes="Mikro prüfen"))
    room.mod(NextPhase())
    phone = public_view(room.state, 0, "participant").agenda
    console = agenda_view(room.agenda, "moderator")
    assert phone.phases[0].notes is None and phone.behind_ms is None
    assert console.phases[0].notes == "Mikro prüfen"


def test_phones_see_the_current_activities_first_and_earlier_ones_before() -> None:
    room = Room()
    room.mod(AddPhase(title="Kritik", activities=["board:b1"]))
    room.mod(AddPhase(title="Fantasie", activities=["board:b2", "qna:s1"]))
    room.mod(AddPhase(title="Verwirklichung", activities=["actions"]))
    room.mod(AddPhase(title="Abschluss", activities=["poll:p1"]))
    room.mod(StartPhase(phase="a3"))
    view = agenda_view(room.agenda, "participant")
    assert (view.now, view.before, view.later) == (["actions"], ["ideas", "qna"], ["polls"])


def _board_with_clusters(room: Room) -> None:
    room.do(Actor(Role.GUEST), Join("p1", "Ada", None))
    room.mod(CreateBoard(prompt="Was läuft schief?"))
    for text in ("Bürokratie", "Lärm", "Kein Bus", "Zu teuer"):
        room.do(who("p1"), PostIdea(board="b1", text=text))
    room.mod(CreateCluster(board="b1", name="Verwaltung", ideas=["i1"]))
    room.mod(CreateCluster(board="b1", name="Verkehr", ideas=["i2", "i3"]))
    room.mod(CreateCluster(board="b1", name="Kosten", ideas=["i4"]))


def test_carry_turns_the_top_clusters_into_prompts_once() -> None:
    room = Room()
    _board_with_clusters(room)
    room.mod(BoardSettings(board="b1", dots_open=True))
    assert room.do(who("p1"), VoteDots(board="b1", points={"c3": 3})).ok
    _, b, _ = three_phases(room)
    assert room.mod(Carry(from_board="b1", to_phase=b, top=2)).ok
    prompts = room.agenda.phases[b].prompts
    assert [(p.text, p.board, p.cluster) for p in prompts] == [
        ("Kosten", "b1", "c3"),  # the most dots
        ("Verkehr", "b1", "c2"),  # then the most cards
    ]
    again = room.mod(Carry(from_board="b1", to_phase=b, top=2))
    assert again.ok and not again.envelopes
    room.mod(Carry(from_board="b1", to_phase=b, top=3))
    assert [p.cluster for p in room.agenda.phases[b].prompts] == ["c3", "c2", "c1"]
    first = prompts[0].id
    assert room.mod(EditPrompt(phase=b, prompt=first, text="Stellen Sie sich vor: günstig")).ok
    assert room.agenda.phases[b].prompts[0].text == "Stellen Sie sich vor: günstig"
    assert room.mod(EditPrompt(phase=b, prompt=first, text=" ")).reason == "prompt_text_missing"
    assert room.mod(Carry(from_board="b9", to_phase=b)).reason == "board_not_found"


def test_starting_a_phase_puts_its_screen_on_the_projector() -> None:
    room = Room()
    room.mod(CreateBoard(prompt="Was läuft schief?"))
    room.mod(AddPhase(title="Begrüßung"))
    room.mod(AddPhase(title="Kritik", activities=["board:b1"], screen="board:b1"))
    room.mod(AddPhase(title="Fragen", activities=["speakers"], screen="speakers"))
    room.mod(NextPhase())
    assert room.state.lobby.screen == "agenda"
    room.mod(NextPhase())
    assert (room.state.lobby.screen, room.state.ideas.screen_board) == ("ideas", "b1")
    room.mod(NextPhase())
    assert room.state.lobby.screen == "speakers"


# --- properties -----------------------------------------------------------------

scripts = st.lists(st.tuples(agenda_commands, cids), min_size=5, max_size=40)


def _run(script: list[tuple[tuple[Actor, Command], str | None]]) -> Room:
    room = Room()
    room.do(Actor(Role.GUEST), Join("p0", "Ada", None))
    _board_with_clusters_for(room)
    for (actor, command), cid in script:
        room.do(actor, command, cid, ms=7000)
    return room


def _board_with_clusters_for(room: Room) -> None:
    """A board with two clusters and two phases to start from (a1, a2)."""
    room.mod(CreateBoard(prompt="Sorgen?"))
    room.do(who("p0"), PostIdea(board="b1", text="Lärm"))
    room.do(who("p0"), PostIdea(board="b1", text="Kein Bus"))
    room.mod(CreateCluster(board="b1", name="Verkehr", ideas=["i1"]))
    room.mod(CreateCluster(board="b1", name="Bus", ideas=["i2"]))
    room.mod(AddPhase(title="Kritikphase", activities=["board:b1"]))
    room.mod(AddPhase(title="Fantasiephase"))


@settings(max_examples=150, deadline=None)
@given(scripts)
def test_there_is_exactly_one_current_phase_once_begun(script: list) -> None:  # type: ignore[type-arg]
    room = _run(script)
    agenda = room.agenda
    live = [p for p in agenda.in_order() if p.status in (PhaseStatus.RUNNING, PhaseStatus.PAUSED)]
    assert sorted(agenda.order) == sorted(agenda.phases)
    if agenda.current is None:
        assert live == []
    else:
        assert [p.id for p in live] == [agenda.current]
        assert agenda.current in agenda.order
    if agenda.began_at is not None:
        assert agenda.current is not None


@settings(max_examples=100, deadline=None)
@given(scripts)
def test_replay_gives_the_same_times(script: list) -> None:  # type: ignore[type-arg]
    room = _run(script)
    again = replay(room.log)
    assert msgspec.to_builtins(again.agenda) == msgspec.to_builtins(room.agenda)
    for audience in ("screen", "participant", "moderator"):
        assert agenda_view(again.agenda, audience) == agenda_view(room.agenda, audience)


@settings(max_examples=100, deadline=None)
@given(scripts, st.sampled_from(["a1", "a2"]), st.integers(1, 4))
def test_carrying_twice_is_carrying_once(script: list, phase: str, top: int) -> None:  # type: ignore[type-arg]
    room = _run(script)
    first = room.mod(Carry(from_board="b1", to_phase=phase, top=top))
    before = msgspec.to_builtins(room.agenda.phases.get(phase))
    second = room.mod(Carry(from_board="b1", to_phase=phase, top=top))
    assert second.reason == first.reason
    assert second.envelopes == []
    assert msgspec.to_builtins(room.agenda.phases.get(phase)) == before


def test_a_phase_never_puts_a_draft_poll_on_the_projector() -> None:
    room = Room()
    room.mod(CreatePoll(kind=PollKind.SINGLE, question="Weiter so?", options=["Ja", "Nein"]))
    room.mod(
        AddPhase(
            title="Abschluss", activities=["poll:p1"], screen="poll:p1", auto_polls=AutoPolls.OFF
        )
    )
    room.mod(AddPhase(title="Fragen", activities=["qna:s1"], screen="qna"))
    room.mod(NextPhase())
    assert (room.state.lobby.screen, room.state.lobby.screen_poll) == ("agenda", None)
    room.mod(NextPhase())
    assert room.state.lobby.screen == "agenda"  # no Q&A session yet
    room.mod(OpenPoll("p1"))
    room.mod(PreviousPhase())
    assert (room.state.lobby.screen, room.state.lobby.screen_poll) == ("poll", "p1")


def test_the_report_chain_follows_a_prompt_to_the_actions_of_its_phase() -> None:
    """Critique cluster → prompt → actions made from the cluster itself, or from a card or
    cluster of the board the prompt's phase showed (the fantasy board); never from a board
    of another phase."""
    room = Room()
    _board_with_clusters(room)  # b1: the critique, clusters c1 … c3
    room.mod(AddPhase(title="Kritik", activities=["board:b1"]))
    room.mod(AddPhase(title="Fantasie", activities=["board:b2"]))
    room.mod(AddPhase(title="Verwirklichung", activities=["actions", "board:b3"]))
    room.mod(CreateBoard(prompt="Stellen Sie sich vor …"))  # b2
    room.mod(CreateBoard(prompt="Sonstiges"))  # b3, shown in another phase
    assert room.mod(Carry(from_board="b1", to_phase="a2", top=1)).ok
    room.do(who("p1"), PostIdea(board="b2", text="Ein Bürgerbüro für Betriebe"))  # i5
    room.mod(CreateCluster(board="b2", name="Lotsen", ideas=["i5"]))  # c4
    room.do(who("p1"), PostIdea(board="b3", text="Parkplätze"))  # i6
    room.mod(CreateAction(title="Direkt", source="c2"))
    room.mod(CreateAction(title="Aus der Fantasie", source="c4"))
    room.mod(CreateAction(title="Aus einer Karte", source="i5"))
    room.mod(CreateAction(title="Anderswo", source="i6"))
    room.mod(CreateAction(title="Ohne Herkunft"))
    report = build_report(room.state, (), room.clock, {}, sections=["chain"])
    assert report.chain is not None
    [link] = report.chain
    assert (link.cluster, link.phase) == ("Verkehr", "Fantasie")
    assert link.actions == ["Direkt", "Aus der Fantasie", "Aus einer Karte"]


# --- a phase's polls open (and close) with it ---------------------------------


def _polls(room: Room, n: int) -> list[str]:
    made = []
    for k in range(n):
        handled = room.mod(
            CreatePoll(kind=PollKind.SINGLE, question=f"Frage {k}?", options=["Ja", "Nein"])
        )
        assert handled.id is not None
        made.append(handled.id)
    return made


def _status(room: Room) -> dict[str, PollStatus]:
    return {p: poll.status for p, poll in room.state.polls.by_id.items()}


def test_a_phase_opens_its_polls_when_it_starts_and_the_log_says_so() -> None:
    room = Room()
    p1, p2, p3 = _polls(room, 3)
    room.mod(AddPhase(title="Begrüßung"))
    room.mod(
        AddPhase(title="Abschluss", activities=[f"poll:{p1}", f"poll:{p2}"], screen=f"poll:{p1}")
    )
    room.mod(NextPhase())
    assert set(_status(room).values()) == {PollStatus.DRAFT}
    started = room.mod(NextPhase())
    events = [e.event for e in started.envelopes]
    # One command, several entries: the phase, then its polls, then the projector.
    assert [type(e).__name__ for e in events][:3] == ["PhaseStarted", "PollOpened", "PollOpened"]
    assert {e.poll for e in events if isinstance(e, PollOpened)} == {p1, p2}
    assert [e.part for e in started.envelopes] == list(range(len(events)))
    assert _status(room) == {p1: PollStatus.OPEN, p2: PollStatus.OPEN, p3: PollStatus.DRAFT}
    # The poll it opens may take the projector: it is no longer a draft there.
    assert (room.state.lobby.screen, room.state.lobby.screen_poll) == ("poll", p1)
    again = replay(room.log)
    assert {p: poll.status for p, poll in again.polls.by_id.items()} == _status(room)


def test_replay_reads_the_openings_from_the_log_and_does_not_derive_them() -> None:
    room = Room()
    (p1,) = _polls(room, 1)
    room.mod(AddPhase(title="Abstimmung", activities=[f"poll:{p1}"]))
    room.mod(NextPhase())
    assert _status(room) == {p1: PollStatus.OPEN}
    # Without the logged poll.opened, the same start leaves the poll alone in a replay.
    kept = [e for e in room.log if not isinstance(e.event, PollOpened)]
    without = [msgspec.structs.replace(e, seq=n) for n, e in enumerate(kept, start=1)]
    assert replay(without).polls.by_id[p1].status is PollStatus.DRAFT
    assert replay(room.log).polls.by_id[p1].status is PollStatus.OPEN


def test_open_close_closes_the_polls_when_the_phase_ends_unless_the_next_shows_them() -> None:
    room = Room()
    p1, p2 = _polls(room, 2)
    both = [f"poll:{p1}", f"poll:{p2}"]
    room.mod(AddPhase(title="Vorher", activities=both, auto_polls=AutoPolls.OPEN_CLOSE))
    room.mod(AddPhase(title="Nachher", activities=[f"poll:{p2}"], auto_polls=AutoPolls.OFF))
    room.mod(AddPhase(title="Ende"))
    room.mod(NextPhase())
    assert _status(room) == {p1: PollStatus.OPEN, p2: PollStatus.OPEN}
    ended = room.mod(NextPhase())
    assert [e.event for e in ended.envelopes if isinstance(e.event, PollClosed)] == [PollClosed(p1)]
    assert _status(room) == {p1: PollStatus.CLOSED, p2: PollStatus.OPEN}
    room.mod(NextPhase())  # "Nachher" is off: it closes nothing
    assert _status(room) == {p1: PollStatus.CLOSED, p2: PollStatus.OPEN}
    room.mod(StartPhase(phase="a1"))  # going back opens the closed poll again
    assert _status(room) == {p1: PollStatus.OPEN, p2: PollStatus.OPEN}
    room.mod(NextPhase())  # p1 closes again; sealed, it stays closed for good
    assert room.mod(SealPoll(p1)).ok
    started = room.mod(StartPhase(phase="a1"))
    assert all(e.event.poll != p1 for e in started.envelopes if isinstance(e.event, PollOpened))
    assert _status(room)[p1] is PollStatus.CLOSED


def test_a_moderator_can_opt_a_phase_out() -> None:
    room = Room()
    (p1,) = _polls(room, 1)
    room.mod(AddPhase(title="Abstimmung", activities=[f"poll:{p1}"], auto_polls=AutoPolls.OFF))
    started = room.mod(NextPhase())
    assert not [e for e in started.envelopes if isinstance(e.event, PollOpened)]
    assert _status(room) == {p1: PollStatus.DRAFT}
    room.mod(AddPhase(title="Zweite", activities=[f"poll:{p1}"]))
    assert room.mod(UpdatePhase(phase="a2", auto_polls=AutoPolls.OFF)).ok
    assert room.agenda.phases["a2"].auto_polls is AutoPolls.OFF
    room.mod(NextPhase())
    assert _status(room) == {p1: PollStatus.DRAFT}
    # An update that leaves auto_polls out keeps it.
    room.mod(UpdatePhase(phase="a2", title="Zweite Runde"))
    assert room.agenda.phases["a2"].auto_polls is AutoPolls.OFF


def test_an_open_poll_and_a_gone_poll_are_left_alone() -> None:
    room = Room()
    (p1,) = _polls(room, 1)
    room.mod(OpenPoll(p1))
    room.mod(
        AddPhase(title="A", activities=[f"poll:{p1}", "poll:p9"], auto_polls=AutoPolls.OPEN_CLOSE)
    )
    room.mod(AddPhase(title="B"))
    started = room.mod(NextPhase())
    assert not [e for e in started.envelopes if isinstance(e.event, PollOpened | PollClosed)]
    assert isinstance(started.envelopes[0].event, PhaseStarted)
    room.mod(ClosePoll(p1))  # closed by hand meanwhile: the end has nothing to close
    ended = room.mod(NextPhase())
    assert not [e for e in ended.envelopes if isinstance(e.event, PollOpened | PollClosed)]


def test_old_phase_entries_without_auto_polls_open_nothing() -> None:
    """A log from before the rule: its phase_added has no auto_polls, and means "off"."""
    room = Room()
    (p1,) = _polls(room, 1)
    room.mod(AddPhase(title="Alt", activities=[f"poll:{p1}"]))
    raw = msgspec.json.encode(room.log)
    old = raw.replace(b',"auto_polls":"open"', b"")
    assert old != raw
    state = replay(msgspec.json.decode(old, type=list[Envelope]))
    assert state.agenda.phases["a1"].auto_polls is AutoPolls.OFF


# --- "Wie könnten wir …?": a board per prompt ------------------------------------


def test_each_prompt_gets_its_own_board_in_the_ideation_phase_and_later_ones() -> None:
    room = Room()
    _board_with_clusters(room)  # b1 with clusters c1 … c3
    room.mod(CreateBoard(prompt="Ideen zu unseren Fragen", dots=3, dots_on=DotsOn.IDEAS))  # b2
    room.mod(AddPhase(title="Verstehen", activities=["board:b1"]))  # a1
    room.mod(AddPhase(title="Definieren"))  # a2
    room.mod(AddPhase(title="Ideen entwickeln", activities=["board:b2"]))  # a3
    room.mod(AddPhase(title="Entscheiden", activities=["board:b2"]))  # a4
    room.mod(AddPhase(title="Nächste Schritte", activities=["actions"]))  # a5
    room.mod(Carry(from_board="b1", to_phase="a2", top=2))
    first = room.agenda.phases["a2"].prompts[0].id
    room.mod(EditPrompt(phase="a2", prompt=first, text="Wie könnten wir Wege kürzen?"))
    made = room.mod(BoardsFromPrompts(from_phase="a2", to_phase="a3"))
    assert made.ok
    kinds = [type(e.event).__name__ for e in made.envelopes]
    assert kinds == ["BoardCreated", "BoardCreated", "PromptBoardsMade"]
    boards = room.state.ideas.by_id
    assert [boards[b].prompt for b in ("b3", "b4")] == [
        "Wie könnten wir Wege kürzen?",
        "Verwaltung",
    ]
    assert boards["b3"].dots == boards["b2"].dots  # the ideation board's dots, closed
    assert [p.made for p in room.agenda.phases["a2"].prompts] == ["b3", "b4"]
    assert room.agenda.phases["a3"].activities == ["board:b2", "board:b3", "board:b4"]
    assert room.agenda.phases["a4"].activities == ["board:b2", "board:b3", "board:b4"]
    assert room.agenda.phases["a5"].activities == ["actions"]
    # Asking again makes nothing; a prompt carried later gets its board then.
    again = room.mod(BoardsFromPrompts(from_phase="a2", to_phase="a3"))
    assert again.ok and not again.envelopes
    room.mod(Carry(from_board="b1", to_phase="a2", top=3))
    room.mod(BoardsFromPrompts(from_phase="a2", to_phase="a3"))
    assert room.agenda.phases["a3"].activities[-1] == "board:b5"
    assert replay(room.log).agenda == room.agenda
    assert msgspec.to_builtins(replay(room.log).ideas) == msgspec.to_builtins(room.state.ideas)


def test_boards_from_prompts_keeps_to_the_limits() -> None:
    room = Room()
    _board_with_clusters(room)
    room.mod(AddPhase(title="Definieren"))  # a1
    refs = [f"qna:s{n}" for n in range(1, 8)]
    room.mod(AddPhase(title="Voll", activities=refs))  # a2: 7 of 8 references
    assert room.mod(BoardsFromPrompts(from_phase="a1", to_phase="a9")).reason == "phase_not_found"
    assert room.mod(BoardsFromPrompts(from_phase="a1", to_phase="a2")).envelopes == []  # no prompts
    room.mod(Carry(from_board="b1", to_phase="a1", top=3))
    room.mod(BoardsFromPrompts(from_phase="a1", to_phase="a2"))
    assert len(room.agenda.phases["a2"].activities) == 8
    assert [p.made for p in room.agenda.phases["a1"].prompts] == ["b2", None, None]
    refused = room.mod(BoardsFromPrompts(from_phase="a1", to_phase="a2"))
    assert refused.reason == "phase_activity_invalid"
    assert room.do(who("p1"), BoardsFromPrompts(from_phase="a1", to_phase="a2")).reason == (
        "not_allowed"
    )
