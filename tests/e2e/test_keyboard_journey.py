"""A moderator with only a keyboard: create and open a poll, cluster a card, start a café round.

Every step is reached with Tab (or a documented shortcut) and done with Enter
or a key, never with the mouse; at every stop the focused element shows a
visible focus ring (outline or box shadow).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.liveserver import LiveServer, NewContext
from tests.e2e.test_forms_survive_updates import scripts_ready
from tests.e2e.test_live_event import open_console

pytestmark = pytest.mark.e2e

FOCUS_SHOWN = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "nothing focused";
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
  const ring = outline || s.boxShadow !== "none";
  return ring ? "" : `no visible focus on ${el.tagName.toLowerCase()}.${el.className}`;
}
"""


def focus_shown(page: Page) -> None:
    problem: str = page.evaluate(FOCUS_SHOWN)
    assert not problem, problem


def tab_to(page: Page, target: Locator, limit: int = 400) -> None:
    """Press Tab until ``target`` has the focus, checking the focus ring on the way."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => document.activeElement === el"):
            focus_shown(page)
            return
    raise AssertionError(f"Tab never reached {target}")


def test_console_by_keyboard_alone(
    new_context: NewContext, live_server: LiveServer, event: dict[str, Any]
) -> None:
    code = event["code"]
    for name in ("Anna Berger", "Bernd Carl", "Clara Dietz", "David Ernst"):
        live_server.join(code, name, None)
    with live_server.live(code, event["moderator_token"]) as moderator:
        moderator.send("ideas.create_board", prompt="Was hemmt Innovation?")
        moderator.send("idea.post", board="b1", text="Strompreise sind zu hoch")
        moderator.send("cluster.create", board="b1", name="Energie")
        tables = [{"topic": t} for t in ("Fachkräfte", "Energie")]
        moderator.send("cafe.create", tables=tables, rounds=2, round_minutes=15)
    console = open_console(new_context, event)
    scripts_ready(console)

    # A poll: N opens the editor in the question field; Enter in it saves.
    console.keyboard.press("n")
    question = console.locator("#pe-question")
    expect(question).to_be_focused()
    focus_shown(console)
    console.keyboard.type("Wohin zuerst?")
    console.keyboard.press("Tab")
    expect(console.locator("#pe-options")).to_be_focused()
    console.keyboard.type("Innenstadt")
    console.keyboard.press("Enter")
    console.keyboard.type("Gewerbegebiet")
    console.keyboard.press("Shift+Tab")
    console.keyboard.press("Enter")
    row = console.locator("article.poll-row").first
    expect(row).to_contain_text("Wohin zuerst?")
    tab_to(console, row.get_by_role("button", name="Öffnen", exact=True))
    console.keyboard.press("Enter")
    expect(row).to_have_class(re.compile(r"status-open"))

    # A card into a cluster: Tab to the card, press 1 for the first cluster.
    card = console.locator('[data-idea="i1"]')
    tab_to(console, card)
    console.keyboard.press("1")
    expect(console.locator('[data-drop="c1"] [data-idea="i1"]')).to_be_visible()

    # The café: Tab to "Runde 1 starten", Enter.
    start = console.get_by_role("button", name="Runde 1 starten")
    tab_to(console, start)
    console.keyboard.press("Enter")
    expect(console.locator("#console-cafe")).to_contain_text("Runde 1 von 2")
