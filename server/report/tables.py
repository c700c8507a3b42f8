"""The report as tables, one per activity: what the CSV files and the XLSX sheets hold.

One definition serves both, so a column has the same header, order and
type in either file. Cells are typed (text, whole numbers, decimals,
shares, local date-times, dates); the writers format them for their file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import msgspec

from rooms.activities import ACTIVITIES as REGISTRY
from rooms.report.model import Report
from server.i18n import gettext
from server.report.format import Formatter
from server.report.labels import kind_label, phase_status, question_status, shown_label

Cell = str | int | float | dt.datetime | dt.date | None


class Share(float):
    """A share of a whole (0..1): a percentage in both files."""


class Table(msgspec.Struct):
    key: str  # the file name part: polls.csv
    title: str  # the sheet name
    headers: list[str]
    rows: list[list[Cell]]


_SECTIONS = sorted((s for a in REGISTRY for s in a.report), key=lambda s: s.order)

ACTIVITIES: dict[str, str] = {key: title for s in _SECTIONS for key, title in s.tables}
"""Every table with its sheet title (an English msgid), in the workbook's order: the
report's, from the activities' sections (``Activity.report``). Each has a builder below."""


def _date(iso: str | None) -> dt.date | None:
    if not iso:
        return None
    try:
        return dt.date.fromisoformat(iso)
    except ValueError:
        return None


def tables(report: Report, lang: str, f: Formatter) -> list[Table]:
    """Every activity the report has, as a table; activities it lacks are left out."""
    out = []
    for key, title in ACTIVITIES.items():
        table = _BUILDERS[key](report, lang, f)
        if table is not None:
            out.append(Table(key, gettext(lang, title), table[0], table[1]))
    return out


def table(report: Report, lang: str, f: Formatter, key: str) -> Table | None:
    if key not in ACTIVITIES:
        return None
    built = _BUILDERS[key](report, lang, f)
    return None if built is None else Table(key, gettext(lang, ACTIVITIES[key]), *built)


Built = tuple[list[str], list[list[Cell]]] | None


def _participation(report: Report, lang: str, f: Formatter) -> Built:
    p = report.participation
    if p is None:
        return None
    _ = lambda s: gettext(lang, s)  # noqa: E731
    rows: list[list[Cell]] = [
        [_("Taking part"), p.present, None],
        [_("Most at once"), p.peak, None],
        [_("Joined in all"), p.joined_ever, None],
        [_("Left"), p.left, None],
        [_("Online when this report was made"), p.online, None],
    ]
    rows += [
        [_("Organisation type") + ": " + bar.label, int(bar.value), Share(bar.share or 0.0)]
        for bar in p.organisation_types.bars
    ]
    return [_("Figure"), _("Number"), _("Share")], rows


def _polls(report: Report, lang: str, f: Formatter) -> Built:
    if not report.polls:
        return None
    _ = lambda s: gettext(lang, s)  # noqa: E731
    headers = [
        _("Poll"),
        _("Question"),
        _("Kind"),
        _("Voters"),
        _("Option"),
        _("Votes or points"),
        _("Share"),
        _("Rank"),
        _("Supporters"),
        _("Mean"),
        _("Median"),
        _("Names (named polls)"),
    ]
    rows: list[list[Cell]] = []
    for poll in report.polls:
        head: list[Cell] = [poll.number, poll.question, kind_label(lang, poll.kind), poll.voters]
        if poll.kind == "text":
            rows.append([*head, None, poll.answer_count, None, None, None, None, None, None])
            continue
        for row in poll.rows:
            value: Cell = int(row.value) if float(row.value).is_integer() else row.value
            rows.append(
                [
                    *head,
                    row.label,
                    value,
                    None if row.share is None else Share(row.share),
                    row.place,
                    row.supporters,
                    poll.mean,
                    poll.median,
                    None if row.names is None else ", ".join(row.names),
                ]
            )
    return headers, rows


def _answers(report: Report, lang: str, f: Formatter) -> Built:
    """Every answer of every text poll that is not hidden; never who wrote it."""
    texts = [p for p in report.polls or [] if p.kind == "text"]
    if not texts:
        return None
    _ = lambda s: gettext(lang, s)  # noqa: E731
    rows: list[list[Cell]] = []
    for poll in texts:
        for n, answer in enumerate(poll.answers or [], start=1):
            rows.append([poll.number, poll.question, n, answer])
    return [_("Poll"), _("Question"), _("Answer no."), _("Answer")], rows


def _ideas(report: Report, lang: str, f: Formatter) -> Built:
    if not report.boards:
        return None
    _ = lambda s: gettext(lang, s)  # noqa: E731
    rows: list[list[Cell]] = []
    for b in report.boards:
        for cl in b.clusters:
            for c in cl.cards:
                rows.append([b.number, b.prompt, cl.name, c.text, c.category, c.name, c.dots])
        for c in b.loose:
            rows.append([b.number, b.prompt, None, c.text, c.category, c.name, c.dots])
    headers = [
        _("Board"),
        _("Prompt"),
        _("Cluster"),
        _("Card"),
        _("Category"),
        _("Signed by"),
        _("Dots"),
    ]
    return headers, rows


def _dots(report: Report, lang: str, f: Formatter) -> Built:
    ranked = [b for b in report.boards or [] if b.ranking]
    if not ranked:
        return None
    _ = lambda s: gettext(lang, s)  # noqa: E731
    rows: list[list[Cell]] = [
        [b.number, b.prompt, r.rank, r.label, r.points, r.voters] for b in ranked for r in b.ranking
    ]
    return [_("Board"), _("Prompt"), _("Rank"), _("Item"), _("Dots"), _("People")], rows


def _cafe(report: Report, lang: str, f: Formatter) -> Built:
    c = report.cafe
    if c is None:
        return None
    _ = lambda s: gettext(lang, s)  # noqa: E731
    started = {r.number: r.started_at for r in c.rounds}
    rows: list[list[Cell]] = []
    for t in c.tables:
        mix = [t.organisation_types.get(label, 0) for label in c.organisation_labels]
        if not t.notes:
            rows.append([t.number, t.topic, t.host, None, None, None, t.guests, *mix])
        for n in t.notes:
            when = started.get(n.round)
            local = f.local(when) if when else None  # aware: CSV writes the offset
            rows.append([t.number, t.topic, t.host, n.round, local, n.text, t.guests, *mix])
    headers = [
        _("Table"),
        _("Topic"),
        _("Host"),
        _("Round"),
        _("Round started"),
        _("Notes"),
        _("Guests"),
        *c.organisation_labels,
    ]
    return headers, rows


def _actions(report: Report, lang: str, f: Formatter) -> Built:
    if not report.actions:
        return None
    _ = lambda s: gettext(lang, s)  # noqa: E731
    rows: list[list[Cell]] = [
        [a.number, a.title, a.what, a.owner, _date(a.due), a.source, a.joined]
        for a in report.actions
    ]
    headers = [
        _("No."),
        _("Action"),
        _("What"),
        _("Owner"),
        _("Due"),
        _("From"),
        _("People joined"),
    ]
    return headers, rows


def _questions(report: Report, lang: str, f: Formatter) -> Built:
    """Every question the room saw, with its votes and status; a name only if asked by name."""
    if not report.qna:
        return None
    _ = lambda s: gettext(lang, s)  # noqa: E731
    rows: list[list[Cell]] = []
    for s in report.qna:
        for q in s.questions:
            rows.append(
                [s.number, s.title, s.speaker, q.number, q.text, q.votes,
                 question_status(lang, q.status), q.name, _("yes") if q.starred else None,
                 q.merged or None]
            )  # fmt: skip
    headers = [
        _("Session"),
        _("Title"),
        _("Addressed to"),
        _("Rank"),
        _("Question"),
        _("Votes"),
        _("Status"),
        _("Asked by"),
        _("Starred"),
        _("Duplicates merged"),
    ]
    return headers, rows


def _speakers(report: Report, lang: str, f: Formatter) -> Built:
    sp = report.speakers
    if sp is None:
        return None
    _ = lambda s: gettext(lang, s)  # noqa: E731
    rows: list[list[Cell]] = [
        [t.number, t.name, t.organisation_type, t.subject or None,
         _("Direct reply") if t.direct else None, t.seconds]
        for t in sp.turns
    ]  # fmt: skip
    headers = [
        _("No."),
        _("Speaker"),
        _("Organisation type"),
        _("Subject"),
        _("Kind"),
        _("Speaking time (s)"),
    ]
    return headers, rows


def _speaking_time(report: Report, lang: str, f: Formatter) -> Built:
    sp = report.speakers
    if sp is None or not sp.by_type:
        return None
    _ = lambda s: gettext(lang, s)  # noqa: E731
    rows: list[list[Cell]] = [
        [r.label, r.people, r.turns, r.seconds, Share(r.share)] for r in sp.by_type
    ]
    headers = [
        _("Organisation type"),
        _("People"),
        _("Contributions"),
        _("Speaking time (s)"),
        _("Share"),
    ]
    return headers, rows


def _agenda(report: Report, lang: str, f: Formatter) -> Built:
    """Each phase: plan, local start and end, actual minutes and the deviation (numbers)."""
    ag = report.agenda
    if ag is None:
        return None
    _ = lambda s: gettext(lang, s)  # noqa: E731

    def minutes(seconds: int | None) -> float | None:
        return None if seconds is None else round(seconds / 60, 1)

    rows: list[list[Cell]] = [
        [p.number, p.title, phase_status(lang, p.status), p.minutes,
         f.local(p.planned_start) if p.planned_start else None,
         f.local(p.started_at) if p.started_at else None,
         f.local(p.ended_at) if p.ended_at else None,
         minutes(p.actual_seconds), minutes(p.over_seconds),
         "; ".join(shown_label(lang, a.kind, a.name) for a in p.activities) or None]
        for p in ag.phases
    ]  # fmt: skip
    headers = [
        _("No."),
        _("Phase"),
        _("Status"),
        _("Planned (min)"),
        _("Planned start"),
        _("Start"),
        _("End"),
        _("Actual (min)"),
        _("Over/under plan (min)"),
        _("Showed"),
    ]
    return headers, rows


def _chain(report: Report, lang: str, f: Formatter) -> Built:
    if not report.chain:
        return None
    _ = lambda s: gettext(lang, s)  # noqa: E731
    rows: list[list[Cell]] = [
        [c.board, c.cluster, c.phase, c.prompt, "; ".join(c.actions) or None] for c in report.chain
    ]
    headers = [_("Board"), _("Critique (cluster)"), _("Phase"), _("Prompt"), _("Actions")]
    return headers, rows


_BUILDERS: dict[str, Callable[[Report, str, Formatter], Built]] = {
    "participation": _participation,
    "agenda": _agenda,
    "polls": _polls,
    "answers": _answers,
    "ideas": _ideas,
    "dots": _dots,
    "cafe": _cafe,
    "questions": _questions,
    "speakers": _speakers,
    "speaking_time": _speaking_time,
    "actions": _actions,
    "chain": _chain,
}
if set(_BUILDERS) != set(ACTIVITIES):
    raise TypeError(
        f"tables without a builder or builders without a table: {set(_BUILDERS) ^ set(ACTIVITIES)}"
    )
