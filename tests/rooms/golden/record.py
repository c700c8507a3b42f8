"""Record the golden log: one event that uses every activity, through ``rooms.room.handle``.

Run ``python -m tests.rooms.golden.record`` to write
``tests/data/golden/every_activity.log.json`` (the log, one envelope per line)
and ``every_activity.views.json`` (the views at a few checkpoints). Do that
only on purpose: the stored files are what later releases are held to (see
"Events that last" in docs/architecture.md). Times, client ids and participant
ids are fixed, and nothing is random, so recording again on the same code
writes the same bytes; ``test_golden_log.py`` checks that as well.

Every command must be accepted and write at least one event; a refusal or a
no-op here is a bug in this script, so it stops with the reason. When it
writes the files, every event type of the release must be in the log.
"""

from __future__ import annotations

import json
import typing
from pathlib import Path
from typing import Any

import msgspec

from rooms.actions.domain import CreateAction, DeleteAction, JoinAction, LeaveAction
from rooms.base import Actor, Role
from rooms.cafe.domain import (
    CheckIn,
    CreateCafe,
    EndRound,
    ExtendRound,
    MovePerson,
    PauseRound,
    Replan,
    ResumeRound,
    SetHost,
    StartRound,
    TableSpec,
    WriteNote,
)
from rooms.ideas.domain import (
    AcceptProposal,
    ApproveIdea,
    AssignIdea,
    BoardMode,
    BoardSettings,
    CreateBoard,
    CreateCluster,
    DeleteCluster,
    DeleteIdea,
    DiscardProposal,
    EditIdea,
    HideIdea,
    MergeIdea,
    PostIdea,
    ProposeClusters,
    RenameCluster,
    ScreenView,
    ShowBoard,
    VoteDots,
)
from rooms.ideas.dots import DotsOn
from rooms.lobby.domain import (
    ChangeModeratorKey,
    CloseEvent,
    CreateEvent,
    Format,
    Join,
    Language,
    Leave,
    OrganisationType,
    Rename,
    ReopenEvent,
    ScreenMode,
    ShowOnScreen,
)
from rooms.polls.domain import (
    ClosePoll,
    CreatePoll,
    DeletePoll,
    DuplicatePoll,
    HideAnswer,
    HideWord,
    MovePoll,
    OpenPoll,
    PollKind,
    ResetPoll,
    UpdatePoll,
    Vote,
)
from rooms.room import Command, Envelope, Event, RoomState, apply, handle
from tests.rooms.golden.views import golden_views

NAME = "every_activity"
DATA = Path(__file__).resolve().parents[2] / "data" / "golden"
LOG_FILE = DATA / f"{NAME}.log.json"
VIEWS_FILE = DATA / f"{NAME}.views.json"

T0 = 1_773_475_200_000  # 2026-03-14 08:00 UTC
SECOND = 1000
MINUTE = 60 * SECOND

ADMIN = Actor(Role.ADMIN)
MOD = Actor(Role.MODERATOR)
GUEST = Actor(Role.GUEST)


def who(pid: str) -> Actor:
    return Actor(Role.PARTICIPANT, pid)


class Recording(msgspec.Struct):
    """The log as written, and the views at each checkpoint (name, seq, views)."""

    log: list[Envelope]
    checkpoints: list[tuple[str, int, dict[str, Any]]]


class Recorder:
    """Drives one room the way the hub does: ``handle``, then keep the envelopes."""

    def __init__(self) -> None:
        self.state = RoomState()
        self.log: list[Envelope] = []
        self.now = T0
        self.steps = 0
        self.checkpoints: list[tuple[str, int, dict[str, Any]]] = []

    def do(self, actor: Actor, command: Command, cid: str | None = "auto") -> str | None:
        """Handle one command a few seconds after the last; returns the id it created."""
        self.steps += 1
        self.now += 5 * SECOND
        if cid == "auto":
            cid = f"c{self.steps:03d}"
        handled = handle(self.state, command, actor, cid, self.now)
        if not handled.ok:
            raise AssertionError(f"step {self.steps} {command!r} refused: {handled.reason}")
        if not handled.envelopes:
            raise AssertionError(f"step {self.steps} {command!r} changed nothing")
        self.log.extend(handled.envelopes)
        return handled.id

    def wait(self, ms: int) -> None:
        self.now += ms

    def duplicate(self, seq: int) -> None:
        """Append a second copy of a logged command, as two workers racing on a resend would."""
        original = self.log[seq - 1]
        assert original.cid is not None and original.part == 0
        copy = Envelope(self.state.seq + 1, self.now, original.actor, original.cid, original.event)
        assert apply(self.state, copy) == set()
        self.log.append(copy)

    def checkpoint(self, name: str) -> None:
        self.checkpoints.append((name, self.state.seq, golden_views(self.state)))


def _lobby(r: Recorder) -> None:
    r.do(
        ADMIN,
        CreateEvent(
            "K7M2QX",
            "Zukunftsdialog  Industrie Region Süd",
            Format.ZUKUNFTSWERKSTATT,
            Language.DE,
            "2026-03-14",
            "hash-0",
        ),
        cid=None,
    )
    r.do(MOD, ChangeModeratorKey("hash-1"))
    people = [
        ("p01", "Anna Berger", OrganisationType.BUSINESS),
        ("p02", "Bora Yilmaz", OrganisationType.UNION),
        ("p03", "Carl Hoffmann", OrganisationType.CHAMBER),
        ("p04", None, OrganisationType.PUBLIC),  # anonymous
        ("p05", "Emil  Schulz ", OrganisationType.RESEARCH),
        ("p06", "Fenna Okafor", OrganisationType.CIVIL_SOCIETY),
        ("p07", "   ", None),  # an empty name is anonymous; no type either
        ("p09", "Ivo Petrov", OrganisationType.BUSINESS),
    ]
    for pid, name, org in people:
        r.do(GUEST, Join(pid, name, org))
    r.do(who("p05"), Rename("Emil Schulz-Roth", OrganisationType.PUBLIC))
    r.do(MOD, ShowOnScreen(ScreenMode.BLANK))
    r.do(MOD, ShowOnScreen(ScreenMode.WELCOME), cid=None)


def _polls(r: Recorder) -> None:
    arrival = ["Bahn", "Auto", "Fahrrad", "Zu Fuß"]
    p1 = r.do(
        MOD,
        CreatePoll(
            kind=PollKind.SINGLE,
            question="Wie sind Sie heute angereist?",
            options=arrival,
            anonymous=False,
            results_on_phones=True,
        ),
    )
    r.do(
        MOD,
        UpdatePoll(
            poll=p1 or "",
            kind=PollKind.SINGLE,
            question="Wie sind Sie heute  hierher gekommen?",
            options=[*arrival, " "],
            anonymous=False,
            results_on_phones=True,
        ),
    )
    p2 = r.do(
        MOD,
        CreatePoll(
            kind=PollKind.MULTIPLE,
            question="Welche Themen brennen Ihnen unter den Nägeln?",
            options=["Fachkräfte", "Energiepreise", "Bürokratie", "Mobilität", "Wohnen"],
            max_choices=2,
            hide_results=True,
        ),
    )
    p3 = r.do(
        MOD,
        CreatePoll(
            kind=PollKind.SCALE,
            question="Wie zuversichtlich sind Sie für die Region?",
            scale_min=0,
            scale_max=10,
            min_label="gar nicht",
            max_label="sehr",
            results_on_phones=True,
        ),
    )
    p4 = r.do(
        MOD,
        CreatePoll(
            kind=PollKind.RANKING,
            question="Was soll die Region zuerst angehen?",
            options=["Breitband", "Gewerbeflächen", "ÖPNV", "Kitas"],
        ),
    )
    p5 = r.do(
        MOD,
        CreatePoll(
            kind=PollKind.POINTS,
            question="Verteilen Sie 10 Punkte auf die Vorhaben",
            options=["Technologiepark", "Azubi-Wohnheim", "Radweg"],
            budget=10,
            max_per_option=6,
            anonymous=False,
        ),
    )
    p6 = r.do(
        MOD,
        CreatePoll(
            kind=PollKind.TEXT,
            question="Ein Satz zur Zukunft der Arbeit hier:",
            results_on_phones=True,
        ),
    )
    copy = r.do(MOD, DuplicatePoll(p1 or ""))
    r.do(MOD, MovePoll(copy or "", 6))
    r.do(MOD, DeletePoll(copy or ""))
    r.do(MOD, CreatePoll(question="Nächstes Treffen: Frühjahr oder Herbst?", options=["F", "H"]))
    assert [p1, p2, p3, p4, p5, p6] == ["p1", "p2", "p3", "p4", "p5", "p6"]

    r.do(MOD, OpenPoll("p1"))
    r.do(MOD, ShowOnScreen(ScreenMode.POLL, "p1"))
    for pid, choice in [("p01", "o1"), ("p02", "o2"), ("p03", "o1"), ("p04", "o3")]:
        r.do(who(pid), Vote(poll="p1", choice=choice))
    r.do(who("p09"), Vote(poll="p1", choice="o4"))
    vote_seq = r.state.seq
    r.do(who("p02"), Vote(poll="p1", choice="o1"))  # changed their mind
    r.duplicate(vote_seq)  # p09's vote, appended twice: counts once
    r.do(MOD, ClosePoll("p1"))
    r.do(MOD, OpenPoll("p1"))  # re-opened for a latecomer
    r.do(who("p05"), Vote(poll="p1", choice="o2"))
    r.do(MOD, ClosePoll("p1"))

    r.do(MOD, OpenPoll("p2"))
    r.do(MOD, ShowOnScreen(ScreenMode.POLL, "p2"))
    for pid, choices in [
        ("p01", ["o1", "o2"]),
        ("p02", ["o1", "o3"]),
        ("p03", ["o3"]),
        ("p06", ["o5", "o1"]),
    ]:
        r.do(who(pid), Vote(poll="p2", choices=choices))

    r.do(MOD, OpenPoll("p3"))
    for pid, value in [("p01", 3), ("p02", 5), ("p03", 8)]:
        r.do(who(pid), Vote(poll="p3", value=value))
    r.do(MOD, ResetPoll("p3"))  # the question was read out wrongly: ask again
    for pid, value in [("p01", 7), ("p03", 9), ("p06", 4), ("p07", 7)]:
        r.do(who(pid), Vote(poll="p3", value=value))

    r.do(MOD, OpenPoll("p4"))
    for pid, ranking in [
        ("p01", ["o2", "o1", "o3", "o4"]),
        ("p02", ["o4", "o3", "o1", "o2"]),
        ("p05", ["o1", "o3", "o4", "o2"]),
    ]:
        r.do(who(pid), Vote(poll="p4", ranking=ranking))

    r.do(MOD, OpenPoll("p5"))
    for pid, points in [
        ("p01", {"o1": 6, "o2": 4}),
        ("p03", {"o2": 5, "o3": 5}),
        ("p06", {"o3": 6, "o1": 0}),
    ]:
        r.do(who(pid), Vote(poll="p5", points=points))
    r.do(MOD, ClosePoll("p5"))

    r.do(MOD, OpenPoll("p6"))
    for pid, text in [
        ("p01", "Mehr Ausbildung im Handwerk"),
        ("p02", "Bürokratie abbauen, Tarifbindung stärken"),
        ("p04", "Bürokratie!!  Bürokratie!!"),
        ("p06", "Weiterbildung für alle, auch in Teilzeit"),
        ("p09", "Schnelles Internet überall"),
    ]:
        r.do(who(pid), Vote(poll="p6", text=text))
    r.do(who("p01"), Vote(poll="p6", text="Mehr Ausbildung im Handwerk und in der Pflege"))
    r.do(MOD, HideAnswer("p6", 3))
    r.do(MOD, HideWord("p6", " Bürokratie "))
    r.do(MOD, HideWord("p6", "internet"))
    r.do(MOD, HideWord("p6", "Internet", hidden=False))
    r.do(MOD, ShowOnScreen(ScreenMode.POLL, "p6"))
    r.checkpoint("polls running")
    r.do(MOD, ClosePoll("p6"))

    r.do(MOD, CloseEvent())  # the lunch break, closed by mistake
    r.do(MOD, ReopenEvent())


def _cafe(r: Recorder) -> None:
    r.do(
        MOD,
        CreateCafe(
            tables=[
                TableSpec("Fachkräfte sichern", 4, "green"),
                TableSpec("Energie  und Netze"),
                TableSpec("Mobilität auf dem Land", 3, "no-such-colour"),
            ],
            rounds=3,
            round_minutes=15.0,  # floats, as the wire decoder makes them
            changeover_minutes=3.0,
            keep_apart=[["p01", "bora yilmaz"]],
            keep_together=[["Fenna Okafor", "p07"]],
        ),
    )
    r.do(MOD, SetHost("t1", "p03"))
    r.do(MOD, SetHost("t2", "p02"))
    r.do(MOD, StartRound())  # takes the screen, too
    r.wait(2 * MINUTE)
    r.do(GUEST, Join("p08", "Hana Novák", OrganisationType.OTHER))  # late
    r.do(who("p08"), CheckIn("t2"))  # scans the card on table 2
    r.do(who("p03"), WriteNote("t1", "Azubis finden keine Wohnung;\nPendelzeiten zu lang."))
    r.do(MOD, WriteNote("t3", "Rufbus-Idee aus Tisch 3"))
    r.do(MOD, PauseRound())
    r.checkpoint("cafe paused")
    r.wait(MINUTE)
    r.do(MOD, ResumeRound())
    r.do(MOD, ExtendRound(5.0))
    r.do(MOD, PauseRound())
    r.do(MOD, ExtendRound(2.5))  # while paused: the remaining time grows
    r.do(MOD, ResumeRound())
    r.wait(18 * MINUTE)
    r.do(MOD, EndRound())
    r.do(MOD, MovePerson("p05", "t3"))
    r.do(MOD, Replan())  # the late arrival joins the plan for the rounds to come
    r.do(MOD, SetHost("t2", None))
    r.checkpoint("cafe changeover")
    r.wait(3 * MINUTE)
    r.do(MOD, StartRound())
    r.do(who("p03"), WriteNote("t1", "Runde 2: Werkswohnungen, Ausbildungsverbund"))
    r.wait(15 * MINUTE)
    r.do(MOD, EndRound())


def _ideas(r: Recorder) -> None:
    b1 = r.do(
        MOD,
        CreateBoard(
            prompt="Was braucht unsere Region bis 2035?",
            categories=["Fachkräfte", "Energie", "Mobilität", " Energie "],
        ),
    )
    b2 = r.do(
        MOD,
        CreateBoard(
            prompt="Was stört Sie heute am meisten?",
            mode=BoardMode.MODERATED,
            dots=3,
            dots_per_item=2,
            dots_on=DotsOn.IDEAS,
        ),
    )
    b3 = r.do(MOD, CreateBoard(prompt="Ihre verrückteste Idee", mode=BoardMode.BLIND))
    assert [b1, b2, b3] == ["b1", "b2", "b3"]
    r.do(MOD, ShowBoard(board="b1"))

    posts = [
        ("p01", "Ausbildungsverbund für kleine Betriebe", "Fachkräfte", False),
        ("p02", "Tarifbindung als Standortvorteil", None, True),
        ("p03", "Wasserstoff-Hub am Hafen", "Energie", False),
        ("p04", "Bürgerenergie-Genossenschaft", "Energie", False),
        ("p05", "Rufbus fur die Dörfer", "Mobilität", False),
        ("p06", "Werkswohnungen für Azubis", "Fachkräfte", False),
        ("p07", "Radschnelweg ins Gewerbegebiet", None, False),
        ("moderator", "Solardächer auf Gewerbehallen", "Energie", False),
        ("p09", "Car-Sharing für Pendler", "Mobilität", False),
        ("p01", "Ausbildungsverbund kleiner Betriebe", "Fachkräfte", False),
        ("p05", "Test", None, False),
        ("p07", "Kauft billige Uhren!!!", None, True),
    ]
    for pid, text, category, anonymous in posts:
        actor = MOD if pid == "moderator" else who(pid)
        r.do(actor, PostIdea(board="b1", text=text, category=category, anonymous=anonymous))
    r.do(who("p05"), EditIdea(idea="i5", text="Rufbus für die Dörfer, auch abends"))
    r.do(MOD, EditIdea(idea="i7", text="Radschnellweg ins Gewerbegebiet", category="Mobilität"))
    r.do(who("p05"), DeleteIdea("i11"))
    r.do(MOD, HideIdea("i12"))
    r.do(MOD, MergeIdea("i10", "i1"))
    r.do(MOD, CreateCluster(board="b1", name="Fachkräfte", ideas=["i1", "i6", "i1"]))
    r.do(MOD, CreateCluster(board="b1", name="Energie", ideas=["i3"]))
    r.do(MOD, AssignIdea(idea="i4", cluster="c2", position=0))
    r.do(MOD, AssignIdea(idea="i8", cluster="c2"))
    r.do(MOD, RenameCluster("c2", "Energie  & Klima"))
    r.do(MOD, CreateCluster(board="b1", name="Sonstiges"))
    r.do(MOD, AssignIdea(idea="i2", cluster="c3"))
    r.do(MOD, AssignIdea(idea="i2", cluster=None))
    r.do(MOD, DeleteCluster("c3"))
    r.do(MOD, ProposeClusters(board="b1", groups=[["i5", "i7", "i9"], ["i2"]], names=["Mobilität"]))
    r.do(MOD, AssignIdea(idea="i2", cluster="c1", position=1))  # leaves the suggestion
    r.checkpoint("ideas proposal pending")
    r.do(MOD, AcceptProposal("b1"))
    r.do(MOD, ProposeClusters(board="b1", groups=[["i12"]], names=["Werbung"]))
    r.do(MOD, DiscardProposal("b1"))
    r.do(MOD, BoardSettings(board="b1", dots_open=True, published=True))
    r.do(MOD, ShowBoard(board="b1", view=ScreenView.DOTS))
    for pid, points in [
        ("p01", {"c1": 3, "c2": 2}),
        ("p02", {"c4": 3}),
        ("p03", {"c1": 2, "c2": 2, "c4": 1}),
        ("p04", {"c2": 3, "c4": 0}),
        ("p06", {"c1": 1}),
        ("p06", {"c1": 3, "c4": 2}),
    ]:
        r.do(who(pid), VoteDots("b1", points))
    r.do(MOD, BoardSettings(board="b1", locked=True))

    for pid, text in [
        ("p01", "Funklöcher an der B27"),
        ("p02", "Zu wenig Kita-Plätze"),
        ("p05", "Genehmigungen dauern Jahre"),
        ("p07", "alles doof"),
    ]:
        r.do(who(pid), PostIdea(board="b2", text=text))
    r.do(MOD, ApproveIdea("i13"))
    r.do(MOD, ApproveIdea("i14"))
    r.do(MOD, HideIdea("i16"))
    r.do(MOD, HideIdea("i14"))
    r.do(MOD, HideIdea("i14", hidden=False))  # hidden by mistake: restored
    r.do(MOD, BoardSettings(board="b2", dots_open=True))
    r.do(who("p03"), VoteDots("b2", {"i13": 2, "i14": 1}))
    r.do(MOD, ShowBoard(board="b2", view=ScreenView.WALL))

    r.do(who("p01"), PostIdea(board="b3", text="Seilbahn über den Fluss"))
    r.do(who("p04"), PostIdea(board="b3", text="Vier-Tage-Woche im ganzen Landkreis"))
    r.checkpoint("ideas blind board")
    r.do(MOD, BoardSettings(board="b3", revealed=True))


def _actions(r: Recorder) -> None:
    a1 = r.do(
        MOD,
        CreateAction(
            title="Ausbildungsverbund gründen",
            what="Fünf Betriebe teilen sich Ausbilder und Werkstatt.",
            owner="IHK und Kreishandwerkerschaft",
            due="2026-06-30",
            source="c1",
        ),
    )
    a2 = r.do(MOD, CreateAction(title="Rufbus-Pilot", owner="Landkreis", source="c4"))
    a3 = r.do(MOD, CreateAction(title="Probe"))
    assert [a1, a2, a3] == ["a1", "a2", "a3"]
    r.do(
        who("p01"),
        JoinAction(action="a1", name="Anna Berger", contact="anna@example.org", consent=True),
    )
    r.do(who("p04"), JoinAction(action="a1", name="Dila", consent=True))
    r.do(who("p09"), JoinAction(action="a2", name="Ivo", contact="0171 5550100", consent=True))
    r.do(who("p05"), JoinAction(action="a2", name="Emil", consent=True))
    r.do(who("p05"), LeaveAction("a2"))
    r.do(
        who("p01"),
        JoinAction(action="a1", name="Anna Berger", contact="a.berger@example.org", consent=True),
    )
    r.do(who("p06"), JoinAction(action="a3", name="Fenna", consent=True))
    r.do(MOD, DeleteAction("a3"))
    r.do(MOD, ShowOnScreen(ScreenMode.ACTIONS))
    r.do(who("p09"), Leave())  # left early: his name goes from screens and lists


def record() -> Recording:
    """The whole event, in the order a workshop day runs."""
    r = Recorder()
    _lobby(r)
    _polls(r)
    _cafe(r)
    _ideas(r)
    _actions(r)
    r.checkpoint("end")
    return Recording(r.log, r.checkpoints)


def missing_events(log: list[Envelope]) -> set[str]:
    """Event types of this release that the log does not use."""
    return {tag_of(t) for t in typing.get_args(Event)} - {tag_of(type(e.event)) for e in log}


def tag_of(event_type: type[msgspec.Struct]) -> str:
    """The tag an event type is stored with (``"poll.voted"``)."""
    tag = event_type.__struct_config__.tag
    assert isinstance(tag, str)
    return tag


def stored_log() -> list[Envelope]:
    """The stored golden log, decoded as a worker decodes a room's entries."""
    raw = msgspec.json.decode(LOG_FILE.read_bytes(), type=list[msgspec.Raw])
    decode = msgspec.json.Decoder(Envelope).decode
    return [decode(entry) for entry in raw]


def encode_log(log: list[Envelope]) -> bytes:
    """A JSON array with one envelope per line, each exactly as the stores hold it."""
    return b"[\n" + b",\n".join(msgspec.json.encode(e) for e in log) + b"\n]\n"


def encode_views(checkpoints: list[tuple[str, int, dict[str, Any]]]) -> bytes:
    document = [{"name": name, "seq": seq, "views": views} for name, seq, views in checkpoints]
    text = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True)
    return (text + "\n").encode()


def main() -> None:
    recording = record()
    missing = missing_events(recording.log)
    assert not missing, f"the golden log lacks {sorted(missing)}"
    DATA.mkdir(parents=True, exist_ok=True)
    LOG_FILE.write_bytes(encode_log(recording.log))
    VIEWS_FILE.write_bytes(encode_views(recording.checkpoints))
    print(f"{len(recording.log)} log entries -> {LOG_FILE}")
    print(f"{len(recording.checkpoints)} checkpoints -> {VIEWS_FILE}")


if __name__ == "__main__":
    main()
