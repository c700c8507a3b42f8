"""Phone details from the facilitators' review: budgets, closed polls, joining actions, names.

Each test walks one defect of the findings of 2026-11-30 through a real phone:
dot voting stops at the budget, a poll that closes says so, "Join in" knows the
name and the card remembers the sign-up after a reload, the name field shows its
limit while typing, and an anonymous person reads "Sie nehmen anonym teil".
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.liveserver import LiveServer, NewContext
from tests.e2e.test_polls import open_phone

pytestmark = pytest.mark.e2e


def test_dots_stop_at_the_budget_and_say_how_many_are_too_many(
    new_context: NewContext, live_server: LiveServer, event: dict[str, Any]
) -> None:
    code = event["code"]
    with live_server.live(code, event["moderator_token"]) as moderator:
        moderator.send("ideas.create_board", prompt="Was hemmt Innovation?", dots_on="ideas")
        for text in ("Strompreise", "Breitband", "Bürokratie"):
            moderator.send("idea.post", board="b1", text=text)
        moderator.send("ideas.settings", board="b1", dots_open=True)
    phone = open_phone(new_context, live_server, code, "Anna Berger")
    form = phone.locator("form[data-dots]")
    plus = [
        form.locator(f".points-row:has(input[name='points.i{n}']) .step[data-step='1']")
        for n in (1, 2, 3)
    ]
    for _ in range(3):
        plus[0].click()
    expect(plus[0]).to_be_disabled()  # at most 3 on one card
    expect(plus[1]).to_be_enabled()
    plus[1].click()
    plus[1].click()
    left = form.locator(".points-left")
    expect(left).to_have_text("0 von 5 Punkten übrig")
    for button in plus:
        expect(button).to_be_disabled()  # the budget is spent: no "+" anywhere
    # Typed past the budget: the phone says how many too many, not "−3 left".
    form.locator("input[name='points.i3']").fill("3")
    expect(left).to_have_text("3 Punkte zu viel")
    expect(left).to_have_class(re.compile(r"\bover\b"))


def test_a_poll_that_closes_says_so(
    new_context: NewContext, live_server: LiveServer, event: dict[str, Any]
) -> None:
    code = event["code"]
    phone = open_phone(new_context, live_server, code, "Anna Berger")
    with live_server.live(code, event["moderator_token"]) as moderator:
        poll = str(
            moderator.send(
                "poll.create", kind="single", question="Wohin zuerst?", options=["A", "B"]
            )["id"]
        )
        moderator.send("poll.open", poll=poll)
        expect(phone.locator(f"form[data-poll={poll}]")).to_be_visible()
        # Screen readers hear it once, politely (static/announce.js).
        announce = phone.locator("#announce")
        expect(announce).to_have_attribute("aria-live", "polite")
        expect(announce).to_have_text("Neue Abstimmung: Wohin zuerst?")
        moderator.send("poll.close", poll=poll)
    note = phone.locator(f"[data-closed-poll={poll}]")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Die Abstimmung ist beendet.")
    expect(note).to_contain_text("Wohin zuerst?")
    expect(phone.locator(f"form[data-poll={poll}]")).to_have_count(0)
    expect(announce).to_have_text("Die Abstimmung ist beendet. Wohin zuerst?")


def test_join_in_knows_the_name_and_the_card_remembers_it(
    new_context: NewContext, live_server: LiveServer, event: dict[str, Any]
) -> None:
    code = event["code"]
    with live_server.live(code, event["moderator_token"]) as moderator:
        moderator.send("action.create", title="Digitallabor gründen", due="2027-06-30")
    phone = open_phone(new_context, live_server, code, "Anna Berger")
    card = phone.locator(".action-card[data-action=a1]")
    expect(card).to_contain_text("fällig 30.06.2027")
    card.locator("summary").click()
    expect(card.locator("input[name=name]")).to_have_value("Anna Berger")
    card.locator("button[type=submit]").click()
    toast = phone.locator("#toast")
    expect(toast).to_contain_text("Einverständnis")
    submit_box = card.locator("button[type=submit]").bounding_box()
    toast_box = toast.bounding_box()
    assert submit_box and toast_box
    assert toast_box["y"] + toast_box["height"] <= submit_box["y"] or toast_box["y"] >= (
        submit_box["y"] + submit_box["height"]
    ), "the toast covers the button"
    card.locator("input[name=consent]").check()
    card.locator("button[type=submit]").click()
    expect(card.locator(".joined-here")).to_have_text("✓ Sie machen mit – als Anna Berger.")
    expect(card.locator("summary")).to_be_hidden()
    expect(toast).to_be_hidden()  # the consent note went with the success
    phone.reload()
    expect(card.locator(".joined-here")).to_be_visible()
    expect(card.locator("summary")).to_be_hidden()


def test_name_field_has_the_real_limit_and_a_counter(
    new_context: NewContext, live_server: LiveServer, event: dict[str, Any]
) -> None:
    page = new_context().new_page()
    page.goto(event["links"]["join"])
    field = page.locator("#name")
    expect(field).to_have_attribute("maxlength", "40")
    field.press_sequentially("Dr. Claudia Haußmann")
    expect(page.locator("#name-count")).to_have_text(f"{len('Dr. Claudia Haußmann')} / 40")
    field.fill("x" * 60)
    expect(field).to_have_value("x" * 40)


def test_anonymous_reads_well(
    new_context: NewContext, live_server: LiveServer, event: dict[str, Any]
) -> None:
    context = new_context()
    live_server.join_in(context, event["code"], None)
    page = context.new_page()
    page.goto(f"{live_server.url}/p/{event['code']}")
    expect(page.locator("#me p").first).to_have_text("Sie nehmen anonym teil.")
