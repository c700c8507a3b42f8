"""One check for every screen view: nothing extends beyond the viewport, nothing is cut.

``assert_fits_everywhere(page, what)`` resizes the page to each projector size
(1920×1080, 1280×720, 1024×768 for 4:3 projectors, 3840×2160), waits until
static/screenfit.js has fitted the stage to the new size, and fails listing
every offending element:

- a visible element whose box reaches beyond the viewport (the fifth poll
  option below the edge, a word of the cloud off the side);
- a box that hides overflow and holds more than it shows, unless it is a line
  clamp, which ends the cut text with an ellipsis (a card wall's long card).

Screenshots of each size go to $SCREEN_SHOTS when it is set.
"""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page, ViewportSize

SIZES: dict[str, ViewportSize] = {
    "1920x1080": {"width": 1920, "height": 1080},
    "1280x720": {"width": 1280, "height": 720},
    "1024x768": {"width": 1024, "height": 768},
    "3840x2160": {"width": 3840, "height": 2160},
}

SHOTS = os.environ.get("SCREEN_SHOTS")

_FIND_OVERFLOW = (Path(__file__).with_name("overflow.js")).read_text(encoding="utf-8")


def overflowing(page: Page) -> list[str]:
    """Every element that reaches beyond the viewport or cuts its content, described."""
    found: list[str] = page.evaluate(_FIND_OVERFLOW)
    return found


def fit_to(page: Page, size: ViewportSize) -> None:
    """Resize and wait until screenfit.js has laid the stage out for the new size.

    The wait is for a fit *at that size* (``data-fitted-size``), not for any
    new fit: a live update that lands just before the resize fits the stage
    at the old size, and a cloud laid out for 1280 px was then measured at
    1024 (its resize fit waits for the next animation frame).
    """
    same = page.viewport_size == size
    page.set_viewport_size(size)
    if same:  # no resize event: fit once more by hand
        page.evaluate("() => window.dialograumFit()")
    page.wait_for_function(
        "size => { const s = document.getElementById('stage');"
        " return s && s.getAttribute('data-fitted-size') === size; }",
        arg=f"{size['width']}x{size['height']}",
    )


def assert_fits_everywhere(page: Page, what: str) -> None:
    """The page shows ``what`` within the viewport at every projector size."""
    problems = []
    for label, size in SIZES.items():
        fit_to(page, size)
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(SHOTS) / f"screen_{what}_{label}.png"))
        problems += [f"{label}: {p}" for p in overflowing(page)]
    page.set_viewport_size(SIZES["1920x1080"])
    assert not problems, f"{what} does not fit:\n" + "\n".join(problems)
