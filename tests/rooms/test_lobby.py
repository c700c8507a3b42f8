"""The lobby's rules, one example each; the properties are in test_replay.py."""

from __future__ import annotations

import pytest

from rooms.activities import Limits
from rooms.base import Actor, Role
from rooms.lobby.domain import (
    CloseEvent,
    CreateEvent,
    Join,
    Language,
    Leave,
    OrganisationType,
    ParticipantJoined,
    Rename,
    ReopenEvent,
    ScreenMode,
    ShowOnScreen,
)
from rooms.lobby.limits import LobbyLimits
from rooms.room import Command, Envelope, RoomState, apply, handle, replay
from rooms.views import moderator_view, organisation_mix, participant_view, public_view
from tests.rooms.helpers import T0, new_room

GUEST = Actor(Role.GUEST)
MOD = Actor(Role.MODERATOR)


def anna() -> Actor:
    return Actor(Role.PARTICIPANT, "anna")


def joined_room() -> RoomState:
    state, _ = new_room()
    assert handle(state, Join("anna", "Anna", OrganisationType.UNION), GUEST, "j1", T0).ok
    return state


def test_only_an_admin_creates_and_only_once() -> None:
    command = CreateEvent("ABCDEF", "T", language=Language.DE)
    assert handle(RoomState(), command, MOD, None, T0).reason == "not_allowed"
    assert handle(RoomState(), CreateEvent("ABCDEF", "  "), Actor(Role.ADMIN), None, T0).reason == (
        "title_missing"
    )
    state, _ = new_room()
    assert handle(state, command, Actor(Role.ADMIN), None, T0).reason == "event_exists"


def test_commands_before_creation_name_the_unknown_event() -> None:
    assert handle(RoomState(), CloseEvent(), MOD, None, T0).reason == "unknown_event"


def test_join_reports_the_new_participant_and_counts() -> None:
    state, _ = new_room()
    handled = handle(state, Join("anna", "  Anna   Berg ", None), GUEST, "c", T0)
    assert handled.ok and handled.id == "anna"
    assert state.lobby.participants["anna"].name == "Anna Berg"
    assert public_view(state, 1).participants.joined == 1


def test_names_longer_than_the_limit_are_refused_with_a_reason() -> None:
    state, _ = new_room()
    assert handle(state, Join("x", "n" * 41, None), GUEST, None, T0).reason == "name_too_long"
    assert handle(state, Join("x", "n" * 40, None), GUEST, None, T0).ok


def test_rename_and_leave_act_on_oneself_only() -> None:
    state = joined_room()
    assert handle(state, Rename("Anna B.", OrganisationType.BUSINESS), anna(), "r", T0).ok
    me = participant_view(state, "anna", 1).me
    assert me is not None and me.name == "Anna B." and me.organisation_type == "business"
    stranger = Actor(Role.PARTICIPANT, "bob")
    assert handle(state, Rename("x", None), stranger, None, T0).reason == "not_joined"
    assert handle(state, Leave(), anna(), "l", T0).ok
    assert state.lobby.joined == 0
    assert handle(state, Rename("again", None), anna(), None, T0).reason == "not_joined"


@pytest.mark.parametrize(
    "command", [CloseEvent(), ReopenEvent(), ShowOnScreen(ScreenMode.BLANK)], ids=repr
)
@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.GUEST, Role.SCREEN])
def test_moderator_commands_are_refused_to_everyone_else(command: Command, role: Role) -> None:
    state = joined_room()
    actor = Actor(role, "anna" if role is Role.PARTICIPANT else None)
    assert handle(state, command, actor, None, T0).reason == "not_allowed"


def test_closed_event_refuses_joins_and_can_be_reopened() -> None:
    state = joined_room()
    assert handle(state, CloseEvent(), MOD, "close", T0).ok
    assert public_view(state, 0).status == "closed"
    assert handle(state, Join("bob", None, None), GUEST, None, T0).reason == "event_closed"
    assert handle(state, ReopenEvent(), MOD, "reopen", T0).ok
    assert handle(state, Join("bob", None, None), GUEST, None, T0).ok


def test_screen_mode_changes_write_only_when_something_changes() -> None:
    state = joined_room()
    blank = handle(state, ShowOnScreen(ScreenMode.BLANK), MOD, "b1", T0)
    assert blank.ok and len(blank.envelopes) == 1
    again = handle(state, ShowOnScreen(ScreenMode.BLANK), MOD, "b2", T0)
    assert again.ok and again.envelopes == []
    assert public_view(state, 0).screen == "blank"


def test_capacity_is_enforced_by_decide_and_by_apply() -> None:
    limits = Limits(lobby=LobbyLimits(max_participants=1))
    state, log = new_room()
    first = handle(state, Join("a", None, None), GUEST, None, T0)
    log.extend(first.envelopes)
    # Another worker validated a second join against an older state and
    # appended it: in log order it no longer fits, so apply drops it.
    late = Envelope(state.seq + 1, T0, "guest", "other", ParticipantJoined("b", None, None))
    rebuilt = replay(log, limits)
    assert apply(rebuilt, late, limits) == set()
    assert rebuilt.lobby.joined == 1 and "b" not in rebuilt.lobby.participants
    refused = handle(rebuilt, Join("c", None, None), GUEST, None, T0, limits)
    assert refused.reason == "event_full"


def test_moderator_view_lists_newest_first_with_presence_and_mix() -> None:
    state = joined_room()
    handle(state, Join("bob", None, None), GUEST, "j2", T0)
    view = moderator_view(state, frozenset({"bob"}), limit=1)
    assert [p.id for p in view.people] == ["bob"]
    assert view.people[0].online is True
    assert view.participants.online == 1 and view.participants.joined == 2
    mix = organisation_mix(state)
    assert mix["union"] == 1 and mix["unknown"] == 1
