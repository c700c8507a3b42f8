"""Answers to a survey: which questions are visible, and whether a response is whole.

A response is a dict from question id to a JSON value; the text of "Sonstiges"
travels under ``<question id>.other``. The server checks a whole response with
:func:`problems` before it is written, and each page of the form with the same
function restricted to that section, so the browser and the API agree.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import date

import msgspec

from rooms.surveys.definition import OTHER, OTHER_TEXT, Kind, Question, Survey

Answer = str | int | float | list[str] | dict[str, str]
Answers = dict[str, Answer]

_POSTCODE = re.compile(r"^[0-9]{5}$")


class Problem(msgspec.Struct, frozen=True):
    """Why an answer is refused: the question it is about and a reason key."""

    question: str
    reason: str


def other_key(qid: str) -> str:
    return f"{qid}.{OTHER}"


def chosen(answer: Answer | None) -> set[str]:
    """The option keys an answer names (a number on a scale as its text)."""
    if isinstance(answer, list):
        return {str(a) for a in answer}
    if isinstance(answer, bool) or answer is None or isinstance(answer, dict):
        return set()
    if isinstance(answer, float) and answer.is_integer():
        return {str(int(answer))}
    return {str(answer)}


def visible(survey: Survey, answers: Mapping[str, Answer]) -> set[str]:
    """The ids of the questions asked, given these answers (conditions in order)."""
    shown: set[str] = set()
    for q in survey.questions():
        cond = q.show_if
        if cond is None or (
            cond.question in shown and chosen(answers.get(cond.question)) & set(cond.one_of)
        ):
            shown.add(q.id)
    return shown


def prune(survey: Survey, answers: Mapping[str, Answer]) -> Answers:
    """Only the answers to visible questions (and "Sonstiges" where "other" is chosen).

    The form keeps what someone typed before they went back and changed an
    earlier answer; what is no longer asked is dropped before it is checked.
    """
    shown = visible(survey, answers)
    kept: Answers = {}
    for q in survey.questions():
        if q.id not in shown or q.id not in answers:
            continue
        kept[q.id] = answers[q.id]
        extra = answers.get(other_key(q.id))
        if q.other and OTHER in chosen(answers[q.id]) and isinstance(extra, str) and extra.strip():
            kept[other_key(q.id)] = extra
    return kept


def empty(answer: Answer | None) -> bool:
    return answer is None or answer in ("", [], {})


def _number(q: Question, value: Answer) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "answer_invalid"
    if value != value or value in (float("inf"), float("-inf")):
        return "answer_invalid"
    if q.integer and not float(value).is_integer():
        return "number_not_whole"
    if (q.minimum is not None and value < q.minimum) or (
        q.maximum is not None and value > q.maximum
    ):
        return "number_out_of_range"
    return None


def _one_answer(q: Question, value: Answer, other: Answer | None) -> str | None:
    """The reason this (non-empty) answer does not fit its question, or None."""
    keys = {o.id for o in q.choices()}
    if q.kind in (Kind.SINGLE, Kind.REGION, Kind.ORGANISATION, Kind.SCALE):
        if q.kind == Kind.SCALE:
            if isinstance(value, bool) or not isinstance(value, int):
                return "answer_invalid"
            return None if q.low <= value <= q.high else "number_out_of_range"
        if not isinstance(value, str):
            return "answer_invalid"
        if value == OTHER and q.other:
            return None if isinstance(other, str) and other.strip() else "other_missing"
        return None if value in keys else "choice_invalid"
    if q.kind == Kind.MULTIPLE:
        if not isinstance(value, list) or len(set(value)) != len(value):
            return "answer_invalid"
        if not set(value) <= keys | ({OTHER} if q.other else set()):
            return "choice_invalid"
        if q.max_choices is not None and len(value) > q.max_choices:
            return "too_many_choices"
        if OTHER in value and not (isinstance(other, str) and other.strip()):
            return "other_missing"
        return None
    if q.kind == Kind.MATRIX:
        if not isinstance(value, dict):
            return "answer_invalid"
        rows = {r.id for r in q.rows}
        if not set(value) <= rows or not set(value.values()) <= keys:
            return "choice_invalid"
        return "answer_missing" if q.required and set(value) != rows else None
    if q.kind == Kind.RANKING:
        if not isinstance(value, list) or len(value) != len(set(value)):
            return "answer_invalid"
        if not set(value) <= keys:
            return "choice_invalid"
        return None if set(value) == keys else "ranking_incomplete"
    if q.kind == Kind.NUMBER:
        return _number(q, value)
    if q.kind in (Kind.SHORT_TEXT, Kind.LONG_TEXT):
        if not isinstance(value, str):
            return "answer_invalid"
        if not value.strip():
            return "answer_missing" if q.required else None
        return None if len(value) <= q.text_limit() else "answer_too_long"
    if q.kind == Kind.DATE:
        if not isinstance(value, str) or len(value) != 10:
            return "date_invalid"
        try:
            date.fromisoformat(value)
        except ValueError:
            return "date_invalid"
        return None
    if q.kind == Kind.POSTCODE:
        return None if isinstance(value, str) and _POSTCODE.match(value) else "postcode_invalid"
    return "answer_invalid"  # pragma: no cover - every kind is handled above


def problems(
    survey: Survey, answers: Mapping[str, Answer], only: Collection[str] | None = None
) -> list[Problem]:
    """Every problem of a response, in question order; empty when it may be written.

    - every required, visible question is answered;
    - a hidden question carries no answer, and no answer names an unknown question;
    - every answer fits its question (options, ranges, lengths, dates, postcodes).

    ``only`` restricts the check to some questions (one page of the form).
    """
    found: list[Problem] = []
    shown = visible(survey, answers)
    known: set[str] = set()
    for q in survey.questions():
        known.add(q.id)
        known.add(other_key(q.id))
        if only is not None and q.id not in only:
            continue
        value = answers.get(q.id)
        other = answers.get(other_key(q.id))
        if q.id not in shown:
            if not empty(value) or not empty(other):
                found.append(Problem(q.id, "answer_hidden"))
            continue
        if other is not None and not (
            q.other and OTHER in chosen(value) and isinstance(other, str)
        ):
            found.append(Problem(q.id, "answer_invalid"))
            continue
        if isinstance(other, str) and len(other) > OTHER_TEXT:
            found.append(Problem(q.id, "answer_too_long"))
            continue
        if empty(value):
            if q.required:
                found.append(Problem(q.id, "answer_missing"))
            continue
        assert value is not None
        reason = _one_answer(q, value, other)
        if reason is not None:
            found.append(Problem(q.id, reason))
    if only is None:
        for key in answers:
            if key not in known:
                found.append(Problem(key, "unknown_question"))
    return found


def normalise(survey: Survey, answers: Mapping[str, Answer]) -> Answers:
    """An accepted response as it is stored: empty answers dropped, texts trimmed."""
    kept: Answers = {}
    for key, value in answers.items():
        if empty(value):
            continue
        if isinstance(value, str):
            value = value.strip()
            if not value:
                continue
        if isinstance(value, float) and value.is_integer():
            q = survey.question(key)
            if q is not None and q.integer:
                value = int(value)
        kept[key] = value
    return kept
