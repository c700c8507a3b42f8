"""The agenda ("Ablauf", run of show): an ordered list of phases, one of them current.

A facilitator runs a plan: Begrüßung, Kritikphase, Fantasiephase … Each
phase has a title, a planned length in minutes, notes for the moderator, the
activities it shows (references such as ``poll:p1``, ``board:b1``,
``qna:s1``, ``cafe``, ``speakers``, ``actions``), what the projector shows
while it runs, and optionally a slide of its own (heading and body).

Timers are timestamps, as for café rounds and speaking turns: a phase that
starts gets ``started_at`` and ``ends_at`` from the command's time (the
log's ``at`` when replaying), so every worker and every replay shows the
same times, and nothing ticks on the server. A pause keeps what is left;
an extension moves ``ends_at``. Starting a phase ends the current one, so
once the agenda has begun there is always exactly one current phase (the
property tests hold ``apply`` to that).

A phase that shows polls opens them when it starts, and with
``auto_polls="open_close"`` closes them when it ends (unless the next phase
shows them too); ``"off"`` leaves them to the moderator. This is a
cross-activity rule (``poll_moves``, declared as a follow-up of the start
commands in ``activity.py``): the ``poll.opened``/``poll.closed`` events are
written into the log with the ``agenda.phase_started`` they follow, so a
replay applies them and never derives them again.

Carrying results forward (``agenda.carry``) turns the top clusters of a
board into the prompts of a phase, each remembering the board and cluster it
came from, so the chain from critique to action stays visible. Carrying
again adds only clusters not carried yet: the command is idempotent.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import msgspec

from rooms.base import Actor, Rejected, Role
from rooms.ideas.domain import Board, BoardCreated, BoardMode, Boards
from rooms.ideas.dots import DotSettings, ranking
from rooms.polls.domain import Polls, PollStatus
from rooms.text import one_line

if TYPE_CHECKING:
    from rooms.activities import Limits

MINUTE = 60_000

REF = re.compile(
    r"^(?:(?:poll|board|qna):[A-Za-z0-9_-]{1,40}|cafe|speakers|actions"
    r"|survey:[A-Z0-9]{8})$"  # the surveys' addition: a survey of the event, by its code
)
"""An activity a phase shows: a poll, a board or a Q&A session by id, or a whole activity.

``survey:CODE`` is one of the event's surveys (server/surveys/console.py sets it from
the console's "Fragebögen" panel); the survey lives in its own log, not in the room."""

SCREENS = re.compile(
    r"^(?:agenda|welcome|blank|poll:[A-Za-z0-9_-]{1,40}|board:[A-Za-z0-9_-]{1,40})$"
)
"""What the projector shows while a phase runs, besides the activities' own modes."""

WHOLE_SCREENS = ("qna", "speakers", "cafe", "actions")

IMAGE = re.compile(r"^(?:[0-9a-f]{32}\.(?:png|jpg))?$")
"""A slide's image: the name of a file the transport stored (its content's digest), or empty.
The picture itself never enters the log (server/slides.py)."""


class PhaseStatus(enum.StrEnum):
    PLANNED = "planned"
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"


class AutoPolls(enum.StrEnum):
    """What starting and ending a phase does to the polls it shows."""

    OFF = "off"  # the moderator opens and closes them
    OPEN = "open"  # opened when the phase starts
    OPEN_CLOSE = "open_close"  # opened when it starts, closed when it ends


class Prompt(msgspec.Struct):
    """A prompt of a phase; ``board``/``cluster`` say where it was carried from."""

    id: str
    text: str
    board: str | None = None
    cluster: str | None = None
    made: str | None = None  # the board made for it (agenda.boards_from_prompts)


class Phase(msgspec.Struct):
    id: str
    title: str
    minutes: int
    notes: str = ""
    activities: list[str] = msgspec.field(default_factory=list)
    screen: str = "agenda"
    heading: str = ""
    body: str = ""
    status: PhaseStatus = PhaseStatus.PLANNED
    started_at: int | None = None
    ends_at: int | None = None  # while running; paused: see remaining
    ended_at: int | None = None
    remaining: int | None = None  # ms left, while paused
    paused_since: int | None = None
    paused_ms: int = 0
    extended_ms: int = 0
    prompts: list[Prompt] = msgspec.field(default_factory=list)
    auto_polls: AutoPolls = AutoPolls.OFF
    image: str = ""  # the slide's picture, a file name (server/slides.py)


class Agenda(msgspec.Struct):
    phases: dict[str, Phase] = msgspec.field(default_factory=dict)
    order: list[str] = msgspec.field(default_factory=list)
    current: str | None = None
    began_at: int | None = None  # when the first phase started: the plan counts from it
    made: int = 0
    prompts_made: int = 0

    def in_order(self) -> list[Phase]:
        return [self.phases[p] for p in self.order]


# --- commands ---------------------------------------------------------------


class AddPhase(msgspec.Struct, tag="agenda.add_phase", frozen=True, kw_only=True):
    title: str
    minutes: int = 10
    notes: str = ""
    activities: list[str] = msgspec.field(default_factory=list)
    screen: str = "agenda"
    heading: str = ""
    body: str = ""
    position: int | None = None  # None: at the end
    auto_polls: AutoPolls = AutoPolls.OPEN  # a new phase opens its polls


class UpdatePhase(msgspec.Struct, tag="agenda.update_phase", frozen=True, kw_only=True):
    """Change a phase; fields left out stay as they are. A running phase keeps its
    ``ends_at``: a new length counts from its next start (use ``agenda.extend`` now)."""

    phase: str
    title: str | None = None
    minutes: int | None = None
    notes: str | None = None
    activities: list[str] | None = None
    screen: str | None = None
    heading: str | None = None
    body: str | None = None
    auto_polls: AutoPolls | None = None


class MovePhase(msgspec.Struct, tag="agenda.move_phase", frozen=True, kw_only=True):
    phase: str
    to: int  # 0-based position


class RemovePhase(msgspec.Struct, tag="agenda.remove_phase", frozen=True, kw_only=True):
    phase: str


class StartPhase(msgspec.Struct, tag="agenda.start", frozen=True, kw_only=True):
    phase: str


class NextPhase(msgspec.Struct, tag="agenda.next", frozen=True):
    pass


class PreviousPhase(msgspec.Struct, tag="agenda.previous", frozen=True):
    pass


class ExtendPhase(msgspec.Struct, tag="agenda.extend", frozen=True, kw_only=True):
    minutes: int  # negative shortens


class PausePhase(msgspec.Struct, tag="agenda.pause", frozen=True):
    pass


class ResumePhase(msgspec.Struct, tag="agenda.resume", frozen=True):
    pass


class Carry(msgspec.Struct, tag="agenda.carry", frozen=True, kw_only=True):
    from_board: str
    to_phase: str
    top: int = 3


class EditPrompt(msgspec.Struct, tag="agenda.edit_prompt", frozen=True, kw_only=True):
    phase: str
    prompt: str
    text: str


class BoardsFromPrompts(
    msgspec.Struct, tag="agenda.boards_from_prompts", frozen=True, kw_only=True
):
    """One idea board per prompt of ``from_phase`` ("Wie könnten wir …?"), shown by
    ``to_phase`` and by the later phases that show the boards ``to_phase`` showed."""

    from_phase: str
    to_phase: str


class SetImage(msgspec.Struct, tag="agenda.set_image", frozen=True, kw_only=True):
    """Give a phase's slide a picture the transport has stored, or none (``image=""``)."""

    phase: str
    image: str = ""


AGENDA_COMMAND_TYPES = (
    AddPhase,
    UpdatePhase,
    MovePhase,
    RemovePhase,
    StartPhase,
    NextPhase,
    PreviousPhase,
    ExtendPhase,
    PausePhase,
    ResumePhase,
    Carry,
    EditPrompt,
    SetImage,
    BoardsFromPrompts,
)

AgendaCommand = (
    AddPhase
    | UpdatePhase
    | MovePhase
    | RemovePhase
    | StartPhase
    | NextPhase
    | PreviousPhase
    | ExtendPhase
    | PausePhase
    | ResumePhase
    | Carry
    | EditPrompt
    | SetImage
    | BoardsFromPrompts
)

# --- events -----------------------------------------------------------------


class PhaseAdded(msgspec.Struct, tag="agenda.phase_added", frozen=True, kw_only=True):
    phase: str
    title: str
    minutes: int
    notes: str = ""
    activities: list[str] = msgspec.field(default_factory=list)
    screen: str = "agenda"
    heading: str = ""
    body: str = ""
    position: int | None = None
    # Since issue 13's follow-up; an entry without it was written when nothing opened by itself.
    auto_polls: AutoPolls = AutoPolls.OFF


class PhaseUpdated(msgspec.Struct, tag="agenda.phase_updated", frozen=True, kw_only=True):
    phase: str
    title: str
    minutes: int
    notes: str
    activities: list[str]
    screen: str
    heading: str
    body: str
    auto_polls: AutoPolls | None = None  # None (every older entry): unchanged


class PhaseMoved(msgspec.Struct, tag="agenda.phase_moved", frozen=True):
    phase: str
    to: int


class PhaseRemoved(msgspec.Struct, tag="agenda.phase_removed", frozen=True):
    phase: str


class PhaseStarted(msgspec.Struct, tag="agenda.phase_started", frozen=True):
    """``phase`` starts at ``at`` (ending whichever phase was current)."""

    phase: str
    at: int
    ends_at: int


class PhaseExtended(msgspec.Struct, tag="agenda.phase_extended", frozen=True):
    phase: str
    ms: int


class PhasePaused(msgspec.Struct, tag="agenda.phase_paused", frozen=True):
    phase: str
    at: int


class PhaseResumed(msgspec.Struct, tag="agenda.phase_resumed", frozen=True):
    phase: str
    at: int


class CarriedPrompt(msgspec.Struct, frozen=True):
    id: str
    cluster: str
    text: str


class PromptsCarried(msgspec.Struct, tag="agenda.prompts_carried", frozen=True):
    phase: str
    board: str
    prompts: list[CarriedPrompt]


class PromptEdited(msgspec.Struct, tag="agenda.prompt_edited", frozen=True):
    phase: str
    prompt: str
    text: str


class ImageSet(msgspec.Struct, tag="agenda.image_set", frozen=True):
    phase: str
    image: str


class PromptBoard(msgspec.Struct, frozen=True):
    prompt: str
    board: str


class PromptBoardsMade(msgspec.Struct, tag="agenda.prompt_boards_made", frozen=True):
    """Boards were made for prompts of ``phase`` (their ``ideas.board_created`` come
    first in the same command); ``to`` are the phases that now show them."""

    phase: str
    made: list[PromptBoard]
    to: list[str]


AGENDA_EVENT_TYPES = (
    PhaseAdded,
    PhaseUpdated,
    PhaseMoved,
    PhaseRemoved,
    PhaseStarted,
    PhaseExtended,
    PhasePaused,
    PhaseResumed,
    PromptsCarried,
    PromptEdited,
    ImageSet,
    PromptBoardsMade,
)

AgendaEvent = (
    PhaseAdded
    | PhaseUpdated
    | PhaseMoved
    | PhaseRemoved
    | PhaseStarted
    | PhaseExtended
    | PhasePaused
    | PhaseResumed
    | PromptsCarried
    | PromptEdited
    | ImageSet
    | PromptBoardsMade
)

# --- helpers ----------------------------------------------------------------


def top_clusters(board: Board, n: int) -> list[tuple[str, str]]:
    """The board's ``n`` strongest clusters as (id, name): most dots first, then the
    most cards, then the clusters' own order. Empty clusters never count."""
    items = [c for c in board.clusters if board.clusters[c].ideas]
    points = {r.item: r.points for r in ranking(board.ballots, items)}
    ordered = sorted(
        enumerate(items), key=lambda ic: (-points[ic[1]], -len(board.clusters[ic[1]].ideas), ic[0])
    )
    return [(c, board.clusters[c].name) for _, c in ordered[:n]]


def neighbour(agenda: Agenda, step: int) -> str | None:
    """The phase ``step`` places from the current one in the order, if there is one."""
    if agenda.current is None or agenda.current not in agenda.order:
        return None
    i = agenda.order.index(agenda.current) + step
    return agenda.order[i] if 0 <= i < len(agenda.order) else None


def target_of(agenda: Agenda, command: StartPhase | NextPhase | PreviousPhase) -> str | None:
    """Which phase a start, next or previous command starts (None: none)."""
    if isinstance(command, StartPhase):
        return command.phase if command.phase in agenda.phases else None
    if agenda.current is None:  # not begun: "next" begins with the first phase
        return agenda.order[0] if isinstance(command, NextPhase) and agenda.order else None
    return neighbour(agenda, 1 if isinstance(command, NextPhase) else -1)


def poll_moves(agenda: Agenda, polls: Polls, starts: str) -> tuple[list[str], list[str]]:
    """The polls to open and to close when phase ``starts`` starts: (open, close).

    The starting phase opens every poll it shows that is not open (a draft, or
    one closed earlier: going back to a phase opens its poll again, but never
    one sealed for good), unless its ``auto_polls`` is off. The phase that
    ends closes its open polls if it says ``open_close``, except those the
    starting phase shows. Polls that no
    longer exist are passed over. Restarting the current phase closes nothing.
    """
    phase = agenda.phases.get(starts)
    if phase is None:
        return [], []
    shown = [r.partition(":")[2] for r in phase.activities if r.startswith("poll:")]
    opens: list[str] = []
    if phase.auto_polls is not AutoPolls.OFF:
        opens = [
            p
            for p in shown
            if p in polls.by_id
            and polls.by_id[p].status is not PollStatus.OPEN
            and not polls.by_id[p].sealed  # closed for good: never again
        ]
    closes: list[str] = []
    ending = agenda.phases.get(agenda.current or "")
    if ending is not None and ending.id != starts and ending.auto_polls is AutoPolls.OPEN_CLOSE:
        for ref in ending.activities:
            p = ref.partition(":")[2]
            if (
                ref.startswith("poll:")
                and p not in shown
                and p in polls.by_id
                and polls.by_id[p].status is PollStatus.OPEN
                and p not in closes
            ):
                closes.append(p)
    return opens, closes


def _valid_fields(
    title: str,
    minutes: int,
    notes: str,
    activities: list[str],
    screen: str,
    body: str,
    limits: Limits,
) -> Rejected | None:
    lim = limits.agenda
    if not title:
        return Rejected("phase_title_missing")
    if len(title) > lim.title_length:
        return Rejected("phase_title_too_long")
    if not 1 <= minutes <= lim.max_minutes:
        return Rejected("phase_minutes_invalid")
    if len(notes) > lim.notes_length or len(body) > lim.body_length:
        return Rejected("phase_text_too_long")
    if len(activities) > lim.max_activities or not all(REF.match(a) for a in activities):
        return Rejected("phase_activity_invalid")
    if not (SCREENS.match(screen) or screen in WHOLE_SCREENS):
        return Rejected("phase_screen_invalid")
    return None


def _clean_refs(refs: list[str]) -> list[str]:
    """Each reference once, in the given order, without blanks around it."""
    out: list[str] = []
    for ref in (r.strip() for r in refs):
        if ref and ref not in out:
            out.append(ref)
    return out


def _text(value: str) -> str:
    """Notes and a slide's body keep their line breaks, not their outer blanks."""
    return "\n".join(line.rstrip() for line in value.strip().splitlines())


# --- decide -----------------------------------------------------------------


def decide(
    agenda: Agenda, boards: Boards, command: AgendaCommand, actor: Actor, now: int, limits: Limits
) -> Sequence[AgendaEvent | BoardCreated] | Rejected:
    if actor.role is not Role.MODERATOR:
        return Rejected("not_allowed")
    match command:
        case AddPhase():
            if len(agenda.order) >= limits.agenda.max_phases:
                return Rejected("too_many_phases")
            title, notes, body = one_line(command.title), _text(command.notes), _text(command.body)
            refs = _clean_refs(command.activities)
            screen = command.screen.strip() or "agenda"
            bad = _valid_fields(title, command.minutes, notes, refs, screen, body, limits)
            if bad is not None:
                return bad
            heading = one_line(command.heading)
            if len(heading) > limits.agenda.title_length:
                return Rejected("phase_title_too_long")
            return [
                PhaseAdded(
                    phase=f"a{agenda.made + 1}",
                    title=title,
                    minutes=command.minutes,
                    notes=notes,
                    activities=refs,
                    screen=screen,
                    heading=heading,
                    body=body,
                    position=command.position,
                    auto_polls=command.auto_polls,
                )
            ]
        case UpdatePhase():
            return _decide_update(agenda, command, limits)
        case MovePhase(phase=phase, to=to):
            if phase not in agenda.phases:
                return Rejected("phase_not_found")
            target = max(0, min(to, len(agenda.order) - 1))
            return [] if agenda.order.index(phase) == target else [PhaseMoved(phase, target)]
        case RemovePhase(phase=phase):
            if phase not in agenda.phases:
                return Rejected("phase_not_found")
            if phase == agenda.current:
                return Rejected("phase_is_current")
            return [PhaseRemoved(phase)]
        case StartPhase() | NextPhase() | PreviousPhase():
            starts = target_of(agenda, command)
            if starts is None:
                if isinstance(command, StartPhase):
                    return Rejected("phase_not_found")
                if not agenda.order:
                    return Rejected("agenda_empty")
                return Rejected(
                    "agenda_at_end" if isinstance(command, NextPhase) else "agenda_at_start"
                )
            return [PhaseStarted(starts, now, now + agenda.phases[starts].minutes * MINUTE)]
        case ExtendPhase(minutes=minutes):
            current = agenda.phases.get(agenda.current or "")
            if current is None:
                return Rejected("agenda_not_started")
            if minutes == 0 or abs(minutes) > limits.agenda.max_minutes:
                return Rejected("phase_extend_invalid")
            return [PhaseExtended(current.id, minutes * MINUTE)]
        case PausePhase() | ResumePhase():
            current = agenda.phases.get(agenda.current or "")
            if current is None:
                return Rejected("agenda_not_started")
            if isinstance(command, PausePhase):
                return (
                    [PhasePaused(current.id, now)] if current.status is PhaseStatus.RUNNING else []
                )
            return [PhaseResumed(current.id, now)] if current.status is PhaseStatus.PAUSED else []
        case Carry():
            return _decide_carry(agenda, boards, command, limits)
        case EditPrompt(phase=phase, prompt=prompt, text=text):
            found = agenda.phases.get(phase)
            if found is None:
                return Rejected("phase_not_found")
            old = next((p for p in found.prompts if p.id == prompt), None)
            if old is None:
                return Rejected("prompt_not_found")
            clean = one_line(text)
            if not clean:
                return Rejected("prompt_text_missing")
            if len(clean) > limits.agenda.title_length * 2:
                return Rejected("phase_text_too_long")
            return [] if clean == old.text else [PromptEdited(phase, prompt, clean)]
        case SetImage(phase=phase, image=image):
            found = agenda.phases.get(phase)
            if found is None:
                return Rejected("phase_not_found")
            if not IMAGE.match(image):
                return Rejected("slide_image_invalid")
            return [] if image == found.image else [ImageSet(phase, image)]
        case BoardsFromPrompts():
            return _decide_boards(agenda, boards, command, limits)
    raise AssertionError(f"unhandled agenda command {command!r}")  # pragma: no cover


def _decide_update(
    agenda: Agenda, command: UpdatePhase, limits: Limits
) -> list[AgendaEvent] | Rejected:
    phase = agenda.phases.get(command.phase)
    if phase is None:
        return Rejected("phase_not_found")

    title = phase.title if command.title is None else one_line(command.title)
    notes = phase.notes if command.notes is None else _text(command.notes)
    body = phase.body if command.body is None else _text(command.body)
    heading = phase.heading if command.heading is None else one_line(command.heading)
    screen = phase.screen if command.screen is None else (command.screen.strip() or "agenda")
    minutes = phase.minutes if command.minutes is None else command.minutes
    refs = phase.activities if command.activities is None else _clean_refs(command.activities)
    bad = _valid_fields(title, minutes, notes, refs, screen, body, limits)
    if bad is not None:
        return bad
    if len(heading) > limits.agenda.title_length:
        return Rejected("phase_title_too_long")
    auto = phase.auto_polls if command.auto_polls is None else command.auto_polls
    fields = (title, minutes, notes, refs, screen, heading, body, auto)
    before = (
        phase.title,
        phase.minutes,
        phase.notes,
        phase.activities,
        phase.screen,
        phase.heading,
        phase.body,
        phase.auto_polls,
    )
    if fields == before:
        return []
    return [
        PhaseUpdated(
            phase=phase.id,
            title=title,
            minutes=minutes,
            notes=notes,
            activities=refs,
            screen=screen,
            heading=heading,
            body=body,
            auto_polls=auto,
        )
    ]


def _decide_carry(
    agenda: Agenda, boards: Boards, command: Carry, limits: Limits
) -> list[AgendaEvent] | Rejected:
    board = boards.by_id.get(command.from_board)
    if board is None:
        return Rejected("board_not_found")
    phase = agenda.phases.get(command.to_phase)
    if phase is None:
        return Rejected("phase_not_found")
    if not 1 <= command.top <= limits.agenda.max_prompts:
        return Rejected("carry_top_invalid")
    carried = {(p.board, p.cluster) for p in phase.prompts}
    room = limits.agenda.max_prompts - len(phase.prompts)
    fresh = [
        (c, name) for c, name in top_clusters(board, command.top) if (board.id, c) not in carried
    ]
    prompts = [
        CarriedPrompt(f"k{agenda.prompts_made + n}", c, name)
        for n, (c, name) in enumerate(fresh[: max(0, room)], start=1)
    ]
    return [PromptsCarried(phase.id, board.id, prompts)] if prompts else []


def _decide_boards(
    agenda: Agenda, boards: Boards, command: BoardsFromPrompts, limits: Limits
) -> list[AgendaEvent | BoardCreated] | Rejected:
    """A board per prompt not yet given one: its ``ideas.board_created`` (the ideas
    activity applies it, as if the moderator had created it), then the agenda's note.

    The new boards take the dot settings of the first board ``to_phase`` shows
    (the template's ideation board), and go wherever that phase's boards are
    shown later (the "decide" phase's dots). Only as many as the board limit
    and ``to_phase``'s references allow; asking again makes only the missing ones.
    """
    source = agenda.phases.get(command.from_phase)
    target = agenda.phases.get(command.to_phase)
    if source is None or target is None:
        return Rejected("phase_not_found")
    fresh = [p for p in source.prompts if p.made is None]
    if not fresh:
        return []
    if len(boards.by_id) >= limits.ideas.max_boards:
        return Rejected("too_many_boards")
    room = min(
        limits.ideas.max_boards - len(boards.by_id),
        limits.agenda.max_activities - len(target.activities),
    )
    if room <= 0:
        return Rejected("phase_activity_invalid")
    shown = [r.partition(":")[2] for r in target.activities if r.startswith("board:")]
    model = next((boards.by_id[b] for b in shown if b in boards.by_id), None)
    dots = DotSettings() if model is None else msgspec.structs.replace(model.dots, open=False)
    made: list[PromptBoard] = []
    events: list[AgendaEvent | BoardCreated] = []
    for n, prompt in enumerate(fresh[:room], start=1):
        board = f"b{boards.created + n}"
        text = prompt.text[: limits.ideas.prompt_length]
        events.append(BoardCreated(board, text, [], BoardMode.OPEN, dots))
        made.append(PromptBoard(prompt.id, board))
    at = agenda.order.index(target.id)
    later = [
        pid
        for pid in agenda.order[at + 1 :]
        if shown
        and any(f"board:{b}" in agenda.phases[pid].activities for b in shown)
        and len(agenda.phases[pid].activities) + len(made) <= limits.agenda.max_activities
    ]
    events.append(PromptBoardsMade(source.id, made, [target.id, *later]))
    return events


# --- apply ------------------------------------------------------------------


def apply(agenda: Agenda, event: AgendaEvent) -> bool:
    """Fold one event in; False when it changes nothing (late, duplicate, or gone)."""
    match event:
        case PhaseAdded():
            if event.phase in agenda.phases:
                return False
            agenda.made += 1
            agenda.phases[event.phase] = Phase(
                id=event.phase,
                title=event.title,
                minutes=event.minutes,
                notes=event.notes,
                activities=list(event.activities),
                screen=event.screen,
                heading=event.heading,
                body=event.body,
                auto_polls=event.auto_polls,
            )
            at = len(agenda.order) if event.position is None else event.position
            agenda.order.insert(max(0, min(at, len(agenda.order))), event.phase)
            return True
        case PhaseUpdated():
            phase = agenda.phases.get(event.phase)
            if phase is None:
                return False
            phase.title, phase.minutes, phase.notes = event.title, event.minutes, event.notes
            phase.activities, phase.screen = list(event.activities), event.screen
            phase.heading, phase.body = event.heading, event.body
            if event.auto_polls is not None:
                phase.auto_polls = event.auto_polls
            return True
        case PhaseMoved(phase=phase_id, to=to):
            if phase_id not in agenda.phases:
                return False
            agenda.order.remove(phase_id)
            agenda.order.insert(max(0, min(to, len(agenda.order))), phase_id)
            return True
        case PhaseRemoved(phase=phase_id):
            if phase_id not in agenda.phases or phase_id == agenda.current:
                return False
            del agenda.phases[phase_id]
            agenda.order.remove(phase_id)
            return True
        case PhaseStarted():
            return _fold_start(agenda, event)
        case PhaseExtended(phase=phase_id, ms=ms):
            phase = agenda.phases.get(phase_id)
            if phase is None or phase_id != agenda.current:
                return False
            if phase.status is PhaseStatus.PAUSED and phase.remaining is not None:
                phase.remaining = max(0, phase.remaining + ms)
            elif phase.ends_at is not None:
                phase.ends_at += ms
            phase.extended_ms += ms
            return True
        case PhasePaused(phase=phase_id, at=at):
            phase = agenda.phases.get(phase_id)
            if (
                phase is None
                or phase_id != agenda.current
                or phase.status is not PhaseStatus.RUNNING
            ):
                return False
            phase.status = PhaseStatus.PAUSED
            phase.remaining = max(0, (phase.ends_at or at) - at)
            phase.paused_since = at
            return True
        case PhaseResumed(phase=phase_id, at=at):
            phase = agenda.phases.get(phase_id)
            if (
                phase is None
                or phase_id != agenda.current
                or phase.status is not PhaseStatus.PAUSED
            ):
                return False
            phase.status = PhaseStatus.RUNNING
            phase.ends_at = at + (phase.remaining or 0)
            phase.paused_ms += max(0, at - (phase.paused_since or at))
            phase.remaining = phase.paused_since = None
            return True
        case PromptsCarried(phase=phase_id, board=board, prompts=prompts):
            phase = agenda.phases.get(phase_id)
            if phase is None:
                return False
            have = {(p.board, p.cluster) for p in phase.prompts}
            ids = {p.id for p in phase.prompts}
            added = False
            for p in prompts:
                if (board, p.cluster) in have or p.id in ids:
                    continue
                phase.prompts.append(Prompt(p.id, p.text, board, p.cluster))
                have.add((board, p.cluster))
                added = True
            agenda.prompts_made += len(prompts)
            return added
        case PromptEdited(phase=phase_id, prompt=prompt_id, text=text):
            phase = agenda.phases.get(phase_id)
            prompt = (
                None
                if phase is None
                else next((p for p in phase.prompts if p.id == prompt_id), None)
            )
            if prompt is None:
                return False
            prompt.text = text
            return True
        case PromptBoardsMade(phase=phase_id, made=made, to=to):
            phase = agenda.phases.get(phase_id)
            if phase is None:
                return False
            by_id = {p.id: p for p in phase.prompts}
            fresh = [m for m in made if m.prompt in by_id and by_id[m.prompt].made is None]
            for m in fresh:
                by_id[m.prompt].made = m.board
            for pid in to:
                shows = agenda.phases.get(pid)
                if shows is not None:
                    refs = [f"board:{m.board}" for m in fresh]
                    shows.activities += [r for r in refs if r not in shows.activities]
            return bool(fresh)
        case ImageSet(phase=phase_id, image=image):
            phase = agenda.phases.get(phase_id)
            if phase is None:
                return False
            phase.image = image
            return True
    return False  # pragma: no cover


def _fold_start(agenda: Agenda, event: PhaseStarted) -> bool:
    """End the current phase (whichever it is) and start ``event.phase``."""
    phase = agenda.phases.get(event.phase)
    if phase is None:
        return False
    current = agenda.phases.get(agenda.current or "")
    if current is not None:
        if current.status is PhaseStatus.PAUSED and current.paused_since is not None:
            current.paused_ms += max(0, event.at - current.paused_since)
        current.status = PhaseStatus.DONE
        current.ended_at = event.at
        current.remaining = current.paused_since = None
    phase.status = PhaseStatus.RUNNING
    phase.started_at, phase.ends_at, phase.ended_at = event.at, event.ends_at, None
    phase.remaining = phase.paused_since = None
    phase.paused_ms = phase.extended_ms = 0
    agenda.current = phase.id
    if agenda.began_at is None:
        agenda.began_at = event.at
    return True
