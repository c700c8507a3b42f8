"""Every response as CSV or XLSX: one row per response, one or more columns per question.

Cells hold codes (option keys, numbers, places), and the XLSX's codebook sheet
says what each column asks and what each code means, as statistics packages
expect. A multiple choice has a column per option (1 chosen, 0 not), a matrix
a column per row, a ranking a column per option holding its place.

Personal questions (contacts) are never in the responses sheet or the CSV;
the XLSX lists them on a sheet of their own, without the response number, so
the contacts cannot be joined to the answers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from rooms.surveys.answers import Answers, other_key
from rooms.surveys.definition import OTHER, Kind, Question
from rooms.surveys.log import SurveyState
from server.i18n import N_, gettext
from server.report.tables import Cell, Table
from server.report.writers import csv_bytes, xlsx_bytes
from server.surveys.common import option_labels

BERLIN = ZoneInfo("Europe/Berlin")


@dataclass(frozen=True)
class Column:
    """One column: its name (the code of the question), the question, its codes, its value."""

    name: str
    text: str
    codes: str
    question: str
    part: str = "plain"  # plain, chosen (multiple), row (matrix), place (ranking)
    key: str = ""

    def value(self, answers: Answers) -> Cell:
        answer = answers.get(self.question)
        if self.part == "chosen":
            return None if answer is None else int(isinstance(answer, list) and self.key in answer)
        if self.part == "row":
            return answer.get(self.key) if isinstance(answer, dict) else None
        if self.part == "place":
            return (
                answer.index(self.key) + 1
                if isinstance(answer, list) and self.key in answer
                else None
            )
        return _plain(answer)


def _columns(lang: str, q: Question) -> list[Column]:
    labels = option_labels(lang, q)
    codes = "; ".join(f"{k} = {v}" for k, v in labels.items())
    qid = q.id
    if q.kind == Kind.MULTIPLE:
        chosen = gettext(lang, "1 = chosen, 0 = not chosen")
        cols = [
            Column(f"{qid}.{key}", f"{q.text}: {label}", chosen, qid, "chosen", key)
            for key, label in labels.items()
        ]
    elif q.kind == Kind.MATRIX:
        cols = [
            Column(f"{qid}.{row.id}", f"{q.text} {row.label}", codes, qid, "row", row.id)
            for row in q.rows
        ]
    elif q.kind == Kind.RANKING:
        place = gettext(lang, "place (1 = first)")
        cols = [
            Column(f"{qid}.{o.id}", f"{q.text}: {o.label}", place, qid, "place", o.id)
            for o in q.options
        ]
    else:
        cols = [Column(qid, q.text, codes, qid)]
    if q.other:
        key = other_key(qid)
        cols.append(Column(key, f"{q.text}: {labels[OTHER]}", gettext(lang, "text"), key))
    return cols


def _plain(value: object) -> Cell:
    if value is None or isinstance(value, list | dict):
        return None
    if isinstance(value, int | float | str):
        return value
    return str(value)


def _when(at: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(at / 1000, BERLIN)


def tables(state: SurveyState, lang: str) -> tuple[Table, Table, Table]:
    """The responses, the codebook and the contacts."""
    survey = state.definition
    public = [c for q in survey.questions() if not q.personal for c in _columns(lang, q)]
    personal = [c for q in survey.questions() if q.personal for c in _columns(lang, q)]
    number, submitted = gettext(lang, "Response"), gettext(lang, "Submitted")
    responses = Table(
        "responses",
        gettext(lang, "Responses"),
        [number, submitted, *(c.name for c in public)],
        [
            [i, _when(r.at), *(c.value(r.answers) for c in public)]
            for i, r in enumerate(state.responses, start=1)
        ],
    )
    codebook = Table(
        "codebook",
        gettext(lang, "Codebook"),
        [gettext(lang, "Column"), gettext(lang, "Question"), gettext(lang, "Codes")],
        [[c.name, c.text, c.codes] for c in public],
    )
    contact_rows = [
        [c.value(r.answers) for c in personal]
        for r in state.responses
        if any(c.question in r.answers for c in personal)
    ]
    contacts = Table(
        "contacts", gettext(lang, "Contacts"), [c.text for c in personal], contact_rows
    )
    return responses, codebook, contacts


N_("Responses")  # sheet titles, marked here for the catalog
N_("Codebook")
N_("Contacts")


def export_csv(state: SurveyState, lang: str) -> bytes:
    return csv_bytes(tables(state, lang)[0], lang)


def export_xlsx(state: SurveyState, lang: str) -> bytes:
    responses, codebook, contacts = tables(state, lang)
    sheets = [responses, codebook] + ([contacts] if contacts.headers else [])
    return xlsx_bytes(sheets, lang)
