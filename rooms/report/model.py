"""The report's msgspec Structs: one per section, plain data for every output format.

Labels are final text (option labels, card texts, translated organisation
types passed in by the caller); numbers are the console's. Times are
milliseconds since the epoch; the renderers turn them into local times.
"""

from __future__ import annotations

import msgspec

from rooms.report.charts import BarChart, CloudWord


class Cover(msgspec.Struct, frozen=True, kw_only=True):
    title: str
    code: str
    format: str
    language: str
    status: str
    date: str | None
    place: str | None
    organisers: str | None
    region: str | None
    created_at: int
    generated_at: int


class Participation(msgspec.Struct, frozen=True, kw_only=True):
    present: int  # joined and not left: the console's "joined"
    joined_ever: int
    left: int
    peak: int  # the most present at once, from the log
    online: int  # connected when the report was made
    organisation_types: BarChart  # present participants by type, labels translated


class OptionRow(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One line of a poll's numbers. ``value`` is a count, a Borda score or a points total."""

    label: str
    value: float
    share: float | None = None  # of the voters (choice and scale polls)
    supporters: int | None = None  # points: ballots giving it at least one point
    place: int | None = None  # ranking: its place, equal for ties
    names: list[str] | None = None  # named polls only, present people only


class PollReport(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    number: int
    id: str
    question: str
    kind: str
    status: str
    anonymous: bool
    voters: int
    rows: list[OptionRow]
    chart: BarChart | None = None
    mean: float | None = None  # scale
    median: float | None = None  # scale
    min_label: str = ""
    max_label: str = ""
    budget: int | None = None  # points per person
    words: list[CloudWord] = msgspec.field(default_factory=list)  # text
    answers: list[str] | None = None  # text: every answer not hidden, when asked for
    answer_count: int = 0  # text: answers not hidden


class CardReport(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    id: str
    text: str
    name: str | None = None  # only on cards their author signed, while the author takes part
    category: str | None = None
    merged: int = 0
    dots: int | None = None  # when dots went on cards


class ClusterReport(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    id: str
    name: str
    cards: list[CardReport]
    dots: int | None = None  # when dots went on clusters
    rank: int | None = None


class RankedRow(msgspec.Struct, frozen=True):
    label: str
    points: int
    rank: int
    voters: int


class BoardReport(msgspec.Struct, frozen=True, kw_only=True):
    number: int
    id: str
    prompt: str
    cards: int  # public cards
    clusters: list[ClusterReport]
    loose: list[CardReport]
    dots_on: str  # "clusters" | "ideas"
    dot_voters: int
    ranking: list[RankedRow]
    chart: BarChart | None


class NoteReport(msgspec.Struct, frozen=True):
    round: int
    text: str


class TableReport(msgspec.Struct, frozen=True, kw_only=True):
    number: int
    topic: str
    host: str | None
    notes: list[NoteReport]
    guests: int  # different people seated here over the rounds played
    organisation_types: dict[str, int]  # label -> seats over the rounds played


class RoundReport(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    number: int
    status: str
    seated: int
    started_at: int | None = None
    ended_at: int | None = None


class CafeReport(msgspec.Struct, frozen=True, kw_only=True):
    tables: list[TableReport]
    rounds: list[RoundReport]
    round_minutes: float
    repeats: int  # the console's quality figures, over every round planned or played
    revisits: int
    mix: float
    organisation_labels: list[str]  # the columns of the per-table mix, in order


class ActionReport(msgspec.Struct, frozen=True, kw_only=True):
    number: int
    title: str
    what: str
    owner: str
    due: str | None
    source: str | None  # the cluster's name or the card's text it came from
    joined: int  # never names or contacts


class QuestionReport(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A question the room saw (not pending, hidden or merged into another one)."""

    number: int  # its place in the session, by votes (ties: the older first)
    text: str
    votes: int  # after merges: the union of voters, nobody twice; never who
    status: str  # "answered" | "open" (still waiting) | "live" | "archived"
    name: str | None = None  # only when asked by name, while the asker takes part
    starred: bool = False
    merged: int = 0  # duplicates merged into it


class QnaReport(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    number: int
    id: str
    title: str
    speaker: str | None = None
    mode: str  # "open" | "moderated"
    questions: list[QuestionReport]
    asked: int  # every question asked, hidden and merged ones too
    answered: int
    open: int  # still waiting (or on stage) when the report was made
    askers: int  # different people who asked
    anonymous: int  # questions asked without a name
    voters: int  # different people who upvoted (a count, never who)


class TurnReport(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One finished turn at the microphone."""

    number: int
    name: str | None  # None: the speaker has since left the event (or deleted their data)
    organisation_type: str  # the translated label
    subject: str = ""
    seconds: int
    direct: bool = False  # a direct reply


class TypeRow(msgspec.Struct, frozen=True, kw_only=True):
    """Speaking by organisation type: the console's statistics."""

    label: str
    people: int
    turns: int
    seconds: int
    share: float  # of all speaking time


class SpeakersReport(msgspec.Struct, frozen=True, kw_only=True):
    turns: list[TurnReport]
    by_type: list[TypeRow]
    chart: BarChart  # speaking time (minutes) by organisation type
    people: int
    seconds: int  # every finished turn
    seconds_limit: int  # the speaking-time limit per turn at the end, 0 = none
    alternate: str  # "none" | "organisation" | "first_time"
    waiting: int  # still on the list when the report was made


class ShownActivity(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """An activity a phase showed: its kind (poll, board, qna, cafe, speakers, actions) and,
    for a single poll, board or Q&A session, its question, prompt or title."""

    kind: str
    name: str | None = None


class PhaseReport(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One phase as it actually ran (its last run, if it was started again)."""

    number: int
    title: str
    minutes: int  # planned
    status: str  # "planned" | "running" | "paused" | "done"
    planned_start: int | None = None  # if the plan had held from the first start on
    started_at: int | None = None
    ended_at: int | None = None
    actual_seconds: int | None = None  # from start to end, pauses included; done phases only
    over_seconds: int | None = None  # actual minus planned; negative: under plan
    activities: list[ShownActivity] = msgspec.field(default_factory=list)


class AgendaReport(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    phases: list[PhaseReport]
    began_at: int | None = None
    planned_minutes: int  # every phase
    planned_end: int | None = None  # began_at plus every planned minute
    ended_at: int | None = None  # when the last phase ended, if every started phase is done


class ChainLink(msgspec.Struct, frozen=True, kw_only=True):
    """A critique cluster carried forward as a prompt, and the actions made from it.

    ``actions`` are those whose recorded source is this cluster, or a card or
    cluster of a board shown in the phase the prompt was carried into (the
    fantasy board; shared by every prompt of that phase, as the log links the
    prompt to the phase, not to a card of its board)."""

    board: str  # the critique board's prompt
    cluster: str  # the cluster's name
    phase: str  # the phase it was carried into
    prompt: str  # the prompt as it stands (moderators may have edited it)
    actions: list[str]  # titles


class Report(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """The whole documentation; a section left out by the moderator is None."""

    version: int = 1
    sections: list[str]
    cover: Cover
    participation: Participation | None = None
    polls: list[PollReport] | None = None
    boards: list[BoardReport] | None = None
    agenda: AgendaReport | None = None
    cafe: CafeReport | None = None
    qna: list[QnaReport] | None = None
    speakers: SpeakersReport | None = None
    actions: list[ActionReport] | None = None
    chain: list[ChainLink] | None = None
