"""Text zoom to 200 % keeps the phone usable at 320 px (WCAG 1.4.4, issue 16).

A browser's text-size setting scales the root font; the pages size their text
and most of their boxes in ``rem``/``em``, so the same happens here by setting
the root's font size to 200 %. Usable means: nothing scrolls sideways, and the
controls one needs (join, vote, post a card, ask, the mood buttons) are inside
the screen's width and can be pressed.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.e2e.liveserver import LiveServer, NewContext
from tests.e2e.test_polls import open_phone

pytestmark = pytest.mark.e2e

NARROW: ViewportSize = {"width": 320, "height": 740}
ZOOM = "() => { document.documentElement.style.fontSize = '200%'; }"
SIDEWAYS = """() => [...document.querySelectorAll('body *')]
  .filter(e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
                 return r.width > 0 && s.visibility !== 'hidden' && r.right > innerWidth + 1
                        && !e.closest('[hidden], details:not([open]) > :not(summary)'); })
  .slice(0, 8).map(e => `${e.tagName.toLowerCase()}.${e.className}: right ${Math.round(
      e.getBoundingClientRect().right)}`)"""


def zoomed(page: Page) -> None:
    page.evaluate(ZOOM)
    page.wait_for_function("() => getComputedStyle(document.documentElement).fontSize === '32px'")


def assert_no_sideways_scroll(page: Page, where: str) -> None:
    width, client = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    beyond = page.evaluate(SIDEWAYS)
    assert width <= client and beyond == [], (
        f"{where}: scrolls sideways at 200 % text ({width} > {client}): {beyond}"
    )


def test_join_page_at_200_percent_text(new_context: NewContext, event: dict[str, Any]) -> None:
    page = new_context(NARROW).new_page()
    page.goto(event["links"]["join"])
    zoomed(page)
    assert_no_sideways_scroll(page, "join page")
    join = page.get_by_role("button", name="Teilnehmen")
    join.scroll_into_view_if_needed()
    expect(join).to_be_in_viewport(ratio=0.9)


def test_phone_with_every_activity_at_200_percent_text(
    new_context: NewContext, live_server: LiveServer, event: dict[str, Any]
) -> None:
    code = event["code"]
    phone = open_phone(new_context, live_server, code, "Anna Berger", viewport=NARROW)
    with live_server.live(code, event["moderator_token"]) as moderator:
        poll = str(
            moderator.send(
                "poll.create", kind="single", question="Wo zuerst investieren?",
                options=["Schiene", "Wasserstoff", "Berufliche Bildung"],
            )["id"]
        )  # fmt: skip
        moderator.send("poll.open", poll=poll)
        moderator.send("ideas.create_board", prompt="Was hemmt Innovation in unserer Region?")
        moderator.send("qna.create", title="Fragen an das Podium")
        moderator.send("action.create", title="Digitallabor gründen", due="2027-06-30")
    expect(phone.locator(f"form[data-poll={poll}]")).to_be_visible()
    zoomed(phone)
    assert_no_sideways_scroll(phone, "phone page")
    for button in (
        phone.locator(f"form[data-poll={poll}] button[type=submit]").first,
        phone.get_by_role("button", name="Karte abschicken").first,
        phone.get_by_role("button", name="1", exact=True).first,
    ):
        button.scroll_into_view_if_needed()
        expect(button).to_be_in_viewport(ratio=0.9)
        box = button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 321
