"""The survey builder: the organiser edits sections and questions with plain forms.

``GET /u/CODE/bearbeiten`` shows the survey as its organiser builds it:
the title, intro and dates; each section with its questions (up, down,
delete, edit); a form for a new question of a chosen kind. Every form posts
to ``POST /u/CODE/bearbeiten`` with an ``op``; the handler turns the form
into a step of :mod:`rooms.surveys.edit`, and :func:`rooms.surveys.edit.revise`
checks the result with the domain's own rules (the same as an import). A
kept revision redirects back (POST-redirect-GET, to the anchor of what
changed); a refused one renders the page again with everything as typed and
each message next to its field, named in a summary at the top.

Works without JavaScript; the organiser is whoever opens the results (the
survey's key, the admin, or the moderator of the event it belongs to).
Once a survey has responses, only wording and dates change (see
``rooms/surveys/edit.py``); the page says so and offers only those.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from typing import Any

import msgspec
from litestar import get, post
from litestar.params import FromPath
from litestar.response import Redirect, Response

from rooms.surveys.answers import other_key
from rooms.surveys.definition import (
    CATEGORICAL,
    OTHER,
    WITH_OPTIONS,
    Condition,
    Kind,
    Option,
    Question,
    Survey,
    status,
)
from rooms.surveys.edit import (
    add_section,
    fresh_id,
    move_question,
    move_section,
    put_question,
    remove_question,
    remove_section,
    revise,
    set_section,
)
from rooms.surveys.log import Refusal, SurveyRevised, SurveyState
from server.csrf import FIELD as CSRF_FIELD
from server.csrf import FormGuard, form_allowed
from server.i18n import N_, gettext
from server.services import Services
from server.surveys.common import AnyRequest, message, option_labels
from server.surveys.live import survey_changed
from server.surveys.pages import (
    condition_text,
    organiser,
    page_lang,
    render,
    with_cookies,
)
from server.surveys.store import today_here

FORM_FIELDS_MAX = 400

KIND_LABELS: dict[Kind, str] = {
    Kind.SINGLE: N_("Single choice"),
    Kind.MULTIPLE: N_("Multiple choice"),
    Kind.SCALE: N_("Scale"),
    Kind.MATRIX: N_("Matrix (grid)"),
    Kind.NUMBER: N_("Number, within a range"),
    Kind.SHORT_TEXT: N_("Short text"),
    Kind.LONG_TEXT: N_("Long text"),
    Kind.RANKING: N_("Ranking"),
    Kind.DATE: N_("Date"),
    Kind.POSTCODE: N_("Postcode"),
    Kind.REGION: N_("Region (Land)"),
    Kind.ORGANISATION: N_("Organisation type"),
}

FIELD_LABELS: dict[str, str] = {
    "title": N_("Title"),
    "intro": N_("Introduction"),
    "thanks": N_("Thank-you text"),
    "starts": N_("Open from"),
    "ends": N_("Open until"),
    "sections": N_("Sections"),
    "text": N_("Question"),
    "help": N_("Help text"),
    "options": N_("Answer options"),
    "rows": N_("Rows (statements)"),
    "max_choices": N_("At most this many choices"),
    "low": N_("Lowest value"),
    "high": N_("Highest value"),
    "low_label": N_("Label of the lowest value"),
    "high_label": N_("Label of the highest value"),
    "minimum": N_("Smallest number"),
    "maximum": N_("Largest number"),
    "unit": N_("Unit"),
    "max_length": N_("Longest answer (characters)"),
    "show_if": N_("Show only if"),
    "id": N_("Id"),
    "kind": N_("Question type"),
}

TEXT_FIELDS = ("text", "help", "options", "rows", "low_label", "high_label", "unit")
NUMBER_FIELDS = ("max_choices", "low", "high", "minimum", "maximum", "max_length")
FLAGS = ("required", "other", "integer", "personal")
_PATH = re.compile(r"^sections\[(\d+)\](?:\.questions\[(\d+)\])?(?:\.(\w+))?")

Values = dict[str, Any]


def _number_text(value: float | int | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def question_values(q: Question) -> Values:
    """A question as its form shows it: texts, numbers as typed, flags, the condition."""
    values: Values = {
        "kind": q.kind.value,
        "text": q.text,
        "help": q.help,
        "options": "\n".join(o.label for o in q.options),
        "rows": "\n".join(r.label for r in q.rows),
        "low_label": q.low_label,
        "high_label": q.high_label,
        "unit": q.unit,
        "max_choices": _number_text(q.max_choices),
        "low": str(q.low),
        "high": str(q.high),
        "minimum": _number_text(q.minimum),
        "maximum": _number_text(q.maximum),
        "max_length": _number_text(q.max_length),
        "show_if": [f"{q.show_if.question}|{o}" for o in q.show_if.one_of] if q.show_if else [],
    }
    values.update({flag: bool(getattr(q, flag)) for flag in FLAGS})
    values["condition_on"] = {q.show_if.question} if q.show_if else set()
    return values


def new_values(kind: Kind) -> Values:
    """The form of a new question of ``kind``: empty, with the defaults of the domain."""
    return question_values(Question("new", kind, ""))


def form_values(form: Any) -> Values:
    """What the organiser typed, kept as typed (a wrong number stays in its field)."""
    values: Values = {name: str(form.get(name) or "") for name in (*TEXT_FIELDS, *NUMBER_FIELDS)}
    values["kind"] = str(form.get("kind") or "")
    values.update({flag: form.get(flag) == "on" for flag in FLAGS})
    values["show_if"] = [str(v) for v in form.getall("show_if", [])]
    values["condition_on"] = {v.partition("|")[0] for v in values["show_if"]}
    return values


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r", "").split("\n") if line.strip()]


def _options(labels: list[str], old: list[Option]) -> list[Option]:
    """Options from one label per line; line n keeps the id of the old option n.

    So rewording keeps every answer's meaning; new lines get new ids (o1, o2 …).
    """
    taken = {o.id for o in old}
    out = []
    n = 1
    for i, label in enumerate(labels):
        if i < len(old):
            out.append(Option(old[i].id, label))
            continue
        while f"o{n}" in taken:
            n += 1
        taken.add(f"o{n}")
        out.append(Option(f"o{n}", label))
    return out


def moved(labels: list[str], old: list[Option]) -> bool:
    """Whether a line now holds another line's old label: a swap, not a rewording.

    Ids go by position, so after responses a swap would relabel old answers.
    """
    before = [o.label for o in old]
    return any(
        i < len(before) and label != before[i] and label in before for i, label in enumerate(labels)
    )


def parse_question(
    values: Values, qid: str, old: Question | None, locked: bool = False
) -> Question | list[tuple[str, str]]:
    """The question a form describes, or the fields that are not numbers / not a type.

    ``locked`` (the survey has responses): lines of options or rows may be
    reworded but not swapped, since each keeps its position's id.
    """
    try:
        kind = Kind(values["kind"])
    except ValueError:
        return [("kind", "answer_invalid")]
    wrong: list[tuple[str, str]] = []
    numbers: dict[str, float | None] = {}
    for name in NUMBER_FIELDS:
        raw = values[name].strip().replace(",", ".")
        if not raw:
            numbers[name] = None
            continue
        try:
            numbers[name] = float(raw)
        except ValueError:
            numbers[name] = math.nan
        if not math.isfinite(numbers[name] or 0.0) or abs(numbers[name] or 0.0) > 1e15:
            wrong.append((name, "not_a_number"))
            continue
        if name in ("max_choices", "low", "high", "max_length") and numbers[name] % 1 != 0:  # type: ignore[operator]
            wrong.append((name, "number_not_whole"))
    if wrong:
        return wrong

    def whole(name: str, default: int | None) -> int | None:
        value = numbers[name]
        return default if value is None else int(value)

    if locked and old is not None:
        for name, before in (("options", old.options), ("rows", old.rows)):
            if moved(_lines(values[name]), before):
                wrong.append((name, "options_reordered"))
        if wrong:
            return wrong
    condition = None
    picked = [v.partition("|") for v in values["show_if"]]
    targets = {target for target, _, _ in picked}
    if len(targets) > 1:
        return [("show_if", "condition_invalid")]
    if picked:
        condition = Condition(picked[0][0], [option for _, _, option in picked])
    old_options = old.options if old is not None else []
    old_rows = old.rows if old is not None else []
    uses_options = kind in WITH_OPTIONS or kind == Kind.REGION
    return Question(
        id=qid,
        kind=kind,
        text=values["text"].strip(),
        help=values["help"].strip(),
        required=values["required"],
        options=_options(_lines(values["options"]), old_options) if uses_options else [],
        rows=_options(_lines(values["rows"]), old_rows) if kind == Kind.MATRIX else [],
        other=values["other"] and kind in (Kind.SINGLE, Kind.MULTIPLE),
        max_choices=whole("max_choices", None) if kind == Kind.MULTIPLE else None,
        low=whole("low", 1) or 0 if kind == Kind.SCALE else 1,
        high=whole("high", 5) or 0 if kind == Kind.SCALE else 5,
        low_label=values["low_label"].strip() if kind == Kind.SCALE else "",
        high_label=values["high_label"].strip() if kind == Kind.SCALE else "",
        minimum=numbers["minimum"] if kind == Kind.NUMBER else None,
        maximum=numbers["maximum"] if kind == Kind.NUMBER else None,
        integer=values["integer"] if kind == Kind.NUMBER else True,
        unit=values["unit"].strip() if kind == Kind.NUMBER else "",
        max_length=(
            whole("max_length", None) if kind in (Kind.SHORT_TEXT, Kind.LONG_TEXT) else None
        ),
        show_if=condition,
        personal=values["personal"],
    )


def place_of(survey: Survey, qid: str) -> tuple[int, int | None] | None:
    """Section and question index of ``qid`` (numbered from 0)."""
    for si, section in enumerate(survey.sections):
        for qi, q in enumerate(section.questions):
            if q.id == qid:
                return si, qi
    return None


def number_of(survey: Survey, qid: str) -> int:
    """The question's number as the builder shows it (1, 2, … across sections)."""
    ids = [q.id for q in survey.questions()]
    return ids.index(qid) + 1 if qid in ids else len(ids) + 1


class Failure(msgspec.Struct):
    """A refused form: the message per field of the open form, and a summary for the top."""

    fields: dict[str, str]
    summary: list[tuple[str, str]]  # (anchor, sentence naming the field)


def field_name(lang: str, field: str) -> str:
    return gettext(lang, FIELD_LABELS.get(field, field))


def explain(
    lang: str,
    survey: Survey,
    problems: list[tuple[str, str]],
    form_at: tuple[int, int | None] | None,
    anchor: str,
    prefix: str = "f-",
    numbering: Survey | None = None,
) -> Failure:
    """Each problem as a sentence naming its field; those of the open form by field too.

    ``form_at`` is the (section, question) the posted form stands for in
    ``survey`` (the version that was refused); problems elsewhere (a condition
    that a move or a deletion broke) name their question by its number on the
    page the organiser sees (``numbering``, the kept version).
    """
    fields: dict[str, str] = {}
    summary: list[tuple[str, str]] = []
    for path, reason in problems:
        text = message(lang, reason, field=path)
        found = _PATH.match(path)
        if found is None:  # the survey's own fields
            fields.setdefault(path, text)
            summary.append((f"{prefix}{path}", f"{field_name(lang, path)}: {text}"))
            continue
        si, qi, name = int(found.group(1)), found.group(2), found.group(3) or "id"
        here = form_at is not None and form_at == (si, None if qi is None else int(qi))
        if here:
            fields.setdefault(name, text)
            summary.append((f"{prefix}{name}", f"{field_name(lang, name)}: {text}"))
            continue
        where = gettext(lang, "Section %(num)s") % {"num": si + 1}
        target = anchor
        if qi is not None and si < len(survey.sections):
            section = survey.sections[si]
            if int(qi) < len(section.questions):
                q = section.questions[int(qi)]
                shown = numbering if numbering and numbering.question(q.id) else survey
                where = gettext(lang, "Question %(num)s") % {"num": number_of(shown, q.id)}
                target = f"frage-{q.id}"
        summary.append((target, f"{where}, {field_name(lang, name)}: {text}"))
    return Failure(fields, summary)


class Builder:
    """One request's view of the survey being built, and how the page is rendered."""

    def __init__(self, svc: Services, request: AnyRequest, state: SurveyState, lang: str) -> None:
        self.svc = svc
        self.request = request
        self.state = state
        self.lang = lang

    def page(self, status_code: int = 200, **ctx: Any) -> Response[str]:
        survey = self.state.definition
        lang = self.lang
        guard = FormGuard(self.svc.signer, self.request, self.svc.base_url.startswith("https://"))
        questions = survey.questions()
        ctx.setdefault("failure", Failure({}, []))
        ctx.setdefault("editing", None)
        ctx.setdefault("new_in", None)
        ctx.setdefault("values", None)
        ctx.setdefault("settings", None)
        ctx.setdefault("failed", None)
        ctx.setdefault("section_values", {})
        page = render(
            self.svc,
            lang,
            "surveys/builder.html",
            status_code,
            survey=survey,
            code=self.state.created.code,
            status=status(survey, today_here()),
            responses=len(self.state.responses),
            locked=bool(self.state.responses),
            kinds=[(k.value, gettext(lang, label)) for k, label in KIND_LABELS.items()],
            kind_labels={k: gettext(lang, v) for k, v in KIND_LABELS.items()},
            labels={q.id: option_labels(lang, q) for q in questions},
            numbers={q.id: i for i, q in enumerate(questions, start=1)},
            questions={q.id: q for q in questions},
            candidates=self.candidates,
            field_label=lambda name: field_name(lang, name),
            with_options=WITH_OPTIONS,
            other=OTHER,
            csrf=guard.token,
            csrf_field=CSRF_FIELD,
            respond=f"{self.svc.base_url.rstrip('/')}/u/{self.state.created.code}",
            event=self.state.created.event,
            **ctx,
        )
        return with_cookies(page, guard.cookie)

    def candidates(self, qid: str | None, sid: str | None) -> list[Question]:
        """The questions a condition may name: categorical ones before this question.

        For a new question (``qid`` None) that is every one up to the end of its section.
        """
        out: list[Question] = []
        for section in self.state.definition.sections:
            for q in section.questions:
                if q.id == qid:
                    return out
                if q.kind in CATEGORICAL:
                    out.append(q)
            if qid is None and section.id == sid:
                return out
        return out


@get("/u/{code:str}/bearbeiten", include_in_schema=False)
async def builder_page(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    """The builder; ``?frage=ID`` opens a question's form, ``?neu=KIND&abschnitt=ID`` a new one."""
    opened = await organiser(request, code, "bearbeiten")
    if isinstance(opened, Response):
        return opened
    svc, state, lang = opened
    b = Builder(svc, request, state, lang)
    survey = state.definition
    editing = request.query_params.get("frage")
    if editing is not None and survey.question(editing) is not None:
        q = survey.question(editing)
        assert q is not None
        return b.page(editing=editing, values=question_values(q))
    kind = request.query_params.get("neu")
    sid = request.query_params.get("abschnitt")
    sections = {s.id for s in survey.sections}
    if kind in KIND_LABELS and sid in sections and not state.responses:
        return b.page(new_in=sid, values=new_values(Kind(kind)))
    return b.page()


@get("/u/{code:str}/vorschau", include_in_schema=False)
async def preview(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    """Every section on one page as respondents see it, open or not; nothing is saved.

    The respondent's pages refuse a survey that is not open yet, and an empty
    survey opens tomorrow: the organiser sees what they built here first.
    Conditions work as on a section page (``survey.js``): each conditional
    question carries its hint and hides while its answer is not chosen.
    """
    opened = await organiser(request, code)
    if isinstance(opened, Response):
        return opened
    svc, state, _ = opened
    survey = state.definition
    lang = page_lang(request, survey)
    questions = survey.questions()
    return render(
        svc,
        lang,
        "surveys/preview.html",
        survey=survey,
        code=state.created.code,
        answers={},
        errors={},
        labels={q.id: option_labels(lang, q) for q in questions},
        conditions={q.id: condition_text(survey, q, lang) for q in questions},
        same_section={q.id for q in questions if q.show_if is not None},
        OTHER=OTHER,
        other_key=other_key,
    )


Change = Callable[[Survey], Survey]


@post("/u/{code:str}/bearbeiten", include_in_schema=False, status_code=200)
async def builder_submit(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    """One change from one of the builder's forms; back to the page, or the form with its errors."""
    from server.surveys.common import survey_store

    opened = await organiser(request, code)
    if isinstance(opened, Response):
        return opened
    svc, state, lang = opened
    form = await request.form()
    if len(form) > FORM_FIELDS_MAX or not form_allowed(
        request, svc.signer, svc.base_url, form.get(CSRF_FIELD)
    ):
        return render(svc, lang, "message.html", 403, title=message(lang, "not_allowed"), text="")
    survey_code = state.created.code
    b = Builder(svc, request, state, lang)
    op = str(form.get("op") or "")
    sid = str(form.get("section") or "")
    qid = str(form.get("question") or "")
    back = f"/u/{survey_code}/bearbeiten"
    change: Change
    anchor = "top"
    redo: dict[str, Any] = {}  # how to show the form again if the change is refused
    prefix = "f-"  # the ids of the refused form's fields
    form_at: Callable[[Survey], tuple[int, int | None] | None] = lambda s: None  # noqa: E731

    if op in ("settings", "open_now"):
        settings = {
            name: str(form.get(name) or "").strip()
            for name in ("title", "intro", "thanks", "starts", "ends")
        }
        if op == "open_now":
            today = today_here().isoformat()
            settings["starts"] = today
            if settings["ends"] and settings["ends"] < today:
                settings["ends"] = ""

        change = lambda s: msgspec.structs.replace(  # noqa: E731
            s,
            title=settings["title"],
            intro=settings["intro"],
            thanks=settings["thanks"],
            starts=settings["starts"] or None,
            ends=settings["ends"] or None,
        )

        anchor = "einstellungen"
        redo = {"settings": settings, "failed": "settings"}
    elif op == "section_save":
        title, intro = str(form.get("title") or "").strip(), str(form.get("intro") or "").strip()
        change = lambda s: set_section(s, sid, title, intro)  # noqa: E731
        anchor = f"abschnitt-{sid}"
        redo = {
            "section_values": {sid: {"title": title, "intro": intro}},
            "failed": f"section:{sid}",
        }
        prefix = f"s-{sid}-"
        form_at = lambda s: next(  # noqa: E731
            ((i, None) for i, x in enumerate(s.sections) if x.id == sid), None
        )
    elif op == "section_add":
        title, intro = str(form.get("title") or "").strip(), str(form.get("intro") or "").strip()
        change = lambda s: add_section(s, title, intro)  # noqa: E731
        anchor = "neuer-abschnitt"
        redo = {"section_values": {"": {"title": title, "intro": intro}}, "failed": "section:"}
        prefix = "s-new-"
        form_at = lambda s: (len(s.sections) - 1, None)  # noqa: E731
    elif op in ("section_up", "section_down"):
        step = -1 if op == "section_up" else 1
        change = lambda s: move_section(s, sid, step)  # noqa: E731
        anchor = f"abschnitt-{sid}"
    elif op == "section_delete":
        change = lambda s: remove_section(s, sid)  # noqa: E731
    elif op in ("question_up", "question_down"):
        step = -1 if op == "question_up" else 1
        change = lambda s: move_question(s, qid, step)  # noqa: E731
        anchor = f"frage-{qid}"
    elif op == "question_delete":
        change = lambda s: remove_question(s, qid)  # noqa: E731
    elif op == "question_save":
        values = form_values(form)
        old = state.definition.question(qid) if qid else None
        new_id = qid if old is not None else fresh_id(state.definition, "q")
        redo = {"values": values, "failed": "question"}
        redo.update({"editing": qid} if old is not None else {"new_in": sid})
        parsed = parse_question(values, new_id, old, locked=bool(state.responses))
        if isinstance(parsed, list):
            return b.page(422, failure=explain(lang, state.definition, parsed, None, "top"), **redo)
        question = parsed
        change = lambda s: put_question(s, sid, question)  # noqa: E731
        anchor = f"frage-{new_id}"
        form_at = lambda s: place_of(s, new_id)  # noqa: E731
    else:
        return Redirect(back, status_code=303)

    now = time.time_ns() // 1_000_000
    attempted: list[Survey] = []

    def decide(s: SurveyState) -> SurveyRevised | Refusal:
        new = change(s.definition)
        attempted.append(new)
        return revise(s, new, now)

    outcome = await survey_store(request).write(survey_code, decide)
    if isinstance(outcome, Refusal):
        if outcome.reason == "survey_has_responses" or not outcome.problems:
            failure = Failure({}, [("top", message(lang, outcome.reason))])
        else:
            tried = attempted[-1] if attempted else state.definition
            failure = explain(
                lang,
                tried,
                list(outcome.problems),
                form_at(tried),
                anchor,
                prefix,
                state.definition,
            )
        return b.page(422, failure=failure, **redo)
    await survey_changed(request, state.created.event)
    return Redirect(f"{back}#{anchor}", status_code=303)


ROUTES = [builder_page, builder_submit, preview]
