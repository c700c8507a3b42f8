"""Removing a survey's personal answers: only those, everywhere the state holds them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rooms.surveys.definition import Survey
from rooms.surveys.log import (
    DraftSaved,
    PersonalErased,
    ResponseSubmitted,
    SurveyCreated,
    SurveyState,
    decode,
    encode,
    erased_entry,
    holds_personal,
    without_personal,
)
from rooms.surveys.templates import template


def inventory() -> Survey:
    survey = template("bestandsaufnahme")
    assert survey is not None
    return survey


SURVEY = inventory()
PERSONAL = {"contact_name", "contact_email"}
KEYS = st.sampled_from(
    ["name", "region", "contact_name", "contact_email", "contact_name.other", "rating.goals"]
)


@given(st.dictionaries(KEYS, st.text(max_size=5)))
def test_only_personal_answers_and_their_sub_answers_go(answers: dict[str, str]) -> None:
    kept = without_personal(SURVEY, dict(answers))
    assert {k for k in answers if k.partition(".")[0] not in PERSONAL} == set(kept)
    assert all(kept[k] == answers[k] for k in kept)


def test_the_marker_strips_responses_and_drafts_and_the_entries_are_rewritten() -> None:
    state = SurveyState(SurveyCreated("ABCDEFGH", SURVEY, "", 0))
    answer = ResponseSubmitted("r1", {"name": "Bündnis", "contact_email": "a@b.de"}, 1)
    draft = DraftSaved("r2", {"contact_name": "Ada", "region": "SN"}, 3, 2)
    for entry in (answer, draft):
        state.apply(entry)
    assert holds_personal(state)
    rewritten = erased_entry(SURVEY, encode(answer))
    assert rewritten is not None and b"a@b.de" not in rewritten
    assert decode(rewritten) == ResponseSubmitted("r1", {"name": "Bündnis"}, 1)
    assert erased_entry(SURVEY, encode(PersonalErased(5))) is None
    state.apply(PersonalErased(5))
    assert not holds_personal(state)
    assert state.responses[0].answers == {"name": "Bündnis"}
    assert state.drafts["r2"].answers == {"region": "SN"}
