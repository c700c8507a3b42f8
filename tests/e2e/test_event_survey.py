"""A survey attached to an event, in a real browser: made in the console, found on a phone."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.liveserver import CONSOLE, LiveServer, NewContext

WAIT_MS = 30_000


def test_the_moderator_makes_a_feedback_survey_and_a_phone_finds_it(
    live_server: LiveServer, new_context: NewContext
) -> None:
    event = live_server.create_event("Feedback-Werkstatt")
    code = event["code"]
    console = new_context(CONSOLE).new_page()
    console.goto(event["links"]["moderator"])
    expect(console).to_have_url(re.compile(rf"/console/{code}"), timeout=WAIT_MS)
    panel = console.locator("#surveys-panel")
    expect(panel).to_contain_text("Noch kein Fragebogen", timeout=WAIT_MS)
    phone = new_context().new_page()
    phone.goto(event["links"]["join"])
    phone.get_by_label("Ihr Name (freiwillig)").fill("Ada")
    phone.get_by_role("button", name="Teilnehmen").click()
    expect(phone).to_have_url(re.compile(rf"/p/{code}$"), timeout=WAIT_MS)
    expect(phone.locator(".event-survey-card")).to_have_count(0)

    panel.get_by_label("Neuer Fragebogen").select_option("feedback")
    panel.get_by_role("button", name="Fragebogen anlegen").click()
    expect(console.locator("#surveys-panel h3")).to_have_text(
        "Feedback nach der Veranstaltung", timeout=WAIT_MS
    )
    expect(console.locator("#surveys-panel")).to_contain_text("0 Antworten")

    phone.reload()
    card = phone.locator(".event-survey-card")
    expect(card).to_contain_text("Feedback geben", timeout=WAIT_MS)
    card.get_by_role("link", name="Zum Fragebogen").click()
    expect(phone).to_have_url(re.compile(r"/u/[A-Z0-9]{8}$"), timeout=WAIT_MS)
    expect(phone.locator("h1")).to_contain_text("Feedback", timeout=WAIT_MS)

    with console.expect_popup() as opened:
        console.locator("#surveys-panel").get_by_role("link", name="Ergebnisse").click()
    results = opened.value
    expect(results).to_have_url(re.compile(r"/u/[A-Z0-9]{8}/ergebnisse$"), timeout=WAIT_MS)
    expect(results.locator("h1")).to_contain_text("Feedback", timeout=WAIT_MS)
