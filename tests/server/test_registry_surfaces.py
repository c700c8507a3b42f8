"""What the registry gives the pages: screen modes, projector templates and static files."""

from __future__ import annotations

from rooms import views
from rooms.activities import ASSETS, SCREEN_GUARDS, SCRIPTS, STAGES, STYLES
from rooms.base import Actor, Role
from rooms.lobby.domain import ScreenMode, ShowOnScreen
from rooms.room import handle
from server.render import STATIC, Renderer
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
    # Q&A and the speaker list bring their own projector templates (and so does every
    # later activity with a mode); the older activities lay out theirs in the stage itself.
    assert {"qna": "qna/screen.html", "speakers": "speakers/screen.html"}.items() <= STAGES.items()
    assert set(STAGES) <= set(SCREEN_GUARDS)  # a stage only for a mode one may switch to


def test_every_page_loads_each_activitys_own_files_once() -> None:
    """An activity names its stylesheet and script in ``assets``; the pages load them from there."""
    assert set(ASSETS) <= {p.name for p in STATIC.iterdir()}, "an activity names a missing file"
    assert {"cafe.css", "ideas.css", "werkstatt.css", "agenda.css"} <= set(STYLES)
    assert {"cafe.js", "ideas.js", "werkstatt.js", "agenda.js"} <= set(SCRIPTS)
    assert SCRIPTS.index("cafe.js") < SCRIPTS.index("werkstatt.js")  # the countdown comes first
    renderer = Renderer()
    head = renderer.render("de", "base.html")
    scripts = renderer.render("de", "live_scripts.html")
    for sheet in STYLES:
        assert head.count(f"/static/{sheet}") == 1, sheet
    for script in SCRIPTS:
        assert scripts.count(f"/static/{script}") == 1, script
