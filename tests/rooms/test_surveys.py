"""Surveys: definitions, conditions, whole-response validation and results.

Property tests draw random surveys with conditions and random answers, and
check what issue 17 promises: an accepted response answers every required
visible question, hidden questions carry nothing, and the aggregates equal a
plain reference computation.
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import date
from typing import Any, cast

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rooms.surveys.aggregate import aggregate, bucket, question_result
from rooms.surveys.answers import (
    Answer,
    Answers,
    Problem,
    chosen,
    other_key,
    problems,
    prune,
    visible,
)
from rooms.surveys.definition import (
    BREAKDOWN,
    CATEGORICAL,
    OTHER,
    Condition,
    Kind,
    Option,
    Question,
    Section,
    Survey,
    decode_survey,
    definition_problems,
    status,
)
from rooms.surveys.directory import directory
from rooms.surveys.log import (
    DatesChanged,
    EntryReviewed,
    ResponseSubmitted,
    SurveyCreated,
    SurveyState,
    change_dates,
    encode,
    replay,
    submit,
)
from rooms.surveys.templates import TEMPLATES, template

TODAY = date(2026, 11, 30)


def opts(n: int, prefix: str = "o") -> list[Option]:
    return [Option(f"{prefix}{i}", f"{prefix.upper()} {i}") for i in range(n)]


@st.composite
def questions(draw: st.DrawFn, qid: str, earlier: list[Question]) -> Question:
    kind = draw(st.sampled_from(list(Kind)))
    n = draw(st.integers(2, 4))
    choices_from = [q for q in earlier if q.kind in CATEGORICAL]
    show_if = None
    conditional = draw(st.booleans())
    if choices_from and conditional:
        target = draw(st.sampled_from(choices_from))
        keys = [o.id for o in target.choices()] + ([OTHER] if target.other else [])
        one_of = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=2, unique=True))
        show_if = Condition(target.id, one_of)
    low = draw(st.integers(0, 2))
    minimum = draw(st.integers(-5, 5))
    return Question(
        qid,
        kind,
        f"Frage {qid}",
        required=draw(st.booleans()),
        options=opts(n) if kind in (Kind.SINGLE, Kind.MULTIPLE, Kind.MATRIX, Kind.RANKING) else [],
        rows=opts(draw(st.integers(1, 3)), "r") if kind == Kind.MATRIX else [],
        other=kind in (Kind.SINGLE, Kind.MULTIPLE) and draw(st.booleans()),
        max_choices=draw(st.sampled_from([None, 1, 2])) if kind == Kind.MULTIPLE else None,
        low=low,
        high=low + draw(st.integers(1, 4)),
        minimum=minimum,
        maximum=minimum + draw(st.integers(0, 20)),
        max_length=draw(st.integers(3, 12)),
        show_if=show_if,
    )


@st.composite
def surveys(draw: st.DrawFn) -> Survey:
    sections = []
    earlier: list[Question] = []
    for s in range(draw(st.integers(1, 3))):
        qs = []
        for _ in range(draw(st.integers(1, 4))):
            q = draw(questions(f"q{len(earlier)}", earlier))
            earlier.append(q)
            qs.append(q)
        sections.append(Section(f"s{s}", f"Abschnitt {s}", qs))
    return Survey("Umfrage", sections)


WORD = st.text(alphabet="abcäöü ", min_size=1, max_size=6).filter(lambda s: s.strip() == s != "")


@st.composite
def valid_answer(draw: st.DrawFn, q: Question) -> Answers:
    """A fitting answer to ``q`` (with its "Sonstiges" text where needed)."""
    keys = [o.id for o in q.choices()]
    out: Answers = {}
    if q.kind in (Kind.SINGLE, Kind.REGION, Kind.ORGANISATION):
        value = draw(st.sampled_from(keys + ([OTHER] if q.other else [])))
        out[q.id] = value
        if value == OTHER:
            out[other_key(q.id)] = draw(WORD)
    elif q.kind == Kind.MULTIPLE:
        top = q.max_choices or len(keys) + 1
        picks = draw(
            st.lists(
                st.sampled_from(keys + ([OTHER] if q.other else [])),
                min_size=1,
                max_size=top,
                unique=True,
            )
        )
        out[q.id] = picks
        if OTHER in picks:
            out[other_key(q.id)] = draw(WORD)
    elif q.kind == Kind.SCALE:
        out[q.id] = draw(st.integers(q.low, q.high))
    elif q.kind == Kind.MATRIX:
        out[q.id] = {r.id: draw(st.sampled_from(keys)) for r in q.rows}
    elif q.kind == Kind.NUMBER:
        assert q.minimum is not None and q.maximum is not None
        out[q.id] = draw(st.integers(int(q.minimum), int(q.maximum)))
    elif q.kind in (Kind.SHORT_TEXT, Kind.LONG_TEXT):
        out[q.id] = draw(WORD.filter(lambda s: len(s) <= q.text_limit()))
    elif q.kind == Kind.RANKING:
        out[q.id] = draw(st.permutations(keys))
    elif q.kind == Kind.DATE:
        out[q.id] = draw(st.dates(date(2000, 1, 1), date(2030, 12, 31))).isoformat()
    elif q.kind == Kind.POSTCODE:
        out[q.id] = draw(st.from_regex(r"\A[0-9]{5}\Z"))
    return out


JUNK: st.SearchStrategy[Answer] = st.one_of(
    st.integers(-10, 10),
    st.text(max_size=4),
    st.lists(st.text(alphabet="or01", max_size=2), max_size=3),
    st.floats(allow_nan=True),
    st.dictionaries(st.sampled_from(["r0", "r1", "x"]), st.sampled_from(["o0", "o9"])),
)


@st.composite
def any_answers(draw: st.DrawFn, survey: Survey) -> Answers:
    """Per question: nothing, a fitting answer, or junk, regardless of visibility."""
    answers: Answers = {}
    for q in survey.questions():
        pick = draw(st.integers(0, 4))
        if pick in (1, 2, 3):
            answers.update(draw(valid_answer(q)))
        elif pick == 4:
            answers[q.id] = draw(JUNK)
    return answers


@st.composite
def full_answers(draw: st.DrawFn, survey: Survey) -> Answers:
    """A fitting answer to every question, then what the form keeps (visible only)."""
    answers: Answers = {}
    for q in survey.questions():
        if q.required or draw(st.booleans()):
            answers.update(draw(valid_answer(q)))
    return prune(survey, answers)


@given(st.data())
@settings(max_examples=300, deadline=None)
def test_an_accepted_response_answers_every_required_visible_question(data: st.DataObject) -> None:
    survey = data.draw(surveys())
    assert definition_problems(survey) == []
    answers = data.draw(any_answers(survey))
    found = problems(survey, answers)
    state = SurveyState(SurveyCreated("ABC", survey, "h", 0))
    outcome = submit(state, "r1", answers, TODAY, 1, lenient=False)
    assert isinstance(outcome, ResponseSubmitted) == (not found)
    if isinstance(outcome, ResponseSubmitted):
        stored = outcome.answers
        shown = visible(survey, stored)
        assert shown == visible(survey, answers)
        assert problems(survey, stored) == []
        for q in survey.questions():
            if q.required and q.id in shown:
                assert q.id in stored and stored[q.id] not in ("", [], {})
            if q.id not in shown:
                assert q.id not in stored and other_key(q.id) not in stored
    else:
        # every problem names a question of the survey (or the unknown key itself)
        ids = {q.id for q in survey.questions()}
        assert all(p.question in ids or p.question in answers for p in found)


@given(st.data())
@settings(max_examples=300, deadline=None)
def test_pruned_fitting_answers_are_accepted_and_hidden_questions_carry_nothing(
    data: st.DataObject,
) -> None:
    survey = data.draw(surveys())
    answers = data.draw(full_answers(survey))
    assert problems(survey, answers) == []
    shown = visible(survey, answers)
    for q in survey.questions():
        if q.id not in shown:
            assert q.id not in answers
    state = SurveyState(SurveyCreated("ABC", survey, "h", 0))
    accepted = submit(state, "r1", answers, TODAY, 1, lenient=False)
    assert not hasattr(accepted, "reason")


def reference_counts(q: Question, responses: list[Answers]) -> dict[str, int]:
    tally: dict[str, int] = {}
    for r in responses:
        value = r.get(q.id)
        if value is None:
            continue
        if isinstance(value, list):
            keys = [str(v) for v in value]
        elif q.kind == Kind.POSTCODE:
            keys = [str(value)[:2]]
        elif q.kind == Kind.DATE:
            keys = [str(value)[:7]]
        else:
            keys = [str(value)]
        for k in keys:
            tally[k] = tally.get(k, 0) + 1
    return tally


def check_result(q: Question, responses: list[Answers], result: Any) -> None:
    given_ = [r for r in responses if q.id in r]
    assert result.answered == len(given_)
    if q.kind in (
        Kind.SINGLE,
        Kind.MULTIPLE,
        Kind.REGION,
        Kind.ORGANISATION,
        Kind.SCALE,
        Kind.POSTCODE,
        Kind.DATE,
    ):
        expected = reference_counts(q, responses)
        got = {c.key: c.count for c in result.counts if c.count}
        assert got == expected
    if q.kind in (Kind.SCALE, Kind.NUMBER):
        values = [cast(float, r[q.id]) for r in given_]
        if values:
            assert result.mean == pytest.approx(sum(values) / len(values))
            assert result.minimum == min(values) and result.maximum == max(values)
            assert result.median == pytest.approx(statistics.median(values))
        else:
            assert result.mean is None
    if q.kind == Kind.MATRIX:
        for row in result.rows:
            grids = [cast(dict[str, str], r[q.id]) for r in given_]
            expected_row = Counter(grid[row.key] for grid in grids if row.key in grid)
            assert {c.key: c.count for c in row.counts if c.count} == dict(expected_row)
    if q.kind == Kind.RANKING:
        for row in result.rows:
            places = [cast(list[str], r[q.id]).index(row.key) + 1 for r in given_]
            if places:
                assert row.mean == pytest.approx(sum(places) / len(places))
            else:
                assert row.mean is None
    if q.kind in (Kind.SHORT_TEXT, Kind.LONG_TEXT):
        assert result.texts == [r[q.id] for r in given_]


@given(st.data())
@settings(max_examples=150, deadline=None)
def test_aggregates_equal_a_reference_computation(data: st.DataObject) -> None:
    survey = data.draw(surveys())
    responses = data.draw(st.lists(full_answers(survey), max_size=8))
    results = aggregate(survey, responses)
    assert results.responses == len(responses)
    for q, result in zip(survey.questions(), results.questions, strict=True):
        check_result(q, responses, result)


@given(st.data())
@settings(max_examples=150, deadline=None)
def test_a_breakdown_is_the_aggregate_of_each_group(data: st.DataObject) -> None:
    survey = data.draw(surveys())
    responses = data.draw(st.lists(full_answers(survey), max_size=8))
    candidates = [q for q in survey.questions() if q.kind in BREAKDOWN]
    if not candidates:
        assert aggregate(survey, responses, by="q0").groups == []
        return
    by = data.draw(st.sampled_from(candidates))
    results = aggregate(survey, responses, by=by.id)
    assert results.by == by.id
    keys = Counter(
        bucket(by, next(iter(chosen(r[by.id])))) if by.kind == Kind.SCALE else bucket(by, r[by.id])
        for r in responses
        if by.id in r
    )
    assert {g.key: g.responses for g in results.groups} == dict(keys)
    for group in results.groups:
        members = [
            r
            for r in responses
            if by.id in r
            and (next(iter(chosen(r[by.id]))) if by.kind == Kind.SCALE else bucket(by, r[by.id]))
            == group.key
        ]
        for q, result in zip(survey.questions(), group.questions, strict=True):
            check_result(q, members, result)
            assert result == question_result(q, members)


@given(st.data())
@settings(max_examples=100, deadline=None)
def test_the_log_replays_to_the_same_state(data: st.DataObject) -> None:
    survey = data.draw(surveys())
    created = SurveyCreated("ABC", survey, "h", 0)
    state = SurveyState(created)
    log = [encode(created)]
    who = data.draw(st.lists(st.sampled_from(["a", "b", "c"]), max_size=6))
    for n, respondent in enumerate(who):
        outcome = submit(state, respondent, data.draw(full_answers(survey)), TODAY, n, lenient=True)
        if respondent in state.respondents:
            assert getattr(outcome, "reason", None) == "already_submitted"
            continue
        assert not hasattr(outcome, "reason")
        state.apply(outcome)
        log.append(encode(outcome))
    again = replay(log)
    assert again.answers() == state.answers()
    assert again.respondents == set(who)


# Examples


def condition_survey() -> Survey:
    return Survey(
        "Test",
        [
            Section(
                "a",
                "A",
                [
                    Question("net", Kind.SINGLE, "Vernetzt?", required=True, options=opts(2)),
                    Question(
                        "which",
                        Kind.SHORT_TEXT,
                        "Mit wem?",
                        required=True,
                        show_if=Condition("net", ["o0"]),
                    ),
                    Question("n", Kind.NUMBER, "Wie viele?", minimum=1, maximum=10),
                ],
            )
        ],
    )


def test_a_condition_shows_and_hides_a_required_question() -> None:
    survey = condition_survey()
    assert problems(survey, {"net": "o0"}) == [problems(survey, {"net": "o0"})[0]]
    assert problems(survey, {"net": "o0"})[0].question == "which"
    assert problems(survey, {"net": "o1"}) == []
    hidden = problems(survey, {"net": "o1", "which": "x"})
    assert [(p.question, p.reason) for p in hidden] == [("which", "answer_hidden")]
    assert prune(survey, {"net": "o1", "which": "x"}) == {"net": "o1"}


def test_numbers_lengths_and_unknown_questions_are_named() -> None:
    survey = condition_survey()
    found = problems(survey, {"net": "o1", "n": 11, "zzz": 1})
    assert [(p.question, p.reason) for p in found] == [
        ("n", "number_out_of_range"),
        ("zzz", "unknown_question"),
    ]
    assert problems(survey, {"net": "o1", "n": 2.5})[0].reason == "number_not_whole"
    assert problems(survey, {"net": "o0", "which": "x" * 201})[0].reason == "answer_too_long"
    assert problems(survey, {"net": True})[0].reason == "answer_invalid"


def test_a_broken_definition_names_the_field() -> None:
    bad = decode_survey(b'{"title": "T", "sections": [{"id": "s", "title": "S", "questions": '
                        b'[{"id": "q", "kind": "dropdown", "text": "?"}]}]}')  # fmt: skip
    assert getattr(bad, "field", "") == "sections[0].questions[0].kind"
    unknown = decode_survey(b'{"title": "T", "sections": [], "colour": "red"}')
    assert "colour" in getattr(unknown, "field", "")
    condition = Survey(
        "T",
        [
            Section(
                "s",
                "S",
                [
                    Question("a", Kind.SHORT_TEXT, "A"),
                    Question("b", Kind.SHORT_TEXT, "B", show_if=Condition("a", ["x"])),
                ],
            )
        ],
    )
    assert definition_problems(condition)[0].field == "sections[0].questions[1].show_if"
    raw = msgspec.json.encode(
        Survey("T", [Section("s", "S", [])], starts="2026-12-01", ends="2026-11-01")
    )
    assert getattr(decode_survey(raw), "reason", "") == "dates_invalid"


def test_open_from_the_start_to_the_end_date() -> None:
    survey = Survey("T", [], starts="2026-12-01", ends="2026-12-31")
    assert status(survey, date(2026, 11, 30)) == "not_yet"
    assert status(survey, date(2026, 12, 1)) == "open"
    assert status(survey, date(2026, 12, 31)) == "open"
    assert status(survey, date(2027, 1, 1)) == "closed"
    state = SurveyState(SurveyCreated("ABC", survey, "h", 0))
    assert getattr(submit(state, "r", {}, date(2027, 1, 1), 0, lenient=True), "reason", "") == (
        "survey_closed"
    )


@pytest.mark.parametrize("name", sorted(TEMPLATES))
@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_templates_are_valid_and_match_across_languages(name: str, lang: str) -> None:
    survey = template(name, lang)
    assert survey is not None and definition_problems(survey) == []
    german = template(name, "de")
    assert german is not None
    assert [q.id for q in survey.questions()] == [q.id for q in german.questions()]


def test_the_inventory_covers_the_study() -> None:
    survey = template("bestandsaufnahme")
    assert survey is not None
    ids = {q.id for q in survey.questions()}
    for needed in ("name", "region", "founded", "member_types", "meetings", "forms", "topics",
                   "goals", "means", "outcomes", "networked", "channels", "consent"):  # fmt: skip
        assert needed in ids
    kinds = {q.kind for q in survey.questions()}
    assert kinds == set(Kind)  # every question type appears once at least
    topics = survey.question("topics")
    assert topics is not None and topics.other
    assert {o.id for o in topics.options} >= {"skilled_workers", "energy", "digitalisation",
                                              "mobility", "land", "image", "innovation",
                                              "transformation"}  # fmt: skip
    contact = survey.question("contact_name")
    assert contact is not None and contact.personal and contact.show_if is not None


def test_moving_the_period_replays() -> None:
    survey = template("feedback")
    assert survey is not None
    created = SurveyCreated("ABC", survey, "h", 0)
    moved = change_dates("2026-12-01", "2026-12-31", 5)
    assert isinstance(moved, DatesChanged)
    state = replay([encode(created), encode(moved)])
    assert (state.definition.starts, state.definition.ends) == ("2026-12-01", "2026-12-31")
    assert getattr(change_dates("2026-12-31", "2026-12-01", 5), "reason", "") == "dates_invalid"
    assert getattr(change_dates("31.12.2026", None, 5), "reason", "") == "dates_invalid"


def one_question(**fields: Any) -> Survey:
    base: dict[str, Any] = {"id": "q", "kind": Kind.SINGLE, "text": "Frage?", "options": opts(2)}
    return Survey("T", [Section("s", "S", [Question(**{**base, **fields})])])


@pytest.mark.parametrize(
    ("survey", "field", "reason"),
    [
        (
            Survey("", [Section("s", "S", [Question("q", Kind.DATE, "?")])]),
            "title",
            "title_missing",
        ),
        (Survey("T", []), "sections", "sections_missing"),
        (one_question(id="1q"), "sections[0].questions[0].id", "id_invalid"),
        (one_question(id="other"), "sections[0].questions[0].id", "id_invalid"),
        (one_question(text=""), "sections[0].questions[0].text", "text_missing"),
        (one_question(text="x" * 501), "sections[0].questions[0].text", "text_too_long"),
        (one_question(options=opts(1)), "sections[0].questions[0].options", "options_missing"),
        (one_question(options=opts(61)), "sections[0].questions[0].options", "too_many_options"),
        (
            one_question(options=[Option("a", "A"), Option("a", "B")]),
            "sections[0].questions[0].options",
            "id_duplicate",
        ),
        (one_question(kind=Kind.MATRIX), "sections[0].questions[0].rows", "rows_missing"),
        (
            one_question(kind=Kind.SCALE, low=1, high=1),
            "sections[0].questions[0].high",
            "scale_invalid",
        ),
        (
            one_question(kind=Kind.NUMBER, minimum=5, maximum=1),
            "sections[0].questions[0].minimum",
            "range_invalid",
        ),
        (
            one_question(kind=Kind.MULTIPLE, max_choices=9),
            "sections[0].questions[0].max_choices",
            "too_many_options",
        ),
        (
            one_question(kind=Kind.SHORT_TEXT, max_length=0),
            "sections[0].questions[0].max_length",
            "range_invalid",
        ),
        (
            Survey("T", [Section("s", "S", [Question("q", Kind.DATE, "?")] * 2)]),
            "sections[0].questions[1].id",
            "id_duplicate",
        ),
        (
            Survey(
                "T", [Section("s", "S", [Question(f"q{i}", Kind.DATE, "?") for i in range(201)])]
            ),
            "sections",
            "too_many_questions",
        ),
        (
            Survey("T", [Section("s", "", [Question("q", Kind.DATE, "?")])]),
            "sections[0].title",
            "text_missing",
        ),
        (
            Survey(
                "T", [Section("s", "S", [Question("q", Kind.DATE, "?")]), Section("s", "S2", [])]
            ),
            "sections[1].id",
            "id_duplicate",
        ),
    ],
)
def test_every_broken_definition_names_its_field(survey: Survey, field: str, reason: str) -> None:
    found = definition_problems(survey)
    assert (found[0].field, found[0].reason) == (field, reason)
    assert getattr(decode_survey(msgspec.json.encode(survey)), "field", None) == field


def test_answers_that_do_not_fit_their_kind_are_named() -> None:
    survey = Survey(
        "T",
        [
            Section(
                "s",
                "S",
                [
                    Question(
                        "m", Kind.MATRIX, "?", required=True, options=opts(2), rows=opts(2, "r")
                    ),
                    Question("r", Kind.RANKING, "?", options=opts(3)),
                    Question("d", Kind.DATE, "?"),
                    Question("p", Kind.POSTCODE, "?"),
                    Question("c", Kind.MULTIPLE, "?", options=opts(3), other=True, max_choices=2),
                    Question("s", Kind.SCALE, "?"),
                    Question("t", Kind.SHORT_TEXT, "?", required=True),
                ],
            )
        ],
    )
    bad: dict[str, Any] = {
        "m": {"r0": "o0"},
        "r": ["o0", "o1"],
        "d": "2026-02-30",
        "p": "1234",
        "c": ["o0", "other"],
        "s": 9,
        "t": "   ",
    }
    found = {p.question: p.reason for p in problems(survey, bad)}
    assert found == {
        "m": "answer_missing",
        "r": "ranking_incomplete",
        "d": "date_invalid",
        "p": "postcode_invalid",
        "c": "other_missing",
        "s": "number_out_of_range",
        "t": "answer_missing",
    }
    worse: dict[str, Any] = {
        "m": ["x"],
        "r": "o0",
        "d": 5,
        "c": ["o0", "o1", "o2"],
        "s": "3",
        "t": 3,
    }
    found = {p.question: p.reason for p in problems(survey, worse)}
    assert found["m"] == "answer_invalid" and found["r"] == "answer_invalid"
    assert found["d"] == "date_invalid" and found["c"] == "too_many_choices"
    assert found["s"] == "answer_invalid" and found["t"] == "answer_invalid"
    assert problems(survey, {"m": {"r0": "o0", "r1": "o1"}, "t": "x", "c.other": "y"})[0] == (
        Problem("c", "answer_invalid")
    )


def test_the_directory_lists_consenting_responses_and_filters_them() -> None:
    base: dict[str, Any] = {"name": "B", "region": "BB", "topics": ["energy"], "consent": "yes"}
    responses: list[Answers] = [
        {**base, "name": "Zukunft Lausitz", "member_types": ["union"], "members_union": 3},
        {**base, "name": "Anonym", "consent": "no"},
        {**base, "name": "Allianz Ruhr", "region": "NW", "topics": ["mobility"], "founded": 2010},
    ]
    everything = directory(responses, {3})
    assert [e.name for e in everything] == ["Allianz Ruhr", "Zukunft Lausitz"]
    assert [e.response for e in everything] == [3, 1]
    assert everything[1].members[0].count == 3 and everything[0].founded == 2010
    assert [e.name for e in directory(responses, {3}, only_published=True)] == ["Allianz Ruhr"]
    assert [e.name for e in directory(responses, set(), region="BB")] == ["Zukunft Lausitz"]
    assert [e.name for e in directory(responses, set(), topic="mobility")] == ["Allianz Ruhr"]
    assert [e.name for e in directory(responses, set(), text="lausitz")] == ["Zukunft Lausitz"]
    state = SurveyState(SurveyCreated("ABC", Survey("T", []), "h", 0))
    state.apply(EntryReviewed(1, True, 0))
    assert state.published == set()  # no response 1 yet
