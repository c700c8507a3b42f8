"""Polls: lifecycle, ballot rules, and every tally against a plain reference model."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping
from typing import Any, TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rooms.base import Actor, Role
from rooms.lobby.domain import Join, Leave, ScreenMode, ShowOnScreen
from rooms.polls.domain import (
    ClosePoll,
    CreatePoll,
    DeletePoll,
    DuplicatePoll,
    HideAnswer,
    HideWord,
    MovePoll,
    OpenPoll,
    PollKind,
    ResetPoll,
    UndoPoll,
    UpdatePoll,
    Vote,
)
from rooms.polls.tally import (
    ChoiceResults,
    PointsResults,
    RankingResults,
    ScaleResults,
    TextResults,
    cached_tally,
    tally,
)
from rooms.room import RoomState, replay
from rooms.words import word_counts, words_of
from tests.rooms.helpers import T0, handle, new_room

MOD = Actor(Role.MODERATOR)
PEOPLE = [f"p{i}" for i in range(5)]


def person(pid: str) -> Actor:
    return Actor(Role.PARTICIPANT, pid)


def room_with_people() -> tuple[RoomState, list[Any]]:
    state, log = new_room()
    for pid in PEOPLE:
        log.extend(
            handle(state, Join(pid, pid.upper(), None), Actor(Role.GUEST), None, T0).envelopes
        )
    return state, log


def create(state: RoomState, log: list[Any], **fields: Any) -> str:
    handled = handle(state, CreatePoll(**fields), MOD, None, T0)
    assert handled.ok, handled.reason
    log.extend(handled.envelopes)
    assert handled.id is not None
    return handled.id


# --- examples ---------------------------------------------------------------


def test_lifecycle_draft_open_closed_reopened() -> None:
    state, log = room_with_people()
    poll = create(state, log, kind=PollKind.SINGLE, question="Ja?", options=["Ja", "Nein"])
    assert poll == "p1"
    assert handle(state, Vote(poll=poll, choice="o1"), person("p0"), None, T0).reason == (
        "poll_not_found"  # drafts are invisible to participants
    )
    assert handle(state, OpenPoll(poll), MOD, None, T0).ok
    assert handle(state, Vote(poll=poll, choice="o1"), person("p0"), None, T0).ok
    assert handle(state, ClosePoll(poll), MOD, None, T0).ok
    late = handle(state, Vote(poll=poll, choice="o2"), person("p1"), None, T0)
    assert late.reason == "poll_closed"
    assert handle(state, OpenPoll(poll), MOD, None, T0).ok
    assert handle(state, Vote(poll=poll, choice="o2"), person("p1"), None, T0).ok
    results = tally(state.polls.by_id[poll])
    assert results == ChoiceResults(2, {"o1": 1, "o2": 1})


def test_a_changed_vote_replaces_the_ballot() -> None:
    state, log = room_with_people()
    poll = create(state, log, kind=PollKind.SINGLE, question="?", options=["A", "B"])
    handle(state, OpenPoll(poll), MOD, None, T0)
    handle(state, Vote(poll=poll, choice="o1"), person("p0"), "v1", T0)
    handle(state, Vote(poll=poll, choice="o2"), person("p0"), "v2", T0)
    assert tally(state.polls.by_id[poll]) == ChoiceResults(1, {"o1": 0, "o2": 1})


def test_only_moderators_manage_polls() -> None:
    state, log = room_with_people()
    refused = handle(state, CreatePoll(question="?", options=["a", "b"]), person("p0"), None, T0)
    assert refused.reason == "not_allowed"
    poll = create(state, log, question="?", options=["a", "b"])
    for command in (OpenPoll(poll), ClosePoll(poll), ResetPoll(poll), DeletePoll(poll)):
        assert handle(state, command, person("p0"), None, T0).reason == "not_allowed"
    assert handle(state, Vote(poll=poll, choice="o1"), MOD, None, T0).reason == "not_allowed"


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"question": " "}, "question_missing"),
        ({"question": "x" * 201}, "question_too_long"),
        ({"options": ["nur eine"]}, "options_missing"),
        ({"options": [str(i) for i in range(21)]}, "too_many_options"),
        ({"options": ["a", "b" * 121]}, "option_too_long"),
        ({"kind": PollKind.SCALE, "scale_min": 5, "scale_max": 5}, "scale_invalid"),
        ({"kind": PollKind.SCALE, "scale_min": 0, "scale_max": 11}, "scale_invalid"),
        ({"kind": PollKind.POINTS, "budget": 0}, "budget_invalid"),
        ({"kind": PollKind.POINTS, "budget": 5, "max_per_option": 6}, "budget_invalid"),
        ({"kind": PollKind.MULTIPLE, "max_choices": 3}, "max_choices_invalid"),
    ],
)
def test_bad_poll_definitions_are_refused_with_a_reason(
    fields: dict[str, Any], reason: str
) -> None:
    state, _ = room_with_people()
    base: dict[str, Any] = {"question": "Frage?", "options": ["a", "b"], **fields}
    assert handle(state, CreatePoll(**base), MOD, None, T0).reason == reason


def test_drafts_can_be_edited_reordered_duplicated_and_deleted() -> None:
    state, log = room_with_people()
    first = create(state, log, question="Eins?", options=["a", "b"])
    second = create(state, log, kind=PollKind.TEXT, question="Zwei?")
    edit = UpdatePoll(poll=first, kind=PollKind.MULTIPLE, question="Eins!", options=["a", "b", "c"])
    assert handle(state, edit, MOD, None, T0).ok
    assert state.polls.by_id[first].question == "Eins!"
    assert len(state.polls.by_id[first].options) == 3
    copy = handle(state, DuplicatePoll(first), MOD, None, T0)
    assert copy.id == "p3"
    assert state.polls.order == [first, "p3", second]
    handle(state, MovePoll(second, 0), MOD, None, T0)
    assert state.polls.order == [second, first, "p3"]
    handle(state, OpenPoll(first), MOD, None, T0)
    assert handle(state, edit, MOD, None, T0).reason == "poll_not_draft"
    assert handle(state, DeletePoll(first), MOD, None, T0).reason == "poll_not_draft"
    assert handle(state, DeletePoll("p3"), MOD, None, T0).ok
    assert state.polls.order == [second, first]


def test_screen_shows_only_polls_that_were_opened() -> None:
    state, log = room_with_people()
    poll = create(state, log, question="?", options=["a", "b"])
    show = ShowOnScreen(ScreenMode.POLL, poll)
    assert handle(state, show, MOD, None, T0).reason == "poll_not_open"
    handle(state, OpenPoll(poll), MOD, None, T0)
    assert handle(state, show, MOD, None, T0).ok
    assert state.lobby.screen_poll == poll


def test_scale_results_give_distribution_mean_and_median() -> None:
    state, log = room_with_people()
    poll = create(state, log, kind=PollKind.SCALE, question="?", scale_min=1, scale_max=5)
    handle(state, OpenPoll(poll), MOD, None, T0)
    for pid, value in zip(PEOPLE, [1, 2, 2, 5], strict=False):
        assert handle(state, Vote(poll=poll, value=value), person(pid), None, T0).ok
    assert handle(state, Vote(poll=poll, value=6), person("p4"), None, T0).reason == (
        "value_out_of_range"
    )
    results = tally(state.polls.by_id[poll])
    assert results == ScaleResults(4, {"1": 1, "2": 2, "3": 0, "4": 0, "5": 1}, 2.5, 2.0)


def test_ranking_uses_borda_and_shows_ties_as_ties() -> None:
    state, log = room_with_people()
    poll = create(state, log, kind=PollKind.RANKING, question="?", options=["A", "B", "C"])
    handle(state, OpenPoll(poll), MOD, None, T0)
    handle(state, Vote(poll=poll, ranking=["o1", "o2", "o3"]), person("p0"), None, T0)
    handle(state, Vote(poll=poll, ranking=["o2", "o1", "o3"]), person("p1"), None, T0)
    partial = handle(state, Vote(poll=poll, ranking=["o1"]), person("p2"), None, T0)
    assert partial.reason == "ranking_incomplete"
    results = tally(state.polls.by_id[poll])
    assert isinstance(results, RankingResults)
    assert results.scores == {"o1": 3, "o2": 3, "o3": 0}
    assert results.places == {"o1": 1, "o2": 1, "o3": 3}
    assert results.ranks["o1"] == [1, 1, 0]


def test_points_respect_budget_and_maximum() -> None:
    state, log = room_with_people()
    poll = create(
        state, log, kind=PollKind.POINTS, question="?", options=["A", "B"], budget=5,
        max_per_option=3,
    )  # fmt: skip
    handle(state, OpenPoll(poll), MOD, None, T0)
    over = handle(state, Vote(poll=poll, points={"o1": 3, "o2": 3}), person("p0"), None, T0)
    assert over.reason == "points_over_budget"
    too_many = handle(state, Vote(poll=poll, points={"o1": 4}), person("p0"), None, T0)
    assert too_many.reason == "points_over_max"
    assert handle(state, Vote(poll=poll, points={"o1": 3, "o2": 2}), person("p0"), None, T0).ok
    assert handle(state, Vote(poll=poll, points={"o2": 1}), person("p1"), None, T0).ok
    assert tally(state.polls.by_id[poll]) == PointsResults(
        2, {"o1": 3, "o2": 3}, {"o1": 1, "o2": 2}
    )


def test_text_answers_can_be_hidden_and_words_too() -> None:
    state, log = room_with_people()
    poll = create(state, log, kind=PollKind.TEXT, question="Was hemmt Innovation?")
    handle(state, OpenPoll(poll), MOD, None, T0)
    handle(state, Vote(poll=poll, text="Bürokratie und Fachkräftemangel"), person("p0"), None, T0)
    handle(state, Vote(poll=poll, text="Die Bürokratie!"), person("p1"), None, T0)
    handle(state, Vote(poll=poll, text="Spam spam"), person("p2"), None, T0)
    too_long = handle(state, Vote(poll=poll, text="x" * 141), person("p3"), None, T0)
    assert too_long.reason == "text_too_long"
    handle(state, HideAnswer(poll, 3), MOD, None, T0)
    handle(state, HideWord(poll, "Fachkräftemangel"), MOD, None, T0)
    public = tally(state.polls.by_id[poll])
    assert isinstance(public, TextResults)
    assert [a.text for a in public.answers] == [
        "Die Bürokratie!",
        "Bürokratie und Fachkräftemangel",
    ]
    assert [(w.word, w.count, w.label) for w in public.words] == [("bürokratie", 2, "Bürokratie")]
    full = tally(state.polls.by_id[poll], moderator=True)
    assert isinstance(full, TextResults)
    assert [(a.id, a.hidden) for a in full.answers] == [(3, True), (2, False), (1, False)]
    assert all(a.name is None for a in full.answers)  # anonymous by default


def test_kept_results_follow_every_move_of_the_poll() -> None:
    """The views keep each poll's results until an event touches the poll; after
    every move, the kept results (public and the moderator's) equal a fresh count."""
    state, log = room_with_people()
    poll = create(state, log, kind=PollKind.TEXT, question="Was hemmt Innovation?")
    moves: list[tuple[Actor, Any]] = [
        (MOD, OpenPoll(poll)),
        (person("p0"), Vote(poll=poll, text="Bürokratie und Fachkräftemangel")),
        (person("p1"), Vote(poll=poll, text="Die Bürokratie!")),
        (person("p1"), Vote(poll=poll, text="Fachkräftemangel")),  # changed
        (MOD, HideAnswer(poll, 1)),
        (MOD, HideWord(poll, "fachkräftemangel")),
        (MOD, HideWord(poll, "fachkräftemangel", hidden=False)),
        (MOD, HideAnswer(poll, 1, hidden=False)),
        (MOD, ClosePoll(poll)),
        (MOD, ResetPoll(poll)),
    ]
    counted: list[int] = []
    for actor, command in moves:
        handled = handle(state, command, actor, None, T0)
        assert handled.ok, (command, handled.reason)
        for moderator in (False, True):
            kept = cached_tally(state.polls.by_id[poll], moderator=moderator)
            assert kept == tally(state.polls.by_id[poll], moderator=moderator)
        counted.append(kept.voters)
    reset_at = state.seq
    assert handle(state, UndoPoll(reset_at), MOD, None, T0).ok  # back come the ballots
    assert cached_tally(state.polls.by_id[poll]) == tally(state.polls.by_id[poll])
    assert counted == [0, 1, 2, 2, 2, 2, 2, 2, 2, 0]
    assert cached_tally(state.polls.by_id[poll]).voters == 2


def test_words_are_normalised_and_stop_words_dropped() -> None:
    assert words_of("Die Digitalisierung, die DIGITALISIERUNG und the future!") == [
        "digitalisierung",
        "future",
    ]
    assert words_of("E-Mobilität 2030 in der Region") == ["e-mobilität", "region"]


def test_cloud_counts_case_blind_and_shows_the_commonest_spelling() -> None:
    answers = ["KI im Mittelstand", "ki hilft", "KI!", "mittelstand stärken", "Mittelstand"]
    counted = word_counts(answers, frozenset())
    assert counted[:2] == [("ki", 3, "KI"), ("mittelstand", 3, "Mittelstand")]
    # A tie between spellings goes to the first written, so labels do not flicker.
    assert word_counts(["eMobilität", "EMobilität"], frozenset()) == [
        ("emobilität", 2, "eMobilität")
    ]


def test_reset_clears_ballots_but_stays_in_the_log() -> None:
    state, log = room_with_people()
    poll = create(state, log, question="?", options=["a", "b"])
    log.extend(handle(state, OpenPoll(poll), MOD, None, T0).envelopes)
    log.extend(handle(state, Vote(poll=poll, choice="o1"), person("p0"), None, T0).envelopes)
    reset = handle(state, ResetPoll(poll), MOD, "reset", T0)
    log.extend(reset.envelopes)
    # An anonymous poll's ballots name nobody: every phone's "your vote" is renewed.
    assert reset.touched == set(PEOPLE)
    named = create(state, log, question="?", options=["a", "b"], anonymous=False)
    handle(state, OpenPoll(named), MOD, None, T0)
    handle(state, Vote(poll=named, choice="o1"), person("p1"), None, T0)
    assert handle(state, ResetPoll(named), MOD, None, T0).touched == {"p1"}  # only the voter
    assert tally(state.polls.by_id[poll]) == ChoiceResults(0, {"o1": 0, "o2": 0})
    assert any(e.event.__struct_config__.tag == "poll.reset_done" for e in log)
    assert replay(log).polls.by_id[poll].resets == 1


def test_people_who_left_cannot_vote() -> None:
    state, log = room_with_people()
    poll = create(state, log, question="?", options=["a", "b"])
    handle(state, OpenPoll(poll), MOD, None, T0)
    handle(state, Leave(), person("p0"), None, T0)
    assert handle(state, Vote(poll=poll, choice="o1"), person("p0"), None, T0).reason == (
        "not_joined"
    )


# --- the reference model ----------------------------------------------------

KIND_FIELDS: dict[PollKind, dict[str, Any]] = {
    PollKind.SINGLE: {"options": ["A", "B", "C"]},
    PollKind.MULTIPLE: {"options": ["A", "B", "C", "D"], "max_choices": 2},
    PollKind.SCALE: {"scale_min": 0, "scale_max": 4},
    PollKind.RANKING: {"options": ["A", "B", "C"]},
    PollKind.POINTS: {"options": ["A", "B", "C"], "budget": 5, "max_per_option": 3},
    PollKind.TEXT: {},
}
IDS = ["o1", "o2", "o3", "o4", "o9"]  # o9 never exists

rankings = st.permutations(["o1", "o2", "o3"]) | st.lists(st.sampled_from(IDS), max_size=4)
points = st.dictionaries(st.sampled_from(IDS), st.integers(-1, 6), max_size=3)
texts = st.sampled_from(["", "  ", "Fachkräfte", "Bürokratie abbauen", "x" * 150])
payloads = st.one_of(
    st.builds(lambda c: {"choice": c}, st.sampled_from(IDS)),
    st.builds(lambda c: {"choices": c}, st.lists(st.sampled_from(IDS), max_size=4)),
    st.builds(lambda v: {"value": v}, st.integers(-1, 6)),
    st.builds(lambda r: {"ranking": r}, rankings),
    st.builds(lambda p: {"points": p}, points),
    st.builds(lambda t: {"text": t}, texts),
)
cids = st.sampled_from(["a", "b", None])
step = st.one_of(
    st.tuples(st.just("vote"), st.sampled_from(PEOPLE), payloads, cids),
    st.tuples(st.sampled_from(["open", "close", "reset"]), st.none(), st.none(), st.none()),
    st.tuples(st.just("resend"), st.integers(0, 50), st.none(), st.none()),
)


def model_ballot(kind: PollKind, payload: dict[str, Any]) -> Any:
    """An independent reading of the ballot rules, written for clarity, not speed."""
    f = KIND_FIELDS[kind]
    options = [f"o{i}" for i in range(1, len(f.get("options", [])) + 1)]
    if kind is PollKind.SINGLE:
        return payload.get("choice") if payload.get("choice") in options else None
    if kind is PollKind.MULTIPLE:
        chosen = set(payload.get("choices") or [])
        ok = chosen and chosen <= set(options) and len(chosen) <= f["max_choices"]
        return frozenset(chosen) if ok else None
    if kind is PollKind.SCALE:
        value = payload.get("value")
        return value if value is not None and 0 <= value <= 4 else None
    if kind is PollKind.RANKING:
        ranking = payload.get("ranking")
        return tuple(ranking) if ranking and sorted(ranking) == options else None
    if kind is PollKind.POINTS:
        points = {k: v for k, v in (payload.get("points") or {}).items() if v != 0}
        valid = (
            points
            and set(points) <= set(options)
            and all(0 < v <= 3 for v in points.values())
            and sum(points.values()) <= 5
        )
        return tuple(sorted(points.items())) if valid else None
    text = " ".join((payload.get("text") or "").split())
    return text if 0 < len(text) <= 140 else None


def model_results(kind: PollKind, ballots: dict[str, Any]) -> dict[str, Any]:
    values = list(ballots.values())
    if kind is PollKind.SINGLE:
        return {"voters": len(values), "counts": Counter(values)}
    if kind is PollKind.MULTIPLE:
        return {"voters": len(values), "counts": Counter(c for b in values for c in b)}
    if kind is PollKind.SCALE:
        return {
            "voters": len(values),
            "dist": Counter(values),
            "median": statistics.median(values) if values else None,
        }
    if kind is PollKind.RANKING:
        scores: Counter[str] = Counter()
        for ranking in values:
            for place, option in enumerate(ranking):
                scores[option] += 2 - place
        return {"voters": len(values), "scores": scores}
    if kind is PollKind.POINTS:
        totals: Counter[str] = Counter()
        for points in values:
            for option, n in points:
                totals[option] += n
        return {"voters": len(values), "totals": totals}
    return {"voters": len(values), "texts": sorted(values)}


K = TypeVar("K")


def _nonzero(counts: Mapping[K, int]) -> Counter[K]:
    """The counts without the zeros: the model counts only what was chosen."""
    return Counter({k: v for k, v in counts.items() if v})


def actual_results(kind: PollKind, results: Any) -> dict[str, Any]:
    if isinstance(results, ChoiceResults):
        return {"voters": results.voters, "counts": _nonzero(results.counts)}
    if isinstance(results, ScaleResults):
        dist = _nonzero({int(k): v for k, v in results.distribution.items()})
        return {"voters": results.voters, "dist": dist, "median": results.median}
    if isinstance(results, RankingResults):
        return {"voters": results.voters, "scores": _nonzero(results.scores)}
    if isinstance(results, PointsResults):
        return {"voters": results.voters, "totals": _nonzero(results.totals)}
    assert isinstance(results, TextResults)
    return {"voters": results.voters, "texts": sorted(a.text for a in results.answers)}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(list(PollKind)), st.lists(step, max_size=40))
def test_every_tally_equals_the_reference_model(kind: PollKind, steps: list[Any]) -> None:
    state, log = room_with_people()
    poll = create(state, log, kind=kind, question="Frage?", **KIND_FIELDS[kind])
    status, ballots = "draft", {}
    sent: list[tuple[str, dict[str, Any], str]] = []  # votes with a cid, for resends
    used: set[tuple[str, str]] = set()  # (participant, cid) the log holds
    for action, who, payload, cid in steps:
        if action == "resend":
            if not sent:
                continue
            who, payload, cid = sent[who % len(sent)]
        if action in ("vote", "resend"):
            assert who is not None and payload is not None
            full_cid = None if cid is None else f"{who}-{cid}"
            handled = handle(state, Vote(poll=poll, **payload), person(who), full_cid, T0)
            log.extend(handled.envelopes)
            if full_cid is not None and (who, full_cid) in used:
                assert handled.envelopes == []  # a resend changes nothing
                continue
            ballot = model_ballot(kind, payload)
            if status == "open" and ballot is not None:
                assert handled.ok, handled.reason
                if handled.envelopes and full_cid is not None:
                    used.add((who, full_cid))
                ballots[who] = ballot
            else:
                assert not handled.ok
            if full_cid is not None:
                sent.append((who, payload, cid or ""))
            continue
        command = {"open": OpenPoll, "close": ClosePoll, "reset": ResetPoll}[action](poll)
        handled = handle(state, command, MOD, None, T0)
        log.extend(handled.envelopes)
        if action == "open":
            status = "open"
        elif action == "close" and status == "open":
            status = "closed"
        elif action == "reset":
            ballots = {}
    expected = model_results(kind, ballots)
    assert actual_results(kind, tally(state.polls.by_id[poll])) == expected
    assert actual_results(kind, tally(replay(log).polls.by_id[poll])) == expected


def test_named_polls_show_the_moderator_who_chose_what_and_anonymous_ones_never() -> None:
    state, log = room_with_people()
    named = create(state, log, question="?", options=["a", "b"], anonymous=False)
    secret = create(state, log, question="?", options=["a", "b"])
    for poll in (named, secret):
        handle(state, OpenPoll(poll), MOD, None, T0)
        handle(state, Vote(poll=poll, choice="o1"), person("p0"), None, T0)
    names = {pid: p.name for pid, p in state.lobby.participants.items()}
    shown = tally(state.polls.by_id[named], moderator=True, names=names)
    assert isinstance(shown, ChoiceResults)
    assert shown.names == {"o1": ["P0"], "o2": []}
    hidden = tally(state.polls.by_id[secret], moderator=True, names=names)
    assert isinstance(hidden, ChoiceResults)
    assert hidden.names is None
    public = tally(state.polls.by_id[named])
    assert isinstance(public, ChoiceResults)
    assert public.names is None
