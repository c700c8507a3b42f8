"""Template filters: dates as people write them, long words that break well."""

from __future__ import annotations

import time

from server import hyphens
from server.hyphens import SOFT_HYPHEN, soft_hyphens
from server.render import Renderer, _date


def test_dates_in_the_locale_format() -> None:
    assert _date("de", "2026-09-30") == "30.09.2026"
    assert _date("en", "2026-09-30") == "Sep 30, 2026"
    assert _date("de", None) == ""
    assert _date("de", "Ende September") == "Ende September"  # not a date: as it is


def test_long_german_words_get_soft_hyphens_at_syllables() -> None:
    hyphens.warm_up()
    deadline = time.monotonic() + 60
    while "de" not in hyphens._loaded and time.monotonic() < deadline:  # loads in a thread
        time.sleep(0.05)
    text = soft_hyphens("Die Breitbandanbindung ist schlecht", "de")
    assert text.replace(SOFT_HYPHEN, "") == "Die Breitbandanbindung ist schlecht"
    assert "Breit" + SOFT_HYPHEN in text  # a syllable break, not a cut at the edge
    assert soft_hyphens("Kurze Wörter bleiben", "de") == "Kurze Wörter bleiben"


def test_filters_are_in_every_language() -> None:
    renderer = Renderer()
    for lang, due in (("de", "fällig 30.09.2026"), ("en", "due Sep 30, 2026")):
        html = renderer.render(
            lang,
            "actions/screen.html",
            ev=_Event(),
        )
        assert due in html


class _Action:
    id = "a1"
    title = "Digitallabor"
    owner = ""
    due = "2026-09-30"
    joined = 2


class _Event:
    def __init__(self) -> None:
        self.actions = [_Action()]
