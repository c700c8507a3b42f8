"""Deleting personal data: a participant's own, or everyone's (GDPR).

Two commands, one event. ``privacy.erase_me`` is a participant deleting
their own data from their phone: their name, their signatures on cards,
their names and contacts on actions, their name on questions and on the
speaker list; they leave the event. ``privacy.erase_all``
is the moderator (or the retention sweep, as admin) deleting every name and
contact at once; the event is closed, and the anonymous results stay.

The event only says whose data goes; :func:`apply` removes it from the
state, and the transport then rewrites the log (:mod:`rooms.redact`), so no
deleted name survives in the store either.
"""

from __future__ import annotations

import msgspec

from rooms.actions.domain import Actions, Member
from rooms.base import Actor, Rejected, Role
from rooms.ideas.domain import MODERATOR, Boards
from rooms.lobby.domain import EventClosed, Lobby
from rooms.qna.domain import Qna
from rooms.speakers.domain import Speakers, person_key


class EraseMe(msgspec.Struct, tag="privacy.erase_me", frozen=True):
    pass


class EraseAll(msgspec.Struct, tag="privacy.erase_all", frozen=True):
    pass


PRIVACY_COMMAND_TYPES = (EraseMe, EraseAll)
PrivacyCommand = EraseMe | EraseAll


class PersonalDataErased(msgspec.Struct, tag="privacy.erased", frozen=True):
    """``participants`` None: everyone's names and contacts."""

    participants: list[str] | None = None


PRIVACY_EVENT_TYPES = (PersonalDataErased,)
PrivacyEvent = PersonalDataErased


def decide(
    lobby: Lobby, command: PrivacyCommand, actor: Actor
) -> list[PersonalDataErased | EventClosed] | Rejected:
    if isinstance(command, EraseMe):
        if actor.role is not Role.PARTICIPANT or actor.participant is None:
            return Rejected("not_allowed")
        if actor.participant not in lobby.participants:
            return Rejected("not_joined")
        return [PersonalDataErased([actor.participant])]
    if actor.role not in (Role.MODERATOR, Role.ADMIN):
        return Rejected("not_allowed")
    out: list[PersonalDataErased | EventClosed] = [PersonalDataErased(None)]
    if not lobby.closed:
        out.append(EventClosed())
    return out


def apply(
    lobby: Lobby,
    boards: Boards,
    actions: Actions,
    qna: Qna,
    speakers: Speakers,
    event: PersonalDataErased,
) -> set[str]:
    """Remove the names and contacts; the one who erased their own data leaves.

    Everything here must agree with :data:`rooms.privacy.redact.PERSONAL`:
    a log scrubbed there and replayed gives this very state.
    """
    who = None if event.participants is None else set(event.participants)

    def hit(pid: str) -> bool:
        return pid != MODERATOR and (who is None or pid in who)

    touched: set[str] = set()
    for pid, person in lobby.participants.items():
        if not hit(pid):
            continue
        person.name = None
        touched.add(pid)
        if who is not None and not person.left:
            person.left = True
            lobby.joined -= 1
    if who is None:
        lobby.erased = True
    for board in boards.by_id.values():
        for card in board.ideas.values():
            if hit(card.author):
                card.name = None
    kept = [entry.action for entry in actions.undo]  # deleted actions that may come back
    for action in [*actions.by_id.values(), *kept]:
        for pid, member in list(action.members.items()):
            if hit(pid):
                action.members[pid] = Member("", None, member.at)
    for question in qna.questions.values():
        if hit(question.participant):
            question.name = None  # as if asked anonymously
    for entry in speakers.entries.values():
        # Names the moderator added (no phone) go only when everyone's data goes.
        if (entry.participant is None and who is None) or (
            entry.participant is not None and hit(entry.participant)
        ):
            entry.name = ""
            entry.key = person_key(entry.participant, "")  # what a replay of the scrubbed log has
    return touched
