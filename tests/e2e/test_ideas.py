"""Idea boards in a real browser: phones post cards, the moderator clusters by dragging
(mouse and touch-style pointer events, and the keyboard), phones spend dots, a phone
joins an action, and the screen shows each step."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import FloatRect, Locator, Page, expect

from tests.e2e.liveserver import LiveServer, NewContext
from tests.e2e.test_live_event import open_console, open_screen
from tests.e2e.test_polls import open_phone

pytestmark = pytest.mark.e2e


def into_view(page: Page) -> None:
    """Cards and clusters on screen together: pointers only hit what the viewport shows."""
    page.evaluate("document.querySelector('.cluster-board').scrollIntoView()")


def box_of(locator: Locator) -> FloatRect:
    """Where an element is on screen, once it is there: a live update may be swapping
    the board in at this moment (the box is None while the new one is not laid out)."""
    deadline = time.monotonic() + 15
    while True:
        expect(locator).to_be_visible()
        box = locator.bounding_box()
        if box is not None:
            return box
        assert time.monotonic() < deadline, f"{locator} never got a box on screen"


def drag(page: Page, card: Locator, target: Locator) -> None:
    """A real pointer drag: press, move in steps past the threshold, release over the target."""
    into_view(page)
    start, end = box_of(card), box_of(target)
    page.mouse.move(start["x"] + 20, start["y"] + 10)
    page.mouse.down()
    page.mouse.move(start["x"] + 40, start["y"] + 30, steps=3)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] - 12, steps=8)
    page.mouse.up()


def touch_drag(page: Page, card: str, target: str) -> None:
    """The same gesture as a finger on a tablet: pointer events of type touch.

    Measured and dispatched in one task of the page (``card`` and ``target`` are
    CSS selectors), so a live update cannot move the board between the finger's
    first and last point; the card must be on the page first.
    """
    into_view(page)
    expect(page.locator(card)).to_be_visible()
    expect(page.locator(target)).to_be_visible()
    page.evaluate(
        """([card, target]) => {
            const a = document.querySelector(card).getBoundingClientRect();
            const b = document.querySelector(target).getBoundingClientRect();
            const x0 = a.x + 20, y0 = a.y + 10;
            const x1 = b.x + b.width / 2, y1 = b.y + b.height - 12;
            const at = (type, x, y) => new PointerEvent(type, {pointerId: 7, pointerType: "touch",
                isPrimary: true, button: 0, clientX: x, clientY: y, bubbles: true});
            document.querySelector(card).dispatchEvent(at("pointerdown", x0, y0));
            for (let n = 1; n <= 5; n++) {
                const f = n / 5;
                document.dispatchEvent(at("pointermove", x0 + (x1 - x0) * f, y0 + (y1 - y0) * f));
            }
            document.dispatchEvent(at("pointerup", x1, y1));
        }""",
        [card, target],
    )


def test_cards_clusters_dots_and_actions(
    new_context: NewContext, live_server: LiveServer, event: dict[str, Any]
) -> None:
    code = event["code"]
    console = open_console(new_context, event)
    screen = open_screen(new_context, event)
    # The moderator creates a board through the console's form and puts it on screen.
    console.locator("#board-editor summary").click()
    console.fill("#be-prompt", "Was hemmt Innovation in unserer Region?")
    console.locator("#board-editor button[type=submit]").click()
    expect(console.locator("#board-b1")).to_be_visible()
    console.locator("#board-b1 form:has(input[value='wall']) button").click()
    expect(screen.locator("#stage")).to_have_attribute("data-mode", "ideas")

    # Two phones post three cards.
    anna = open_phone(new_context, live_server, code, "Anna")
    ben = open_phone(new_context, live_server, code, "Ben")
    for phone, text in [
        (anna, "Strompreise sind zu hoch"),
        (ben, "Busse fahren nicht zu Schichtbeginn"),
        (anna, "Photovoltaik auf alle Hallendächer"),
    ]:
        phone.fill("#idea-text-b1", text)
        phone.locator("#phone-ideas button[type=submit]").click()
        expect(phone.locator("#phone-ideas-me")).to_contain_text(text)
        expect(phone.locator("#idea-text-b1")).to_have_value("")  # emptied once saved
    expect(screen.locator(".wall-note")).to_have_count(3)
    expect(screen.locator("#stage")).to_contain_text("Busse fahren nicht zu Schichtbeginn")

    # The moderator makes two clusters and drags cards into them.
    for name in ("Energie", "Verkehr"):  # inline, not the browser's prompt()
        console.locator("#board-b1 [data-new-cluster]").click()
        field = console.locator("[data-inline-editor=new] input")
        expect(field).to_be_focused()
        field.fill(name)
        field.press("Enter")
        expect(console.locator("[data-inline-editor]")).to_have_count(0)
    energy = console.locator('[data-drop="c1"]')
    traffic = console.locator('[data-drop="c2"]')
    expect(energy).to_contain_text("Energie")
    expect(traffic).to_contain_text("Verkehr")
    drag(console, console.locator('[data-idea="i1"]'), energy)
    expect(energy.locator('[data-idea="i1"]')).to_be_visible()
    touch_drag(console, '[data-idea="i2"]', '[data-drop="c2"]')
    expect(traffic.locator('[data-idea="i2"]')).to_be_visible()
    # The keyboard alternative: focus the card, press 1 for the first cluster.
    console.locator('[data-idea="i3"]').focus()
    console.keyboard.press("1")
    expect(energy.locator('[data-idea="i3"]')).to_be_visible()
    expect(console.locator('[data-drop=""] [data-idea]')).to_have_count(0)
    # ... or pick it up with Enter and drop it with Enter on another zone.
    console.locator('[data-idea="i3"]').focus()
    console.keyboard.press("Enter")
    expect(console.locator('[data-idea="i3"]')).to_have_class(re.compile(r"\bheld\b"))
    console.locator('[data-drop=""]').focus()
    console.keyboard.press("Enter")
    expect(console.locator('[data-drop=""] [data-idea="i3"]')).to_be_visible()
    console.locator('[data-idea="i3"]').focus()
    console.keyboard.press("1")
    expect(energy.locator('[data-idea="i3"]')).to_be_visible()
    console.locator("#board-b1 form:has(input[value='clusters']) button").click()
    expect(screen.locator(".screen-cluster")).to_have_count(2)
    expect(screen.locator(".screen-cluster").first).to_contain_text("2")

    # Dots on clusters: both phones spend them; the screen ranks them.
    console.locator("#board-b1 form:has(input[name='dots_open']) button").click()
    console.locator("#board-b1 form:has(input[value='dots']) button").click()
    for phone, cluster, n in [(anna, "c1", 3), (ben, "c2", 1)]:
        form = phone.locator("form[data-dots]")
        plus = form.locator(f".points-row:has(input[name='points.{cluster}']) .step[data-step='1']")
        for _ in range(n):
            plus.click()
        expect(form.locator(".points-left")).to_contain_text(f"{5 - n} von 5")
        form.locator("button[type=submit]").click()
        expect(form).to_have_class(re.compile(r"\bvoted\b"))
        expect(phone.locator(".toast.ok")).to_be_visible()
    ranking = screen.locator(".screen-dots li")
    expect(ranking).to_have_count(2)
    expect(ranking.first).to_contain_text("Energie")
    expect(ranking.first).to_contain_text("3")

    # The top cluster becomes an action; a phone joins it, with consent.
    console.locator("[data-make-action='c1']").click()
    console.fill("#ae-owner", "Energieagentur")
    console.locator("#action-editor button[type=submit]").click()
    expect(console.locator("#action-a1")).to_contain_text("Energie")
    anna.locator("#join-a1 summary").click()
    anna.fill("#ja-name-a1", "Anna")
    anna.fill("#ja-contact-a1", "anna@example.org")
    anna.locator("#join-a1 button[type=submit]").click()
    expect(anna.locator(".toast")).to_contain_text("Einverständnis")  # no consent ticked yet
    anna.locator("#join-a1 input[name=consent]").check()
    anna.locator("#join-a1 button[type=submit]").click()
    expect(anna.locator("#phone-ideas-me")).to_contain_text("Sie machen bei „Energie“ mit")
    console.locator("form:has(input[value='actions']) button").click()
    expect(screen.locator(".screen-actions li")).to_contain_text("1")
    expect(screen.locator("#stage")).not_to_contain_text("anna@example.org")
    console.locator("#members-a1 summary").click()
    expect(console.locator("#members-a1")).to_contain_text("anna@example.org")
