"""Hypothesis strategies for lobby commands from a small cast of actors."""

from __future__ import annotations

from hypothesis import strategies as st

from rooms.base import Actor, Role
from rooms.lobby.domain import (
    CloseEvent,
    Join,
    Leave,
    OrganisationType,
    Rename,
    ReopenEvent,
    ScreenMode,
    ShowOnScreen,
)
from rooms.room import Command

PEOPLE = [f"p{i}" for i in range(6)]

names = st.one_of(st.none(), st.text(min_size=0, max_size=50))
orgs = st.one_of(st.none(), st.sampled_from(list(OrganisationType)))
cids = st.one_of(st.none(), st.sampled_from([f"c{i}" for i in range(8)]))

guest = st.just(Actor(Role.GUEST))
moderator = st.just(Actor(Role.MODERATOR))
participant = st.sampled_from(PEOPLE).map(lambda p: Actor(Role.PARTICIPANT, p))
screen = st.just(Actor(Role.SCREEN))


def _join(pid: str, name: str | None, org: OrganisationType | None) -> Command:
    return Join(pid, name, org)


commands: st.SearchStrategy[Command] = st.one_of(
    st.builds(_join, st.sampled_from(PEOPLE), names, orgs),
    st.builds(Rename, names, orgs),
    st.just(Leave()),
    st.builds(ShowOnScreen, st.sampled_from(list(ScreenMode))),
    st.just(CloseEvent()),
    st.just(ReopenEvent()),
)

steps = st.lists(
    st.tuples(st.one_of(guest, moderator, participant, screen), commands, cids),
    max_size=60,
)
