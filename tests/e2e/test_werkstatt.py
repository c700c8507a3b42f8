"""A Werkstattgespräch in a real browser: phones ask and upvote, the moderator puts a
question on screen, phones ask to speak, the countdown runs on the screen and on the
speaker's phone, and a direct reply is taken."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.liveserver import PHONE, LiveServer, NewContext
from tests.e2e.test_live_event import open_console, open_screen

pytestmark = pytest.mark.e2e

PEOPLE = [
    ("Anna Berg", "business"),
    ("Cem Demir", "union"),
    ("Eva Fuchs", "public"),
    ("Gül Hahn", "chamber"),
    ("Ida Jung", "research"),
]


def phone_of(
    new_context: NewContext, live_server: LiveServer, code: str, who: str, org: str
) -> Page:
    context = new_context(PHONE)
    live_server.join_in(context, code, who, org)
    page = context.new_page()
    page.goto(f"{live_server.url}/p/{code}")
    expect(page.locator("#me strong")).to_have_text(who)
    return page


def test_questions_and_speakers_from_phone_to_screen(
    new_context: NewContext, live_server: LiveServer, event: dict[str, Any]
) -> None:
    code = event["code"]
    console = open_console(new_context, event)
    screen = open_screen(new_context, event)
    console.locator("#qna-new summary").click()
    console.locator("#qna-title").fill("Input 1: Wasserstoff")
    console.get_by_role("button", name="Fragerunde anlegen").click()
    expect(console.locator("#console-qna")).to_contain_text("Input 1: Wasserstoff")

    phones = [phone_of(new_context, live_server, code, who, org) for who, org in PEOPLE]
    for n, phone in enumerate(phones):
        phone.locator("#phone-qna textarea").fill(f"Frage {n + 1}: Wer bezahlt die Leitungen?")
        phone.get_by_role("button", name="Frage stellen").click()
        expect(phone.locator("#phone-qna-me")).to_contain_text(f"Frage {n + 1}:")
    # Four phones upvote the first question, one of them the third too.
    for phone in phones[1:]:
        phone.locator('[data-question="q1"] button.upvote').click()
        expect(phone.locator('[data-question="q1"] button.upvote')).to_have_attribute(
            "aria-pressed", "true"
        )
    phones[4].locator('[data-question="q3"] button.upvote').click()
    expect(phones[0].locator('[data-question="q1"] .num')).to_have_text("4")
    expect(phones[0].locator("#phone-qna-me .rank")).to_have_text("Platz 1")
    expect(phones[2].locator("#phone-qna-me .rank")).to_have_text("Platz 2")
    # Taking an upvote back.
    phones[4].locator('[data-question="q3"] button.upvote').click()
    expect(phones[4].locator('[data-question="q3"] button.upvote')).to_have_attribute(
        "aria-pressed", "false"
    )
    expect(console.locator('#console-qna [data-question="q1"] .qna-votes')).to_have_text("4")

    console.keyboard.press("q")  # the top question goes on screen: "jetzt dran"
    expect(screen.locator("#stage")).to_have_attribute("data-mode", "qna")
    expect(screen.locator(".qna-live")).to_contain_text("Frage 1: Wer bezahlt die Leitungen?")
    expect(phones[0].locator(".now-answered")).to_have_text("Ihre Frage wird jetzt beantwortet")
    console.keyboard.press("a")
    expect(screen.locator(".qna-top li")).to_have_count(4)
    expect(screen.locator(".qna-waiting")).to_contain_text("4 Fragen warten")

    for phone in phones[:3]:
        phone.get_by_role("button", name="Zu Wort melden").click()
    expect(phones[2].locator(".my-place")).to_have_text("Sie stehen auf der Redeliste: Platz 3")
    expect(console.locator("#console-speakers .speaker-row")).to_have_count(3)
    console.keyboard.press("s")  # next speaker: Anna Berg
    expect(screen.locator("#stage")).to_have_attribute("data-mode", "speakers")
    expect(screen.locator(".speaker-name")).to_have_text("Anna Berg")
    expect(screen.locator(".speaker-org")).to_have_text("Unternehmen")
    clock = screen.locator(".speaker-clock .countdown")
    expect(clock).to_have_text(re.compile(r"^[12]:\d\d$"))
    first = clock.inner_text()
    expect(clock).not_to_have_text(first)  # it counts down
    mine = phones[0].locator(".my-turn .countdown")
    expect(mine).to_have_text(re.compile(r"^[12]:\d\d$"))
    expect(mine).not_to_have_text(mine.inner_text())
    expect(screen.locator(".speakers-next li")).to_have_count(2)
    expect(phones[1].locator(".my-place")).to_have_text("Sie stehen auf der Redeliste: Platz 1")

    phones[3].get_by_role("button", name="Direktantwort").click()
    expect(phones[3].locator(".my-place")).to_have_text(
        "Ihre Direktantwort wartet auf die Moderation."
    )
    console.locator(".direct-requests").get_by_role("button", name="Zulassen").click()
    expect(phones[3].locator(".my-place")).to_have_text("Sie stehen auf der Redeliste: Platz 1")
    console.keyboard.press("s")
    expect(screen.locator(".speaker-name")).to_have_text("Gül Hahn")
    expect(screen.locator(".stage-kicker").first).to_contain_text("Direktantwort")
    expect(phones[3].locator(".my-turn")).to_contain_text("Sie haben das Wort")
    expect(phones[1].locator(".my-place")).to_have_text("Sie stehen auf der Redeliste: Platz 1")
