"""An agenda phase can name one of the event's surveys (``survey:CODE``), e.g. the feedback.

The survey lives in its own log; the phase only carries the reference, like a
poll's or a board's, so phones can show the survey's card with that phase.
"""

from __future__ import annotations

from rooms.agenda.domain import AddPhase, StartPhase, UpdatePhase
from rooms.agenda.views import agenda_view
from rooms.base import Actor, Role
from rooms.room import handle, replay
from tests.rooms.helpers import T0, new_room

MOD = Actor(Role.MODERATOR)


def test_a_phase_names_a_survey_and_phones_learn_its_kind() -> None:
    state, log = new_room()
    now = T0
    handled = []
    for n, command in enumerate(
        [
            AddPhase(title="Begrüßung", minutes=10),
            AddPhase(title="Feedback", minutes=5),
        ]
    ):
        handled.append(handle(state, command, MOD, None, now + n))
        log.extend(handled[-1].envelopes)
    first, feedback = (h.id for h in handled)
    assert first is not None and feedback is not None
    named = handle(
        state, UpdatePhase(phase=feedback, activities=["survey:ABCDEFGH"]), MOD, None, now + 5
    )
    assert named.ok
    log.extend(named.envelopes)
    assert state.agenda.phases[feedback].activities == ["survey:ABCDEFGH"]
    # a malformed code is refused like any malformed reference
    for bad in ("survey:abc", "survey:ABCDEFGHI", "survey:"):
        refused = handle(state, UpdatePhase(phase=feedback, activities=[bad]), MOD, None, now + 6)
        assert refused.reason == "phase_activity_invalid", bad
    # while the first phase runs, the survey is "later"; while the feedback runs, "now"
    started = handle(state, StartPhase(phase=first), MOD, None, now + 7)
    log.extend(started.envelopes)
    assert "surveys" in agenda_view(state.agenda, "participant").later
    started = handle(state, StartPhase(phase=feedback), MOD, None, now + 8)
    log.extend(started.envelopes)
    assert agenda_view(state.agenda, "participant").now == ["surveys"]
    assert replay(log).agenda.phases[feedback].activities == ["survey:ABCDEFGH"]
