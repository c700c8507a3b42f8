"""The console around the running phase (static/agenda-console.js, static/console.css).

A Werkstattgespräch in its discussion phase: the questions and the speaker list
come first, the navigation at the top carries their live numbers and marks them,
a folded panel opens from the navigation with the keyboard, the agenda shows the
running and the next phase, and a phase change that reorders the panels keeps
what the moderator is typing, with the focus.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.liveserver import ADMIN_TOKEN, LiveServer, NewContext
from tests.e2e.test_live_event import open_console

pytestmark = pytest.mark.e2e

FOLDED = re.compile(r"\bfolded\b")


def main_order(console: Page) -> list[str]:
    ids: list[str] = console.eval_on_selector_all(
        ".console-main > section.panel", "els => els.map(el => el.id)"
    )
    return ids


@pytest.fixture
def werkstatt(live_server: LiveServer) -> dict[str, Any]:
    status, event = live_server.request(
        "POST",
        "/api/events",
        {"template": "werkstatt-de", "title": "Werkstattgespräch Mobilität"},
        token=ADMIN_TOKEN,
    )
    assert status == 201, event
    with live_server.live(event["code"], event["moderator_token"]) as mod:
        mod.send("action.create", title="Abendbus beantragen")
        for _ in range(3):  # Begrüßung, Impulsvortrag, Diskussion
            mod.send("agenda.next")
    result: dict[str, Any] = event
    return result


def test_the_running_phase_comes_first_with_live_numbers_in_the_navigation(
    new_context: NewContext, live_server: LiveServer, werkstatt: dict[str, Any]
) -> None:
    code = werkstatt["code"]
    console = open_console(new_context, werkstatt)
    # The discussion shows the questions and the speakers: first, open, marked "now".
    expect(console.locator("#qna-panel")).not_to_have_class(FOLDED)
    assert main_order(console)[:2] == ["qna-panel", "speakers-panel"]
    nav = console.locator(".console-nav")
    qna_link = nav.locator("a[data-panel=qna-panel]")
    expect(qna_link).to_have_class(re.compile(r"\bnow\b"))
    expect(qna_link).to_have_accessible_name(re.compile(r"Fragen \(in dieser Phase\)"))
    expect(qna_link.locator(".nav-badge")).to_have_text("0 warten")
    expect(nav.locator(".nav-phase")).to_contain_text("Diskussion")
    # The others are one line each, after the open ones, with their key number.
    actions = console.locator("#actions-panel")
    expect(actions).to_have_class(FOLDED)
    expect(actions.locator("> .fold-bar .fold-key")).to_have_text("1 Maßnahme")
    order = main_order(console)
    assert order.index("actions-panel") > order.index("people-panel")
    # The agenda shows the running and the next phase; the button shows all four.
    rows = console.locator("#console-agenda .agenda-table tbody tr")
    expect(rows.filter(visible=True)).to_have_count(2)
    console.get_by_role("button", name="Alle Phasen zeigen").click()
    expect(rows.filter(visible=True)).to_have_count(4)
    # A question and a request to speak arrive: the numbers follow, live.
    person = live_server.join(code, "Anna", None)
    with live_server.live(code, person["token"]) as phone:
        session = phone.state["qna"][0]["id"]
        phone.send("question.ask", session=session, text="Wer bezahlt den Abendbus?")
        phone.send("speakers.request", subject="")
    expect(qna_link.locator(".nav-badge")).to_have_text("1 wartet")
    speakers_badge = nav.locator("a[data-panel=speakers-panel] .nav-badge")
    expect(speakers_badge).to_have_text("1 wartet")


def test_a_folded_panel_opens_from_the_navigation_with_the_keyboard(
    new_context: NewContext, werkstatt: dict[str, Any]
) -> None:
    console = open_console(new_context, werkstatt)
    actions = console.locator("#actions-panel")
    expect(actions).to_have_class(FOLDED)
    link = console.locator(".console-nav a[data-panel=actions-panel]")
    link.focus()
    console.keyboard.press("Enter")
    expect(actions).not_to_have_class(FOLDED)
    expect(actions.locator("> .fold-bar")).to_have_attribute("aria-expanded", "true")
    expect(actions.get_by_text("Abendbus beantragen")).to_be_in_viewport()
    # The sticky navigation stays in view above it.
    expect(link).to_be_in_viewport()


def test_a_phase_change_reorders_the_panels_and_keeps_what_is_typed(
    new_context: NewContext, live_server: LiveServer, werkstatt: dict[str, Any]
) -> None:
    console = open_console(new_context, werkstatt)
    field = console.locator("#speaker-add-name")
    field.click()
    field.type("Bürgermeisterin Kay")
    agenda = console.locator("#console-agenda")
    agenda.evaluate("el => { el.dataset.old = 'yes'; }")
    with live_server.live(werkstatt["code"], werkstatt["moderator_token"]) as mod:
        mod.send("agenda.next")  # Abschlussfrage: the poll's phase
    expect(console.locator("#console-agenda")).not_to_have_attribute("data-old", "yes")
    expect(console.locator(".console-nav .nav-phase")).to_contain_text("Abschlussfrage")
    expect(console.locator("#polls-panel")).not_to_have_class(FOLDED)
    console.wait_for_function(
        "() => document.querySelector('.console-main > section.panel').id === 'polls-panel'"
    )
    # The speaker list moved down but was not folded under the moderator's hands.
    expect(console.locator("#speakers-panel")).not_to_have_class(FOLDED)
    expect(field).to_have_value("Bürgermeisterin Kay")
    expect(field).to_be_focused()
