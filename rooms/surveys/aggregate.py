"""Results of a survey: per question, and broken down by another question.

Pure functions of (definition, responses), so the results page, the API and
the property tests compute the same numbers. Personal questions (contacts)
are never aggregated.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence

import msgspec

from rooms.surveys.answers import Answers, chosen, other_key
from rooms.surveys.definition import BREAKDOWN, OTHER, Kind, Question, Survey

TEXTS_SHOWN = 200  # the newest free texts a result lists


class Count(msgspec.Struct, frozen=True):
    key: str
    label: str
    count: int


class RowResult(msgspec.Struct, frozen=True):
    """A matrix row (counts per column), or a ranked option (counts per place)."""

    key: str
    label: str
    answered: int
    counts: list[Count]
    mean: float | None = None  # the mean column index (1-based), or the mean place


class QuestionResult(msgspec.Struct, frozen=True, omit_defaults=True):
    question: str
    kind: Kind
    text: str
    answered: int
    counts: list[Count] = []
    other: list[str] = []
    rows: list[RowResult] = []
    mean: float | None = None
    median: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    texts: list[str] = []


class Group(msgspec.Struct, frozen=True):
    key: str
    label: str
    responses: int
    questions: list[QuestionResult]


class Results(msgspec.Struct, frozen=True, omit_defaults=True):
    responses: int
    questions: list[QuestionResult]
    by: str | None = None
    groups: list[Group] = []


def bucket(q: Question, answer: object) -> str | None:
    """The category of a postcode (its first two digits) or a date (its month)."""
    if not isinstance(answer, str):
        return None
    if q.kind == Kind.POSTCODE:
        return answer[:2]
    if q.kind == Kind.DATE:
        return answer[:7]
    return answer


def _counts(q: Question, responses: Sequence[Answers]) -> list[Count]:
    tally: Counter[str] = Counter()
    for r in responses:
        if q.id not in r:
            continue
        if q.kind in (Kind.POSTCODE, Kind.DATE):
            key = bucket(q, r[q.id])
            if key is not None:
                tally[key] += 1
        else:
            tally.update(chosen(r[q.id]))
    if q.kind in (Kind.POSTCODE, Kind.DATE):
        return [Count(k, k, tally[k]) for k in sorted(tally)]
    options = [(o.id, o.label) for o in q.choices()]
    if q.other:
        options.append((OTHER, OTHER))
    return [Count(key, label, tally[key]) for key, label in options]


def _numbers(values: list[float]) -> tuple[float | None, float | None, float | None, float | None]:
    """Mean, median, minimum and maximum (None without values)."""
    if not values:
        return None, None, None, None
    return (
        statistics.fmean(values),
        float(statistics.median(values)),
        float(min(values)),
        float(max(values)),
    )


def question_result(q: Question, responses: Sequence[Answers]) -> QuestionResult:
    """One question's result over these responses."""
    given = [r for r in responses if q.id in r]
    head = (q.id, q.kind, q.text, len(given))
    if q.personal:
        return QuestionResult(*head)
    if q.kind in (Kind.SINGLE, Kind.MULTIPLE, Kind.REGION, Kind.ORGANISATION):
        others = [str(r[other_key(q.id)]) for r in given if other_key(q.id) in r]
        return QuestionResult(*head, counts=_counts(q, given), other=others[-TEXTS_SHOWN:])
    if q.kind in (Kind.SCALE, Kind.NUMBER):
        values = [float(v) for r in given if isinstance(v := r[q.id], int | float)]
        counts = _counts(q, given) if q.kind == Kind.SCALE else []
        mean, median, low, high = _numbers(values)
        return QuestionResult(
            *head, counts=counts, mean=mean, median=median, minimum=low, maximum=high
        )
    if q.kind in (Kind.POSTCODE, Kind.DATE):
        return QuestionResult(*head, counts=_counts(q, given))
    if q.kind == Kind.MATRIX:
        columns = q.options
        rows = []
        for row in q.rows:
            picks = [v[row.id] for r in given if isinstance(v := r[q.id], dict) and row.id in v]
            tally = Counter(picks)
            places = [i + 1 for i, c in enumerate(columns) for _ in range(tally[c.id])]
            rows.append(
                RowResult(
                    row.id,
                    row.label,
                    len(picks),
                    [Count(c.id, c.label, tally[c.id]) for c in columns],
                    statistics.fmean(places) if places else None,
                )
            )
        return QuestionResult(*head, rows=rows)
    if q.kind == Kind.RANKING:
        rows = []
        n = len(q.options)
        for option in q.options:
            places = [
                v.index(option.id) + 1
                for r in given
                if isinstance(v := r[q.id], list) and option.id in v
            ]
            by_place: Counter[int] = Counter(places)
            rows.append(
                RowResult(
                    option.id,
                    option.label,
                    len(places),
                    [Count(str(p), str(p), by_place[p]) for p in range(1, n + 1)],
                    statistics.fmean(places) if places else None,
                )
            )
        rows.sort(key=lambda row: (row.mean is None, row.mean or 0.0))
        return QuestionResult(*head, rows=rows)
    texts = [str(r[q.id]) for r in given]
    return QuestionResult(*head, texts=texts[-TEXTS_SHOWN:])


def aggregate(survey: Survey, responses: Sequence[Answers], by: str | None = None) -> Results:
    """Every question's result, and with ``by`` the same per answer to that question.

    ``by`` must name a question that has one category per response (single
    choice, scale, region, organisation type, postcode); responses without an
    answer to it are in no group.
    """
    questions = [question_result(q, responses) for q in survey.questions()]
    target = survey.question(by) if by else None
    if target is None or target.kind not in BREAKDOWN or target.personal:
        return Results(len(responses), questions)
    members: dict[str, list[Answers]] = {}
    for r in responses:
        if target.id in r:
            key = bucket(
                target, chosen(r[target.id]).pop() if target.kind == Kind.SCALE else r[target.id]
            )
            if key is not None:
                members.setdefault(key, []).append(r)
    labels = {c.key: c.label for c in _counts(target, responses)}
    groups = [
        Group(
            key,
            labels.get(key, key),
            len(members[key]),
            [question_result(q, members[key]) for q in survey.questions()],
        )
        for key in labels
        if key in members
    ]
    return Results(len(responses), questions, target.id, groups)
