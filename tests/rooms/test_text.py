"""Invisible characters never reach a screen: names, titles and topics (issue 15)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rooms.base import Actor, Role
from rooms.cafe.domain import CreateCafe, TableSpec
from rooms.lobby.domain import CreateEvent, Format, Join, Language, Rename
from rooms.room import RoomState, handle
from rooms.text import one_line, visible
from tests.rooms.helpers import T0, new_room

RLO = "\u202e"  # right-to-left override
HIDDEN = ["\u202e", "\u202d", "\u2066", "\u2069", "\u200b", "\u200e", "\u2060", "\ufeff", "\x00"]


def test_bidi_overrides_and_zero_width_characters_are_removed() -> None:
    assert one_line(f"Anna{RLO}gnp.exe") == "Annagnp.exe"
    assert one_line("\u200b\u200b") == ""  # looks empty, is empty: anonymous
    assert (
        one_line("Jos\u00e9 \u00c7elik  M\u00fcller\u2028Gmbh")
        == "Jos\u00e9 \u00c7elik M\u00fcller Gmbh"
    )
    assert one_line("\U0001f44b Hallo") == "\U0001f44b Hallo"


@given(st.text())
def test_nothing_invisible_survives(text: str) -> None:
    cleaned = one_line(text)
    assert not any(c in cleaned for c in HIDDEN)
    assert cleaned == cleaned.strip()
    assert visible(cleaned) == cleaned


def test_names_titles_and_topics_are_cleaned_in_decide() -> None:
    state, _ = new_room()
    joined = handle(state, Join("p1", f"{RLO}Anna\u200b", None), Actor(Role.GUEST), "j", T0)
    assert state.lobby.participants["p1"].name == "Anna", joined
    handle(state, Rename("\u200b\u2066"), Actor(Role.PARTICIPANT, "p1"), "r", T0)
    assert state.lobby.participants["p1"].name is None  # nothing visible left: anonymous
    cafe = CreateCafe(tables=[TableSpec(f"Energie{RLO}"), TableSpec("Fl\u00e4che")], rounds=2)
    assert handle(state, cafe, Actor(Role.MODERATOR), "c", T0).ok
    assert [t.topic for t in state.cafe.tables] == ["Energie", "Fl\u00e4che"]
    fresh = RoomState()
    created = CreateEvent("XYZ234", f"Zukunft{RLO}", Format.CUSTOM, Language.DE, None, "h")
    handle(fresh, created, Actor(Role.ADMIN), None, T0)
    assert fresh.lobby.title == "Zukunft"
    untitled = CreateEvent("XYZ235", "\u200b", Format.CUSTOM, Language.DE, None, "h")
    assert handle(RoomState(), untitled, Actor(Role.ADMIN), None, T0).reason == "title_missing"
