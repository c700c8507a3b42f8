"""The builder's edits: pure steps on a definition, and which revisions a survey keeps.

Property tests: moves and removals never lose or duplicate a question; a
revision is kept exactly when the domain's own checks pass (and, after a
response, when only wording changed); a log with revisions replays to the
same definition.
"""

from __future__ import annotations

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from rooms.surveys.definition import (
    Condition,
    Kind,
    Option,
    Question,
    Section,
    Survey,
    definition_problems,
)
from rooms.surveys.edit import (
    add_section,
    blank,
    fresh_id,
    move_question,
    move_section,
    put_question,
    remove_question,
    remove_section,
    revise,
    set_section,
    skeleton,
)
from rooms.surveys.log import (
    Refusal,
    ResponseSubmitted,
    SurveyCreated,
    SurveyRevised,
    SurveyState,
    encode,
    replay,
    submit,
)
from tests.rooms.test_surveys import TODAY, full_answers, surveys


def two_sections() -> Survey:
    colour = Question(
        "colour", Kind.SINGLE, "Farbe?", options=[Option("r", "Rot"), Option("g", "Grün")]
    )
    why = Question("why", Kind.SHORT_TEXT, "Warum rot?", show_if=Condition("colour", ["r"]))
    age = Question("age", Kind.NUMBER, "Alter?", minimum=0, maximum=120)
    return Survey(
        "Test",
        [Section("a", "Erster", [colour, why]), Section("b", "Zweiter", [age])],
    )


def ids(survey: Survey) -> list[list[str]]:
    return [[q.id for q in s.questions] for s in survey.sections]


def test_questions_move_within_and_across_sections() -> None:
    survey = two_sections()
    assert ids(move_question(survey, "why", -1)) == [["why", "colour"], ["age"]]
    assert ids(move_question(survey, "why", 1)) == [["colour"], ["why", "age"]]
    assert ids(move_question(survey, "age", -1)) == [["colour", "why", "age"], []]
    assert move_question(survey, "colour", -1) == survey  # already first
    assert move_question(survey, "age", 1) == survey  # already last
    assert ids(move_section(survey, "b", -1)) == [["age"], ["colour", "why"]]
    assert move_section(survey, "a", -1) == survey


def test_sections_and_questions_are_added_changed_and_removed() -> None:
    survey = add_section(two_sections(), "Dritter", "Zum Schluss")
    assert [s.id for s in survey.sections] == ["a", "b", "s1"]
    assert survey.sections[2].intro == "Zum Schluss"
    survey = set_section(survey, "s1", "Ende", "")
    assert survey.sections[2].title == "Ende"
    new = Question(fresh_id(survey, "q"), Kind.DATE, "Wann?")
    survey = put_question(survey, "s1", new)
    assert ids(survey)[2] == ["q1"]
    survey = put_question(survey, "a", msgspec.structs.replace(new, text="Wann genau?"))
    assert ids(survey)[2] == ["q1"]  # replaced where it stands, not moved to "a"
    changed = survey.question("q1")
    assert changed is not None and changed.text == "Wann genau?"
    assert ids(remove_question(survey, "q1"))[2] == []
    assert [s.id for s in remove_section(survey, "a").sections] == ["b", "s1"]


def test_a_blank_survey_is_valid_to_build_on() -> None:
    survey = blank("Neu", "Abschnitt 1", "Ihre erste Frage", "de")
    assert definition_problems(survey) == []


def test_a_revision_is_checked_by_the_domain_and_names_the_field() -> None:
    state = SurveyState(SurveyCreated("ABCDEFGH", two_sections(), "h", 0))
    # "why" above the question its condition names
    moved = revise(state, move_question(state.definition, "why", -1), 1)
    assert isinstance(moved, Refusal)
    assert moved.reason == "condition_invalid"
    assert moved.problems == [("sections[0].questions[0].show_if", "condition_invalid")]
    removed = revise(state, remove_question(state.definition, "colour"), 1)
    assert isinstance(removed, Refusal) and removed.reason == "condition_invalid"
    kept = revise(state, set_section(state.definition, "a", "Erster Teil", ""), 1)
    assert isinstance(kept, SurveyRevised)


def test_after_a_response_only_wording_and_dates_change() -> None:
    state = SurveyState(SurveyCreated("ABCDEFGH", two_sections(), "h", 0))
    answer = submit(state, "r1", {"colour": "g", "age": 40}, TODAY, 1, lenient=False)
    assert isinstance(answer, ResponseSubmitted)
    state.apply(answer)
    survey = state.definition
    colour = survey.question("colour")
    assert colour is not None
    reworded = put_question(
        survey,
        "a",
        msgspec.structs.replace(
            colour, text="Welche Farbe?", options=[Option("r", "Rot"), Option("g", "Grünlich")]
        ),
    )
    reworded = msgspec.structs.replace(reworded, title="Neu", starts="2026-01-01", ends=None)
    assert isinstance(revise(state, reworded, 2), SurveyRevised)
    structural = [
        move_question(survey, "age", -1),
        remove_question(survey, "why"),
        put_question(survey, "a", msgspec.structs.replace(colour, required=True)),
        put_question(
            survey,
            "a",
            msgspec.structs.replace(colour, options=[*colour.options, Option("b", "Blau")]),
        ),
        put_question(survey, "b", Question("new", Kind.DATE, "Neu?")),
    ]
    for changed in structural:
        refused = revise(state, changed, 2)
        assert isinstance(refused, Refusal) and refused.reason == "survey_has_responses"


@given(st.data())
@settings(max_examples=60, deadline=None)
def test_moves_keep_every_question_once_and_revisions_replay(data: st.DataObject) -> None:
    survey = data.draw(surveys())
    created = SurveyCreated("ABCDEFGH", survey, "h", 0)
    state = SurveyState(created)
    log = [encode(created)]
    every = sorted(q.id for q in survey.questions())
    for n in range(data.draw(st.integers(1, 6))):
        current = state.definition
        qid = data.draw(st.sampled_from([q.id for q in current.questions()]))
        step = data.draw(st.sampled_from([-1, 1]))
        moved = move_question(current, qid, step)
        assert sorted(q.id for q in moved.questions()) == every
        outcome = revise(state, moved, n + 1)
        # kept exactly when the domain's checks pass (no responses yet)
        assert isinstance(outcome, SurveyRevised) == (definition_problems(moved) == [])
        if isinstance(outcome, SurveyRevised):
            state.apply(outcome)
            log.append(encode(outcome))
    if data.draw(st.booleans()):
        answered = submit(
            state, "r", data.draw(full_answers(state.definition)), TODAY, 9, lenient=True
        )
        if isinstance(answered, ResponseSubmitted):
            state.apply(answered)
            log.append(encode(answered))
            # wording only: still kept
            retitled = msgspec.structs.replace(state.definition, title="Anders")
            assert skeleton(retitled) == skeleton(state.definition)
            assert isinstance(revise(state, retitled, 10), SurveyRevised)
    assert replay(log).definition == state.definition
