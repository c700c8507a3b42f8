"""The organiser's edits to a definition: pure steps, and whether a revision may be kept.

The builder (server/surveys/builder.py) turns each form into one of these
steps and hands the result to :func:`revise`, which checks it with the same
:func:`definition_problems` as an import or the API, so the rules live once.

Once a survey has a response, its shape is fixed: old answers must keep
their meaning and still fit (a new required question, a removed option or a
changed range would make them wrong). Only wording may change then: titles,
intros, question and option texts, labels, units, the thank-you text, and
the dates. :func:`skeleton` is the survey without its wording; two versions
with the same skeleton differ only in what respondents read.
"""

from __future__ import annotations

import msgspec

from rooms.surveys.definition import (
    Kind,
    Option,
    Question,
    Section,
    Survey,
    definition_problems,
)
from rooms.surveys.log import Refusal, SurveyRevised, SurveyState


def _blank_options(options: list[Option]) -> list[Option]:
    return [Option(o.id, "") for o in options]


def skeleton(survey: Survey) -> Survey:
    """The survey with every text a respondent reads (and the dates) left out."""
    return Survey(
        title="",
        sections=[
            Section(
                s.id,
                "",
                [
                    msgspec.structs.replace(
                        q,
                        text="",
                        help="",
                        low_label="",
                        high_label="",
                        unit="",
                        options=_blank_options(q.options),
                        rows=_blank_options(q.rows),
                    )
                    for q in s.questions
                ],
            )
            for s in survey.sections
        ],
        language=survey.language,
    )


def revise(state: SurveyState, new: Survey, now: int) -> SurveyRevised | Refusal:
    """Keep ``new`` as the survey's definition, if it is valid and fits the answers given.

    ``problems`` carries every (field, reason) of the definition, so the
    builder can show each next to its field.
    """
    found = definition_problems(new)
    if found:
        first = found[0]
        return Refusal(first.reason, first.field, [(p.field, p.reason) for p in found])
    if state.responses and skeleton(new) != skeleton(state.definition):
        return Refusal("survey_has_responses")
    return SurveyRevised(new, now)


def fresh_id(survey: Survey, prefix: str) -> str:
    """An id no section or question uses yet: ``q1``, ``q2``, … or ``s1``, ``s2``, …"""
    taken = {s.id for s in survey.sections} | {q.id for q in survey.questions()}
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def blank(title: str, section_title: str, question_text: str, language: str) -> Survey:
    """A new survey to build on: one section with one short text question.

    A definition needs a question to be valid; the organiser rewrites or
    replaces this one.
    """
    return Survey(
        title=title,
        sections=[Section("s1", section_title, [Question("q1", Kind.SHORT_TEXT, question_text)])],
        language=language,
    )


def _with_sections(survey: Survey, sections: list[Section]) -> Survey:
    return msgspec.structs.replace(survey, sections=sections)


def add_section(survey: Survey, title: str, intro: str) -> Survey:
    section = Section(fresh_id(survey, "s"), title, [], intro)
    return _with_sections(survey, [*survey.sections, section])


def set_section(survey: Survey, sid: str, title: str, intro: str) -> Survey:
    return _with_sections(
        survey,
        [
            msgspec.structs.replace(s, title=title, intro=intro) if s.id == sid else s
            for s in survey.sections
        ],
    )


def remove_section(survey: Survey, sid: str) -> Survey:
    return _with_sections(survey, [s for s in survey.sections if s.id != sid])


def move_section(survey: Survey, sid: str, step: int) -> Survey:
    """One place up (``step`` -1) or down (+1); at either end nothing changes."""
    sections = list(survey.sections)
    at = next((i for i, s in enumerate(sections) if s.id == sid), None)
    if at is None or not 0 <= at + step < len(sections):
        return survey
    sections[at], sections[at + step] = sections[at + step], sections[at]
    return _with_sections(survey, sections)


def put_question(survey: Survey, sid: str, question: Question) -> Survey:
    """Replace the question with the same id where it stands, or add it at the end of ``sid``."""
    if survey.question(question.id) is not None:
        return _with_sections(
            survey,
            [
                msgspec.structs.replace(
                    s, questions=[question if q.id == question.id else q for q in s.questions]
                )
                for s in survey.sections
            ],
        )
    return _with_sections(
        survey,
        [
            msgspec.structs.replace(s, questions=[*s.questions, question]) if s.id == sid else s
            for s in survey.sections
        ],
    )


def remove_question(survey: Survey, qid: str) -> Survey:
    return _with_sections(
        survey,
        [
            msgspec.structs.replace(s, questions=[q for q in s.questions if q.id != qid])
            for s in survey.sections
        ],
    )


def move_question(survey: Survey, qid: str, step: int) -> Survey:
    """One place up or down; past the first or last of a section it moves to the next section.

    Only the order changes: a move that puts a question before the one its
    condition names is refused later by :func:`revise`, naming the condition.
    """
    flat = [(si, q) for si, s in enumerate(survey.sections) for q in s.questions]
    at = next((i for i, (_, q) in enumerate(flat) if q.id == qid), None)
    if at is None:
        return survey
    si, question = flat[at]
    questions = [list(s.questions) for s in survey.sections]
    where = questions[si].index(question)
    target = where + step
    if 0 <= target < len(questions[si]):
        questions[si][where], questions[si][target] = questions[si][target], question
    elif 0 <= si + step < len(questions):
        questions[si].pop(where)
        if step < 0:
            questions[si + step].append(question)
        else:
            questions[si + step].insert(0, question)
    else:
        return survey
    return _with_sections(
        survey,
        [
            msgspec.structs.replace(s, questions=qs)
            for s, qs in zip(survey.sections, questions, strict=True)
        ],
    )
