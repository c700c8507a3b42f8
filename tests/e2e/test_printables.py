"""Printed café material in the browser: tent cards and assignment lists.

Printed as the moderator prints them (print media, A4): every tent card has the
table number, the topic and the colour on both halves, a fold line, and the
join code and address for people who cannot scan; the lists are sorted by
surname with titles ignored, count the people without a name instead of
listing "anonym", mark hosts, and give each table a page. Screenshots go to
$PRINT_SHOTS when it is set.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.e2e.liveserver import LiveServer, NewContext
from tests.e2e.test_live_event import open_console

pytestmark = pytest.mark.e2e

A4: ViewportSize = {"width": 794, "height": 1123}  # 210 × 297 mm at 96 dpi
SHOTS = os.environ.get("PRINT_SHOTS")


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def test_tent_cards_and_lists_work_on_paper(
    new_context: NewContext, live_server: LiveServer, event: dict[str, Any]
) -> None:
    code = event["code"]
    ids = {}
    for name in ("Prof. Dr. Anna von Weber", "Mehmet Yilmaz", "Bernd Adler", "Jens Köhler", None):
        ids[name] = live_server.join(code, name, None)["participant_id"]
    with live_server.live(code, event["moderator_token"]) as moderator:
        topics = ["Wie gewinnen wir Fachkräfte für die Region?", "Energie und Netze", "Flächen"]
        moderator.send("cafe.create", tables=[{"topic": t} for t in topics], rounds=2)
        moderator.send("cafe.set_host", table="t2", participant=ids["Mehmet Yilmaz"])
    console = open_console(new_context, event)
    page = console.context.new_page()
    page.set_viewport_size(A4)
    page.emulate_media(media="print")

    page.goto(f"{live_server.url}/console/{code}/cafe/cards")
    cards = page.locator(".tent-card")
    expect(cards).to_have_count(3)
    first = cards.first
    expect(first.locator(".tent-side")).to_have_count(2)  # readable from both sides
    expect(first.locator(".tent-back")).to_have_css("transform", re.compile(r"matrix\(-1"))
    expect(first.locator(".tent-fold")).to_be_visible()
    front = first.locator(".tent-front")
    expect(front.locator(".tent-number")).to_have_text("Tisch 1")
    expect(front.locator(".tent-colour")).to_have_text("blau")
    expect(front.locator(".tent-code")).to_have_text(re.compile(r"^\w{3}-\w{3}$"))
    expect(front.locator(".tent-address")).to_have_text(re.compile(r"^127\.0\.0\.1:\d+$"))
    expect(front.locator(".tent-address")).to_be_visible()
    box = first.bounding_box()
    assert box and abs(box["height"] - A4["height"]) < 3, box  # one sheet, no half-empty page
    shot(page, "print_tent_card")

    page.goto(f"{live_server.url}/console/{code}/cafe/lists")
    first_round = page.locator(".assignment-list").first
    names = first_round.locator(".list-name")
    expect(names).to_have_count(4)
    expect(names.nth(0)).to_contain_text("Bernd Adler")
    expect(names.nth(1)).to_contain_text("Jens Köhler")
    expect(names.nth(2)).to_contain_text("Prof. Dr. Anna von Weber")  # under W, not P
    expect(names.nth(3)).to_contain_text("Mehmet Yilmaz")
    expect(names.nth(3).locator(".host-mark")).to_have_text("Gastgeber*in")
    expect(first_round).to_contain_text("1 Person ohne Namen steht nicht auf der Liste")
    expect(first_round).not_to_contain_text("anonym")
    sheets = page.locator(".table-sheet")
    expect(sheets).to_have_count(3)
    expect(sheets.nth(1)).to_contain_text("Mehmet Yilmaz")
    shot(page, "print_lists_round_1")
    sheets.nth(1).scroll_into_view_if_needed()
    shot(page, "print_lists_table_2")
