"""What the registry gives the pages: screen modes and projector templates of any activity."""

from __future__ import annotations

from rooms import views
from rooms.activities import SCREEN_GUARDS, STAGES
from rooms.base import Actor, Role
from rooms.lobby.domain import ScreenMode, ShowOnScreen
from rooms.room import handle
from server.render import Renderer
from tests.rooms.helpers import T0, new_room

MOD = Actor(Role.MODERATOR)


def test_every_built_in_screen_mode_is_registered_by_exactly_one_activity() -> None:
    assert {m.value for m in ScreenMode} <= set(SCREEN_GUARDS)  # new activities add their own


def test_a_screen_mode_no_activity_registered_is_refused() -> None:
    state, _ = new_room()
    answer = handle(state, ShowOnScreen("karaoke"), MOD, "k1", T0)
    assert (answer.ok, answer.reason) == (False, "bad_message")
    assert state.lobby.screen == ScreenMode.WELCOME


def test_the_stage_includes_the_template_an_activity_brings_for_its_mode() -> None:
    """A new activity's mode is shown through ``Activity.stages``, not a branch in the stage."""
    state, _ = new_room()
    state.lobby.screen = "mood"  # as if a registered activity had taken the projector
    ev = views.public_view(state, 0)
    renderer = Renderer()
    html = renderer.render(
        "de", "lobby/stage.html", ev=ev, oob=False, stages={"mood": "partials/seq.html"}, seq=7
    )
    assert 'id="seq"' in html
    # Q&A, the speaker list and the agenda bring their own projector templates;
    # the older activities lay out their modes in the stage itself.
    assert STAGES == {
        "qna": "qna/screen.html",
        "speakers": "speakers/screen.html",
        "agenda": "agenda/screen.html",
    }
