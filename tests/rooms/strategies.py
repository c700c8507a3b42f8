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
from rooms.qna import domain as qna
from rooms.room import Command
from rooms.speakers import domain as speakers

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

# Q&A and the speaker list (rooms/qna, rooms/speakers): a few ids so commands meet.
sessions = st.sampled_from(["s1", "s2"])
questions = st.sampled_from(["q1", "q2", "q3"])
entries = st.sampled_from(["e1", "e2", "e3"])
werkstatt_commands: st.SearchStrategy[Command] = st.one_of(
    st.builds(
        qna.CreateQna,
        title=st.sampled_from(["Input 1", ""]),
        mode=st.sampled_from(list(qna.QnaMode)),
    ),
    st.builds(qna.CloseQna, sessions),
    st.builds(qna.ReopenQna, sessions),
    st.builds(
        qna.AskQuestion, session=sessions, text=st.text(max_size=20), anonymous=st.booleans()
    ),
    st.builds(qna.Upvote, questions),
    st.builds(qna.Unvote, questions),
    st.builds(qna.ApproveQuestion, questions),
    st.builds(qna.HideQuestion, questions),
    st.builds(qna.RestoreQuestion, questions),
    st.builds(qna.EditQuestion, questions, st.text(max_size=20)),
    st.builds(qna.MergeQuestion, questions, questions),
    st.builds(qna.StarQuestion, questions, st.booleans()),
    st.builds(qna.LiveQuestion, questions),
    st.builds(qna.AnswerQuestion, questions),
    st.builds(qna.ArchiveQuestion, questions),
    st.builds(speakers.RequestToSpeak, subject=st.text(max_size=10), direct=st.booleans()),
    st.builds(speakers.Withdraw),
    st.builds(speakers.AddSpeaker, name=st.sampled_from(["Gast", "Frau K."])),
    st.builds(speakers.MoveSpeaker, entries, st.integers(0, 3)),
    st.just(speakers.NextSpeaker()),
    st.builds(speakers.RemoveSpeaker, entries),
    st.builds(speakers.AllowDirect, entries),
    st.sampled_from([speakers.PauseTimer(), speakers.ResumeTimer()]),
    st.builds(
        speakers.SpeakerSettings,
        seconds=st.sampled_from([0, 60]),
        alternate=st.sampled_from(list(speakers.Alternate)),
    ),
    st.sampled_from([speakers.CloseSpeakers(), speakers.OpenSpeakers()]),
)

commands = st.one_of(commands, werkstatt_commands)

steps = st.lists(
    st.tuples(st.one_of(guest, moderator, participant, screen), commands, cids),
    max_size=60,
)
