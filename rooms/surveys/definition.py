"""A survey's definition: sections of questions, and the checks a definition must pass.

The same JSON is the template file, the body of ``POST /api/surveys`` and the
first entry of the survey's log, so it is one set of msgspec Structs that
refuse unknown fields: an import with a typo names the field instead of
silently dropping it.
"""

from __future__ import annotations

import enum
import re
from datetime import date

import msgspec

from rooms.base import N_

MAX_SECTIONS = 30
MAX_QUESTIONS = 200
MAX_OPTIONS = 60
TEXT_LENGTH = 500  # a question's text, a section title
LABEL_LENGTH = 200  # an option's label
SHORT_TEXT = 200  # the default and largest length of a short answer
LONG_TEXT = 5000  # the largest length of a long answer
OTHER_TEXT = 200  # "Sonstiges: ___"
OTHER = "other"  # the reserved option id of "Sonstiges"

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")


class Kind(enum.StrEnum):
    """The question types of issue 17."""

    SINGLE = "single"  # one option (radio buttons), optionally "Sonstiges"
    MULTIPLE = "multiple"  # several options (check boxes), optionally "Sonstiges"
    SCALE = "scale"  # one whole number from ``low`` to ``high``
    MATRIX = "matrix"  # a Likert grid: one option (column) per row
    NUMBER = "number"  # a number within ``minimum`` … ``maximum``
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    RANKING = "ranking"  # every option given a distinct place 1 … n
    DATE = "date"  # an ISO date
    POSTCODE = "postcode"  # a German postcode, five digits
    REGION = "region"  # one region of a list (the Länder unless the question gives its own)
    ORGANISATION = "organisation"  # the organisation type, as at the join


# Kinds whose answer is one key of a known set: they can be counted, broken down by,
# and named in a condition.
CATEGORICAL = frozenset({Kind.SINGLE, Kind.MULTIPLE, Kind.SCALE, Kind.REGION, Kind.ORGANISATION})
BREAKDOWN = frozenset({Kind.SINGLE, Kind.SCALE, Kind.REGION, Kind.ORGANISATION, Kind.POSTCODE})
WITH_OPTIONS = frozenset({Kind.SINGLE, Kind.MULTIPLE, Kind.MATRIX, Kind.RANKING})

ORGANISATION_TYPES = (
    "business",
    "union",
    "chamber",
    "public",
    "research",
    "civil_society",
    "other",
)

LAENDER = (
    ("BW", "Baden-Württemberg"),
    ("BY", "Bayern"),
    ("BE", "Berlin"),
    ("BB", "Brandenburg"),
    ("HB", "Bremen"),
    ("HH", "Hamburg"),
    ("HE", "Hessen"),
    ("MV", "Mecklenburg-Vorpommern"),
    ("NI", "Niedersachsen"),
    ("NW", "Nordrhein-Westfalen"),
    ("RP", "Rheinland-Pfalz"),
    ("SL", "Saarland"),
    ("SN", "Sachsen"),
    ("ST", "Sachsen-Anhalt"),
    ("SH", "Schleswig-Holstein"),
    ("TH", "Thüringen"),
)


class Option(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: str
    label: str


class Condition(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Show a question only if an earlier question's answer is one of ``one_of``.

    For a multiple choice, any one of them chosen is enough; a hidden earlier
    question hides this one too.
    """

    question: str
    one_of: list[str]


class Question(msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True):
    id: str
    kind: Kind
    text: str
    help: str = ""
    required: bool = False
    options: list[Option] = []  # choices, ranking items, matrix columns, regions
    rows: list[Option] = []  # matrix rows
    other: bool = False  # single/multiple: "Sonstiges: ___"
    max_choices: int | None = None  # multiple
    low: int = 1  # scale
    high: int = 5
    low_label: str = ""
    high_label: str = ""
    minimum: float | None = None  # number
    maximum: float | None = None
    integer: bool = True
    unit: str = ""
    max_length: int | None = None  # text
    show_if: Condition | None = None
    personal: bool = False  # a contact: never in results, exported on its own sheet

    def choices(self) -> list[Option]:
        """The options an answer may name (regions and organisation types included)."""
        if self.kind == Kind.REGION and not self.options:
            return [Option(key, label) for key, label in LAENDER]
        if self.kind == Kind.ORGANISATION and not self.options:
            return [Option(key, key) for key in ORGANISATION_TYPES]
        if self.kind == Kind.SCALE:
            return [Option(str(v), str(v)) for v in range(self.low, self.high + 1)]
        return list(self.options)

    def text_limit(self) -> int:
        top = LONG_TEXT if self.kind == Kind.LONG_TEXT else SHORT_TEXT
        return min(self.max_length or top, top)


class Section(msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True):
    id: str
    title: str
    questions: list[Question]
    intro: str = ""


class Survey(msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True):
    """A whole questionnaire. ``starts``/``ends`` are ISO dates, both days included."""

    title: str
    sections: list[Section]
    intro: str = ""
    language: str = "de"
    starts: str | None = None
    ends: str | None = None
    thanks: str = ""

    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]

    def question(self, qid: str) -> Question | None:
        for q in self.questions():
            if q.id == qid:
                return q
        return None


class DefinitionProblem(msgspec.Struct, frozen=True):
    """What is wrong with a definition: the field (a JSON path) and a reason key."""

    field: str
    reason: str


REASONS: dict[str, str] = {
    # definitions
    "survey_invalid": N_("This survey definition cannot be read: %(field)s."),
    "title_missing": N_("Please give the survey a title."),
    "text_missing": N_("Please fill in this text."),
    "text_too_long": N_("This text is too long."),
    "id_invalid": N_("An id starts with a letter and has at most 40 letters, digits, - or _."),
    "id_duplicate": N_("This id is used twice."),
    "options_missing": N_("This question needs at least two options."),
    "too_many_options": N_("This question has too many options."),
    "rows_missing": N_("A matrix needs at least one row."),
    "scale_invalid": N_("A scale needs 2 to 11 steps, for example 1 to 5 or 0 to 10."),
    "range_invalid": N_("The lowest value must not be above the highest."),
    "condition_invalid": N_(
        "A condition names an earlier choice question and some of its options."
    ),
    "dates_invalid": N_("The dates must be ISO dates, and the end must not be before the start."),
    "too_many_questions": N_("This survey has too many sections or questions."),
    "sections_missing": N_("A survey needs at least one section with a question."),
    "not_a_number": N_("Please enter a number."),
    "options_reordered": N_(
        "This survey already has responses: each line can be reworded, "
        "but not swapped with another or moved."
    ),
    "survey_has_responses": N_(
        "This survey already has responses: only its texts and dates can change now, "
        "not its questions, options, conditions or required answers."
    ),
    # answers
    "answer_missing": N_("Please answer this question."),
    "answer_hidden": N_("This question is not asked with the answers given before."),
    "answer_invalid": N_("This answer does not fit the question."),
    "choice_invalid": N_("Please choose one of the options."),
    "too_many_choices": N_("That is more choices than this question allows."),
    "other_missing": N_("Please say what “other” means here."),
    "number_out_of_range": N_("Please give a number within the range."),
    "number_not_whole": N_("Please give a whole number."),
    "answer_too_long": N_("This answer is too long."),
    "ranking_incomplete": N_("Please put every option in your order."),
    "date_invalid": N_("Please give a date as YYYY-MM-DD."),
    "postcode_invalid": N_("Please give a postcode of five digits."),
    "unknown_question": N_("This survey has no such question."),
    # the survey as a whole
    "unknown_survey": N_("There is no survey with this code."),
    "survey_not_yet": N_("This survey has not opened yet."),
    "survey_closed": N_("This survey has closed."),
    "already_submitted": N_("You have already taken part in this survey. Thank you!"),
    "unknown_template": N_("There is no template with this name."),
}


def valid_date(text: str | None) -> bool:
    if text is None:
        return True
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _question_problems(
    q: Question, path: str, earlier: dict[str, Question]
) -> list[DefinitionProblem]:
    found: list[DefinitionProblem] = []

    def bad(field: str, reason: str) -> None:
        found.append(DefinitionProblem(f"{path}.{field}", reason))

    if not _ID.match(q.id) or q.id == OTHER:
        bad("id", "id_invalid")
    if not q.text.strip():
        bad("text", "text_too_long" if q.text else "text_missing")
    if len(q.text) > TEXT_LENGTH or len(q.help) > TEXT_LENGTH:
        bad("text", "text_too_long")
    if len(q.options) > MAX_OPTIONS or len(q.rows) > MAX_OPTIONS:
        bad("options", "too_many_options")
    if q.kind in WITH_OPTIONS and len(q.options) < 2:
        bad("options", "options_missing")
    ids = [o.id for o in q.options]
    if len(set(ids)) != len(ids) or OTHER in ids:
        bad("options", "id_duplicate")
    for i, o in enumerate([*q.options, *q.rows]):
        if not o.id or len(o.id) > 40 or not o.label.strip() or len(o.label) > LABEL_LENGTH:
            bad(f"options[{i}]", "text_too_long" if o.label else "id_invalid")
    if q.kind == Kind.MATRIX:
        row_ids = [r.id for r in q.rows]
        if not row_ids:
            bad("rows", "rows_missing")
        elif len(set(row_ids)) != len(row_ids):
            bad("rows", "id_duplicate")
    if q.kind == Kind.SCALE and not (1 <= q.high - q.low <= 10):
        bad("high", "scale_invalid")
    if q.minimum is not None and q.maximum is not None and q.minimum > q.maximum:
        bad("minimum", "range_invalid")
    if q.max_choices is not None and not (1 <= q.max_choices <= max(1, len(q.options) + q.other)):
        bad("max_choices", "too_many_options")
    if q.max_length is not None and q.max_length < 1:
        bad("max_length", "range_invalid")
    if q.show_if is not None:
        target = earlier.get(q.show_if.question)
        allowed = (
            {o.id for o in target.choices()} | ({OTHER} if target.other else set())
            if target
            else set()
        )
        if (
            target is None
            or target.kind not in CATEGORICAL
            or not q.show_if.one_of
            or not set(q.show_if.one_of) <= allowed
        ):
            bad("show_if", "condition_invalid")
    return found


def definition_problems(survey: Survey) -> list[DefinitionProblem]:
    """Everything wrong with a definition that its types alone cannot say."""
    found: list[DefinitionProblem] = []
    if not survey.title.strip():
        found.append(DefinitionProblem("title", "title_missing"))
    if len(survey.title) > TEXT_LENGTH or len(survey.intro) > 4 * TEXT_LENGTH:
        found.append(DefinitionProblem("title", "text_too_long"))
    if not (valid_date(survey.starts) and valid_date(survey.ends)) or (
        survey.starts and survey.ends and survey.starts > survey.ends
    ):
        found.append(DefinitionProblem("ends", "dates_invalid"))
    if len(survey.sections) > MAX_SECTIONS or len(survey.questions()) > MAX_QUESTIONS:
        found.append(DefinitionProblem("sections", "too_many_questions"))
        return found
    if not survey.questions():
        found.append(DefinitionProblem("sections", "sections_missing"))
    earlier: dict[str, Question] = {}
    section_ids: set[str] = set()
    for si, section in enumerate(survey.sections):
        path = f"sections[{si}]"
        if not _ID.match(section.id):
            found.append(DefinitionProblem(f"{path}.id", "id_invalid"))
        elif section.id in section_ids:
            found.append(DefinitionProblem(f"{path}.id", "id_duplicate"))
        section_ids.add(section.id)
        if not section.title.strip() or len(section.title) > TEXT_LENGTH:
            found.append(
                DefinitionProblem(
                    f"{path}.title", "text_too_long" if section.title.strip() else "text_missing"
                )
            )
        for qi, q in enumerate(section.questions):
            qpath = f"{path}.questions[{qi}]"
            if q.id in earlier:
                found.append(DefinitionProblem(f"{qpath}.id", "id_duplicate"))
            found.extend(_question_problems(q, qpath, earlier))
            earlier[q.id] = q
    return found


def decode_survey(raw: bytes) -> Survey | DefinitionProblem:
    """A definition from JSON, or the first problem with the field it is about."""
    try:
        survey = msgspec.json.decode(raw, type=Survey)
    except msgspec.ValidationError as exc:
        # msgspec says "... - at `$.sections[0].questions[1].kind`"
        message = str(exc)
        _, _, where = message.rpartition("at `")
        field = where.rstrip("`").removeprefix("$.") if where else message
        return DefinitionProblem(field or "body", "survey_invalid")
    except msgspec.DecodeError:
        return DefinitionProblem("body", "survey_invalid")
    problems = definition_problems(survey)
    return problems[0] if problems else survey


def status(survey: Survey, today: date) -> str:
    """``not_yet``, ``open`` or ``closed`` on ``today`` (the core is handed the date)."""
    iso = today.isoformat()
    if survey.starts and iso < survey.starts:
        return "not_yet"
    if survey.ends and iso > survey.ends:
        return "closed"
    return "open"
