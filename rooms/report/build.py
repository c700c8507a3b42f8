"""Build the report from a room: :func:`build_report` and its sections.

Every number comes from :func:`rooms.views.moderator_view`, the console's
view, never from a second count over the state: what the PDF says is what
the console said. The state is read only for what no view carries (the
event's details, the peak of people present, who left).

Adding a section means: a Struct in
``model.py``, a builder here, its key in :data:`SECTIONS` and a template in
``templates/report/sections/``. A section with nothing in it is left out
rather than printed empty.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Mapping

import msgspec

from rooms import views
from rooms.agenda.domain import MINUTE
from rooms.ideas.views import BoardView
from rooms.polls.tally import (
    ChoiceResults,
    PointsResults,
    RankingResults,
    ScaleResults,
    TextResults,
)
from rooms.polls.views import PollView
from rooms.report.charts import bar_chart, word_cloud
from rooms.report.model import (
    ActionReport,
    AgendaReport,
    BoardReport,
    CafeReport,
    CardReport,
    ChainLink,
    ClusterReport,
    Cover,
    NoteReport,
    OptionRow,
    Participation,
    PhaseReport,
    PollReport,
    QnaReport,
    QuestionReport,
    RankedRow,
    Report,
    RoundReport,
    ShownActivity,
    SpeakersReport,
    TableReport,
    TurnReport,
    TypeRow,
)
from rooms.room import RoomState

# The sections a moderator can tick, in the report's order. The cover is always there.
SECTIONS: tuple[str, ...] = (
    "participation",
    "agenda",
    "polls",
    "boards",
    "cafe",
    "qna",
    "speakers",
    "actions",
    "chain",
)


class Inputs(msgspec.Struct, frozen=True):
    """What a section builder reads."""

    state: RoomState
    view: views.View
    org_labels: Mapping[str, str]  # organisation type key (and "unknown") -> shown label
    answers: bool  # text polls: list every answer that is not hidden


def build_report(
    state: RoomState,
    online: Collection[str],
    now: int,
    org_labels: Mapping[str, str],
    sections: Collection[str] | None = None,
    answers: bool = False,
) -> Report:
    """The report of a room as it stands at ``now`` (ms since the epoch, from the caller).

    ``sections`` are the ticked ones (None: all); unknown keys are ignored.
    """
    view = views.moderator_view(state, frozenset(online), limit=0)
    wanted = [s for s in SECTIONS if sections is None or s in sections]
    inputs = Inputs(state, view, org_labels, answers)
    parts = {key: _BUILDERS[key](inputs) for key in wanted}
    # A section with nothing in it (no café in this event) is left out, not printed empty.
    present = [key for key in wanted if parts[key] not in (None, [])]
    report = Report(sections=present, cover=_cover(state, view, now))
    return msgspec.structs.replace(report, **{key: parts[key] for key in present})


def _cover(state: RoomState, view: views.View, now: int) -> Cover:
    details = state.lobby.details
    return Cover(
        title=view.title,
        code=view.code,
        format=view.format,
        language=view.language,
        status=view.status,
        date=view.date,
        place=details.place,
        organisers=details.organisers,
        region=details.region,
        created_at=state.lobby.created_at,
        generated_at=now,
    )


def _participation(inputs: Inputs) -> Participation:
    lobby = inputs.state.lobby
    mix = inputs.view.organisation_types
    labels = inputs.org_labels
    return Participation(
        present=inputs.view.participants.joined,
        joined_ever=len(lobby.participants),
        left=len(lobby.participants) - lobby.joined,
        peak=lobby.peak,
        online=inputs.view.participants.online,
        organisation_types=bar_chart([(labels.get(k, k), float(n)) for k, n in mix.items()]),
    )


def _polls(inputs: Inputs) -> list[PollReport]:
    """Polls that ran: drafts were never shown to anyone and are not documented."""
    out = []
    shown = [p for p in inputs.view.polls if p.status != "draft"]
    for number, poll in enumerate(shown, start=1):
        out.append(_poll(number, poll, inputs.answers))
    return out


def _poll(number: int, poll: PollView, answers: bool) -> PollReport:
    labels = {o.id: o.label for o in poll.options}
    s = poll.settings
    base = PollReport(
        number=number,
        id=poll.id,
        question=poll.question,
        kind=poll.kind,
        status=poll.status,
        anonymous=s.anonymous,
        voters=poll.voters or 0,
        rows=[],
    )
    done = functools.partial(msgspec.structs.replace, base)
    match poll.results:
        case ChoiceResults(voters=voters, counts=counts, names=names):
            rows = [
                OptionRow(
                    label=labels[o],
                    value=n,
                    share=n / voters if voters else 0.0,
                    names=None if names is None or s.anonymous else list(names.get(o, [])),
                )
                for o, n in counts.items()
            ]
            chart = bar_chart([(labels[o], float(n)) for o, n in counts.items()], of=voters)
            return done(voters=voters, rows=rows, chart=chart)
        case ScaleResults(voters=voters, distribution=dist, mean=mean, median=median):
            rows = [
                OptionRow(label=v, value=n, share=n / voters if voters else 0.0)
                for v, n in dist.items()
            ]
            chart = bar_chart([(v, float(n)) for v, n in dist.items()], of=voters)
            return done(
                voters=voters,
                rows=rows,
                chart=chart,
                mean=mean,
                median=median,
                min_label=s.min_label,
                max_label=s.max_label,
            )
        case RankingResults(voters=voters, scores=scores, order=order, places=places):
            rows = [OptionRow(label=labels[o], value=scores[o], place=places[o]) for o in order]
            chart = bar_chart([(labels[o], float(scores[o])) for o in order], shares=False)
            return done(voters=voters, rows=rows, chart=chart)
        case PointsResults(voters=voters, totals=totals, supporters=supporters):
            order = sorted(totals, key=lambda o: -totals[o])  # stable: ties keep option order
            rows = [
                OptionRow(label=labels[o], value=totals[o], supporters=supporters[o]) for o in order
            ]
            chart = bar_chart([(labels[o], float(totals[o])) for o in order], shares=False)
            return done(voters=voters, rows=rows, chart=chart, budget=s.budget)
        case TextResults(voters=voters, answers=given, words=words):
            shown = [a.text for a in given if not a.hidden]
            return done(
                voters=voters,
                rows=[],
                words=word_cloud([(w.label, w.count) for w in words]),
                answers=list(reversed(shown)) if answers else None,  # oldest first, as given
                answer_count=len(shown),
            )
    raise AssertionError(poll.kind)  # pragma: no cover - moderators always see results


def _boards(inputs: Inputs) -> list[BoardReport]:
    return [_board(n, b) for n, b in enumerate(inputs.view.boards, start=1)]


def _board(number: int, board: BoardView) -> BoardReport:
    """Public cards only: a hidden or still queued card was never part of the result."""
    public = {c.id: c for c in board.ideas if c.status == "public"}
    on_cards = board.dots.on == "ideas"
    ranked = {r.item: r for r in board.dots.ranking}

    def card(i: str) -> CardReport:
        c = public[i]
        return CardReport(
            id=c.id,
            text=c.text,
            name=c.name,
            category=c.category,
            merged=c.merged,
            dots=ranked[i].points if on_cards and i in ranked else None,
        )

    clusters = [
        ClusterReport(
            id=cl.id,
            name=cl.name,
            cards=[card(i) for i in cl.ideas if i in public],
            dots=None if on_cards or cl.id not in ranked else ranked[cl.id].points,
            rank=None if on_cards or cl.id not in ranked else ranked[cl.id].rank,
        )
        for cl in board.clusters
    ]
    shown = set(public) | {cl.id for cl in board.clusters}
    ranking = [
        RankedRow(r.label, r.points, r.rank, r.voters)
        for r in board.dots.ranking
        if r.item in shown and r.points > 0
    ]
    chart = (
        bar_chart([(r.label, float(r.points)) for r in ranking[:15]], shares=False)
        if ranking
        else None
    )
    return BoardReport(
        number=number,
        id=board.id,
        prompt=board.prompt,
        cards=board.count,
        clusters=clusters,
        loose=[card(i) for i in board.loose if i in public],
        dots_on=board.dots.on,
        dot_voters=board.dots.voters,
        ranking=ranking,
        chart=chart,
    )


def _cafe(inputs: Inputs) -> CafeReport | None:
    cafe = inputs.view.cafe
    if cafe is None:
        return None
    labels = inputs.org_labels
    org_of = {p.id: p.organisation_type or "unknown" for p in cafe.people or []}
    played = [r for r in cafe.rounds if r.status != "planned"]
    seats: dict[str, dict[str, int]] = {t.id: {} for t in cafe.tables}
    guests: dict[str, set[str]] = {t.id: set() for t in cafe.tables}
    for r in played:
        for person, table in (r.assignments or {}).items():
            if table not in seats:
                continue
            guests[table].add(person)
            org = labels.get(org_of.get(person, "unknown"), org_of.get(person, "unknown"))
            seats[table][org] = seats[table].get(org, 0) + 1
    columns = [label for key, label in labels.items() if any(label in s for s in seats.values())]
    tables = [
        TableReport(
            number=t.number,
            topic=t.topic,
            host=t.host_name,
            notes=[NoteReport(n.round, n.text) for n in t.notes],
            guests=len(guests[t.id]),
            organisation_types={c: seats[t.id].get(c, 0) for c in columns},
        )
        for t in cafe.tables
    ]
    quality = cafe.quality
    return CafeReport(
        tables=tables,
        rounds=[
            RoundReport(
                number=r.number,
                status=r.status,
                seated=r.seated,
                started_at=r.started_at,
                ended_at=r.ended_at,
            )
            for r in cafe.rounds
        ],
        round_minutes=cafe.round_minutes,
        repeats=quality.repeats if quality else 0,
        revisits=quality.revisits if quality else 0,
        mix=quality.mix if quality else 0.0,
        organisation_labels=columns,
    )


def _actions(inputs: Inputs) -> list[ActionReport]:
    """Owner, due date and how many joined: never a name or a contact of those who joined."""
    sources: dict[str, str] = {}
    for board in inputs.view.boards:
        sources.update({c.id: c.name for c in board.clusters})
        sources.update({c.id: c.text for c in board.ideas if c.status == "public"})
    return [
        ActionReport(
            number=n,
            title=a.title,
            what=a.what,
            owner=a.owner,
            due=a.due,
            source=sources.get(a.source) if a.source else None,
            joined=a.joined,
        )
        for n, a in enumerate(inputs.view.actions, start=1)
    ]


# Questions the room saw; pending ones never were public, hidden ones were withdrawn by the
# moderators, merged ones live on in the question they were merged into.
_REPORTED = {"visible": "open", "live": "live", "answered": "answered", "archived": "archived"}


def _present(inputs: Inputs, participant: str | None) -> bool:
    """Whether a person still takes part: a leaver's name leaves the report (as on cards)."""
    if participant is None:
        return True
    person = inputs.state.lobby.participants.get(participant)
    return person is not None and not person.left


def _qna(inputs: Inputs) -> list[QnaReport]:
    """Each session's questions with their votes and whether they were answered.

    Counts come from the console's view; the state is read only for who
    asked (to count askers, and to drop a leaver's name), never put in the
    report: an anonymous question carries no name and no id, and upvotes
    are counts only (nobody, moderators included, sees who upvoted).
    """
    qna = inputs.state.qna
    out = []
    for number, session in enumerate(inputs.view.qna, start=1):
        merged: dict[str, int] = {}
        for q in session.questions:
            if q.merged_into:
                merged[q.merged_into] = merged.get(q.merged_into, 0) + 1
        reported = [q for q in session.questions if q.status in _REPORTED]
        questions = [
            QuestionReport(
                number=place,
                text=q.text,
                votes=q.votes,
                status=_REPORTED[q.status],
                name=q.name if _present(inputs, qna.questions[q.id].participant) else None,
                starred=q.starred,
                merged=merged.get(q.id, 0),
            )
            for place, q in enumerate(reported, start=1)
        ]
        asked = [qna.questions[q.id] for q in session.questions]
        voters = set().union(*(q.voters for q in asked)) if asked else set()
        out.append(
            QnaReport(
                number=number,
                id=session.id,
                title=session.title,
                speaker=session.speaker,
                mode=session.mode,
                questions=questions,
                asked=len(asked),
                answered=sum(1 for q in questions if q.status == "answered"),
                open=sum(1 for q in questions if q.status in ("open", "live")),
                askers=len({q.participant for q in asked}),
                anonymous=sum(1 for q in asked if q.name is None),
                voters=len(voters),
            )
        )
    return out


def _speakers(inputs: Inputs) -> SpeakersReport | None:
    """Who spoke, how long, and speaking time by organisation type (the console's figures)."""
    view = inputs.view.speakers
    sp = inputs.state.speakers
    if not sp.history and not view.queue and view.current is None:
        return None  # the speaker list was never used
    labels = inputs.org_labels
    turns = []
    for number, spoken in enumerate(sp.history, start=1):
        entry = sp.entries[spoken.entry]
        kind = entry.organisation_type.value if entry.organisation_type else "unknown"
        turns.append(
            TurnReport(
                number=number,
                name=(entry.name or None) if _present(inputs, entry.participant) else None,
                organisation_type=labels.get(kind, kind),
                subject=entry.subject,
                seconds=round(spoken.ms / 1000),
                direct=entry.direct,
            )
        )
    stats = view.stats or {}
    total = sum(t.seconds for t in stats.values())
    by_type = [
        TypeRow(
            label=labels.get(kind, kind),
            people=t.people,
            turns=t.turns,
            seconds=t.seconds,
            share=t.seconds / total if total else 0.0,
        )
        for kind, t in stats.items()
    ]
    chart = bar_chart([(r.label, round(r.seconds / 60, 1)) for r in by_type], shares=False)
    return SpeakersReport(
        turns=turns,
        by_type=by_type,
        chart=chart,
        people=len({sp.entries[s.entry].key for s in sp.history}),
        seconds=total,
        seconds_limit=view.seconds,
        alternate=view.alternate,
        waiting=len(view.queue),
    )


def _shown(inputs: Inputs, ref: str) -> ShownActivity:
    """A phase's reference as the report names it: a poll's question, a board's prompt."""
    kind, _, key = ref.partition(":")
    names: dict[str, dict[str, str]] = {
        "poll": {p.id: p.question for p in inputs.view.polls},
        "board": {b.id: b.prompt for b in inputs.view.boards},
        "qna": {s.id: s.title for s in inputs.view.qna},
    }
    return ShownActivity(kind=kind, name=names.get(kind, {}).get(key) if key else None)


def _agenda(inputs: Inputs) -> AgendaReport | None:
    """Each phase with its plan and what really happened, from the log's timestamps.

    Actual length runs from start to end, pauses included (the room waited
    too); a phase started again counts from its last start. A phase still
    running has no length yet: the report does not guess its end.
    """
    view = inputs.view.agenda
    if not view.phases:
        return None
    phases = []
    for number, p in enumerate(view.phases, start=1):
        actual = over = None
        if p.status == "done" and p.started_at is not None and p.ended_at is not None:
            actual = round((p.ended_at - p.started_at) / 1000)
            over = actual - p.minutes * 60
        phases.append(
            PhaseReport(
                number=number,
                title=p.title,
                minutes=p.minutes,
                status=p.status,
                planned_start=p.planned_start,
                started_at=p.started_at,
                ended_at=p.ended_at if p.status == "done" else None,
                actual_seconds=actual,
                over_seconds=over,
                activities=[_shown(inputs, ref) for ref in p.activities],
            )
        )
    started = [p for p in phases if p.started_at is not None]
    ended = None
    if started and all(p.status == "done" for p in started):
        ended = max(p.ended_at or 0 for p in started) or None
    planned = sum(p.minutes for p in view.phases)
    return AgendaReport(
        phases=phases,
        began_at=view.began_at,
        planned_minutes=planned,
        planned_end=view.began_at + planned * MINUTE if view.began_at is not None else None,
        ended_at=ended,
    )


def _chain(inputs: Inputs) -> list[ChainLink]:
    """Critique cluster → carried prompt → the actions made from either end of it.

    The log links an action to the card or cluster it was made from (``source``),
    and a prompt to its critique cluster; the phase links the prompt to the boards
    it showed (the fantasy board). So a prompt's actions are those made from its
    critique cluster, and those made from a card or cluster of a board shown in
    the phase it was carried into (shared by every prompt of that phase).
    """
    boards = {b.id: b for b in inputs.view.boards}
    out = []
    for phase in inputs.view.agenda.phases:
        shown = [
            boards[ref[6:]] for ref in phase.activities if ref[6:] in boards and ref[:6] == "board:"
        ]
        later = {c.id for b in shown for c in b.clusters} | {i.id for b in shown for i in b.ideas}
        for prompt in phase.prompts:
            if prompt.board is None or prompt.cluster is None:
                continue  # written by hand, not carried
            board = boards.get(prompt.board)
            cluster = (
                next((c for c in board.clusters if c.id == prompt.cluster), None) if board else None
            )
            out.append(
                ChainLink(
                    board=board.prompt if board else "",
                    cluster=cluster.name if cluster else prompt.text,
                    phase=phase.title,
                    prompt=prompt.text,
                    actions=[
                        a.title
                        for a in inputs.view.actions
                        if a.source is not None
                        and (a.source == prompt.cluster or a.source in later)
                    ],
                )
            )
    return out


_BUILDERS: dict[str, Callable[[Inputs], object]] = {
    "participation": _participation,
    "agenda": _agenda,
    "polls": _polls,
    "boards": _boards,
    "cafe": _cafe,
    "qna": _qna,
    "speakers": _speakers,
    "actions": _actions,
    "chain": _chain,
}
