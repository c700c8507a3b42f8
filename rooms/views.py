"""Projections of a room: what the screen, one participant and the console may see.

Views are plain msgspec Structs, so the JSON API encodes them directly and
the templates read the same fields. ``online`` is not in the log (connections
are transient), so the transport passes it in.
"""

from __future__ import annotations

import msgspec

from rooms.cafe.views import CafeView, MyCafe, cafe_view, my_cafe
from rooms.ideas.views import ActionView, BoardView, MyIdeas, action_views, board_views, my_ideas
from rooms.lobby.domain import OrganisationType, Participant
from rooms.polls.domain import Ballot, Option, Poll, PollSettings, PollStatus
from rooms.polls.tally import Results, tally
from rooms.room import RoomState


class Counts(msgspec.Struct, frozen=True):
    joined: int
    online: int


class PollView(msgspec.Struct, frozen=True, omit_defaults=True):
    """One poll as a role sees it; ``results`` only where that role may see them."""

    id: str
    kind: str
    question: str
    status: str
    options: list[Option]
    settings: PollSettings
    voters: int | None = None  # left out where results are: phones would change with every vote
    results: Results | None = None


class PublicView(msgspec.Struct, frozen=True):
    """What anyone with the join code may see; the screen shows exactly this."""

    code: str
    title: str
    format: str
    language: str
    date: str | None
    status: str  # "open" | "closed"
    screen: str
    screen_poll: str | None
    participants: Counts
    polls: list[PollView]
    boards: list[BoardView]
    actions: list[ActionView]
    cafe: CafeView | None = None


class Me(msgspec.Struct, frozen=True):
    id: str
    name: str | None
    organisation_type: str | None
    joined_at: int
    left: bool
    ballots: dict[str, Ballot]  # poll id -> my current ballot
    ideas: MyIdeas  # my cards, dots and action sign-ups
    cafe: MyCafe | None = None


class ParticipantRow(msgspec.Struct, frozen=True):
    id: str
    name: str | None
    organisation_type: str | None
    joined_at: int
    online: bool


class ModeratorView(msgspec.Struct, frozen=True):
    """The full view: everything in the event, for the console and exports."""

    code: str
    title: str
    format: str
    language: str
    date: str | None
    status: str
    screen: str
    screen_poll: str | None
    participants: Counts
    polls: list[PollView]
    boards: list[BoardView]
    actions: list[ActionView]
    people: list[ParticipantRow]
    organisation_types: dict[str, int]
    cafe: CafeView | None = None


class ParticipantView(msgspec.Struct, frozen=True):
    code: str
    title: str
    format: str
    language: str
    date: str | None
    status: str
    screen: str
    screen_poll: str | None
    participants: Counts
    polls: list[PollView]
    boards: list[BoardView]
    actions: list[ActionView]
    me: Me | None
    cafe: CafeView | None = None


def results_visible(poll: Poll, audience: str) -> bool:
    """Who sees results when: the moderator always; the screen unless held back
    until close; phones only when the moderator shares them."""
    if audience == "moderator":
        return True
    held_back = poll.settings.hide_results and poll.status is not PollStatus.CLOSED
    if audience == "screen":
        return not held_back
    return poll.settings.results_on_phones and not held_back


def poll_view(state: RoomState, poll: Poll, audience: str) -> PollView:
    moderator = audience == "moderator"
    results = None
    if results_visible(poll, audience):
        names = None
        if moderator and not poll.settings.anonymous:
            # People who left (or deleted their data) are no longer named.
            names = {pid: p.name for pid, p in state.lobby.participants.items() if not p.left}
        results = tally(poll, moderator=moderator, names=names)
    return PollView(
        id=poll.id,
        kind=poll.kind.value,
        question=poll.question,
        status=poll.status.value,
        options=poll.options,
        settings=poll.settings,
        voters=len(poll.ballots) if audience != "participant" or results else None,
        results=results,
    )


def poll_views(state: RoomState, audience: str) -> list[PollView]:
    """Drafts are the moderator's alone."""
    return [
        poll_view(state, poll, audience)
        for poll in state.polls.in_order()
        if audience == "moderator" or poll.status is not PollStatus.DRAFT
    ]


def public_view(state: RoomState, online: int, audience: str = "screen") -> PublicView:
    lob = state.lobby
    return PublicView(
        code=lob.code,
        title=lob.title,
        format=lob.format.value,
        language=lob.language.value,
        date=lob.date,
        status="closed" if lob.closed else "open",
        screen=lob.screen.value,
        screen_poll=lob.screen_poll,
        participants=Counts(lob.joined, online),
        polls=poll_views(state, audience),
        boards=board_views(state.boards, audience, state.lobby),
        actions=action_views(state.actions, audience, state.lobby),
        cafe=cafe_view(state.cafe, state.lobby, moderator=audience == "moderator"),
    )


def me_view(state: RoomState, participant: str) -> Me | None:
    p = state.lobby.participants.get(participant)
    if p is None:
        return None
    ballots = {
        poll.id: poll.ballots[p.id]
        for poll in state.polls.in_order()
        if p.id in poll.ballots and poll.status is not PollStatus.DRAFT
    }
    mine = my_ideas(state.boards, state.actions, p.id)
    return Me(p.id, p.name, _org(p), p.joined_at, p.left, ballots, mine, my_cafe(state.cafe, p.id))


def participant_view(state: RoomState, participant: str, online: int) -> ParticipantView:
    pub = public_view(state, online, audience="participant")
    return ParticipantView(**msgspec.structs.asdict(pub), me=me_view(state, participant))


def organisation_mix(state: RoomState) -> dict[str, int]:
    """How many present participants come from each stakeholder group."""
    mix = {t.value: 0 for t in OrganisationType}
    mix["unknown"] = 0
    for p in state.lobby.participants.values():
        if not p.left:
            mix[_org(p) or "unknown"] += 1
    return mix


def moderator_view(
    state: RoomState, online_ids: set[str] | frozenset[str], limit: int | None = None
) -> ModeratorView:
    """``limit`` keeps the console light at 2,000 people: the newest rows first."""
    present = [p for p in state.lobby.participants.values() if not p.left]
    present.reverse()
    if limit is not None:
        present = present[:limit]
    rows = [ParticipantRow(p.id, p.name, _org(p), p.joined_at, p.id in online_ids) for p in present]
    pub = public_view(state, len(online_ids), audience="moderator")
    return ModeratorView(
        **msgspec.structs.asdict(pub), people=rows, organisation_types=organisation_mix(state)
    )


def _org(p: Participant) -> str | None:
    return None if p.organisation_type is None else p.organisation_type.value
