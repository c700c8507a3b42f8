"""A live form submitted before the socket is open keeps its input and is sent once it opens.

static/hold.js holds the submit of every ws-send form while the page is not live:
before htmx has wired the forms (here: htmx's script is held back, as on a slow
link) and while the socket reconnects (here: the socket is routed through
Playwright and cut). The page must not post itself (which reloads and loses the
text), must say "Verbindung wird hergestellt …", and must send the entry once
the socket is open, exactly once.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, Route, WebSocketRoute, expect

from tests.e2e.liveserver import CONSOLE, LiveServer, NewContext

pytestmark = pytest.mark.e2e

CONNECTING = re.compile(r"^Verbindung wird hergestellt")
CARD = "Mehr Ausbildungsplätze im Handwerk"


class ScriptGate:
    """Holds back one script's response until ``open()``: htmx arrives late."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def handle(self, route: Route) -> None:
        self.routes.append(route)

    def open(self) -> None:
        routes, self.routes = self.routes, []
        for route in routes:
            route.continue_()


class Cable:
    """The live socket through Playwright: ``cut()`` drops it, ``mend()`` lets it reconnect.

    While cut, every new socket the page opens is refused at once (the server is
    not reached), as when the venue Wi-Fi drops.
    """

    def __init__(self) -> None:
        self.up = True
        self.page_sides: list[WebSocketRoute] = []

    def route(self, page_side: WebSocketRoute) -> None:
        if not self.up:
            page_side.close(code=1011, reason="offline")
            return
        server_side = page_side.connect_to_server()
        page_side.on_message(server_side.send)
        server_side.on_message(page_side.send)
        self.page_sides.append(page_side)

    def cut(self) -> None:
        self.up = False
        for side in self.page_sides:
            side.close(code=1011, reason="offline")
        self.page_sides = []

    def mend(self) -> None:
        self.up = True


def phone_at_a_board(
    new_context: NewContext, live_server: LiveServer, event: dict[str, Any]
) -> Page:
    """A board is open and Anna has joined: her phone's page, not yet opened, so a
    test can route its scripts or its socket first."""
    with live_server.live(event["code"], event["moderator_token"]) as moderator:
        moderator.send("ideas.create_board", prompt="Was fehlt in der Region?")
    context = new_context()
    live_server.join_in(context, event["code"], "Anna")
    return context.new_page()


def test_a_card_sent_before_htmx_is_held_and_sent_once_live(
    new_context: NewContext, live_server: LiveServer, event: dict[str, Any]
) -> None:
    code = event["code"]
    page = phone_at_a_board(new_context, live_server, event)
    gate = ScriptGate()
    page.route(re.compile(r"/static/vendor/htmx-2[^/]*\.js"), gate.handle)
    page.goto(f"{live_server.url}/p/{code}", wait_until="commit")
    field = page.locator("#idea-text-b1")
    field.fill(CARD)
    page.get_by_role("button", name="Karte abschicken").click()
    note = page.locator("#phone-ideas form .held-note")
    expect(note).to_have_text(CONNECTING)
    # No plain post: the page is still the one with the typed text, and not live yet.
    expect(page.locator("body")).not_to_have_attribute("data-live", "open")
    assert page.url == f"{live_server.url}/p/{code}"
    expect(field).to_have_value(CARD)
    assert page.evaluate("window.dialograumHold.count()") == 1
    gate.open()
    expect(page.locator("body")).to_have_attribute("data-live", "open", timeout=30_000)
    expect(page.locator("#phone-ideas-me")).to_contain_text(CARD)
    expect(note).to_have_count(0)
    # Accepted: the form on the page now is empty, though the page's first live
    # update replaced the one it was sent from before the ack came.
    expect(field).to_have_value("")
    with live_server.live(code, event["moderator_token"]) as moderator:
        board = moderator.state["boards"][0]
        assert [i["text"] for i in board["ideas"]] == [CARD]  # sent once


def test_a_card_held_before_htmx_goes_out_from_the_form_a_live_update_put_in_its_place(
    new_context: NewContext, live_server: LiveServer, event: dict[str, Any]
) -> None:
    """The held form was replaced before the release (a live update came first).

    In CI a presence update swapped #phone-ideas between the socket opening and
    the release: the held card was never sent, though the new form showed it.
    Here the swap is made by hand, as htmx's out-of-band swap makes it (the old
    fragment leaves the document whole, a new element takes its id), before
    htmx and formkeep.js have loaded, so the hold has no form key yet.
    """
    code = event["code"]
    page = phone_at_a_board(new_context, live_server, event)
    gate = ScriptGate()
    page.route(re.compile(r"/static/vendor/htmx-2[^/]*\.js"), gate.handle)
    page.goto(f"{live_server.url}/p/{code}", wait_until="commit")
    page.locator("#idea-text-b1").fill(CARD)
    page.get_by_role("button", name="Karte abschicken").click()
    expect(page.locator("#phone-ideas form .held-note")).to_have_text(CONNECTING)
    page.evaluate(
        """() => {
            const old = document.getElementById("phone-ideas");
            const successor = old.cloneNode(true);  // keeps the typed text, as formkeep would
            successor.querySelectorAll(".held-note").forEach((note) => note.remove());
            old.replaceWith(successor);
        }"""
    )
    assert page.evaluate("window.dialograumHold.count()") == 1
    gate.open()
    expect(page.locator("body")).to_have_attribute("data-live", "open", timeout=30_000)
    expect(page.locator("#phone-ideas-me")).to_contain_text(CARD)
    with live_server.live(code, event["moderator_token"]) as moderator:
        board = moderator.state["boards"][0]
        assert [i["text"] for i in board["ideas"]] == [CARD]  # sent once


def test_a_poll_saved_while_reconnecting_is_held_and_sent_on_reconnect(
    new_context: NewContext, live_server: LiveServer, event: dict[str, Any]
) -> None:
    page: Page = new_context(CONSOLE).new_page()
    cable = Cable()
    page.route_web_socket(re.compile(r"/ws/console/"), cable.route)
    page.goto(event["links"]["moderator"])
    expect(page.locator("body")).to_have_attribute("data-live", "open", timeout=30_000)
    cable.cut()
    expect(page.locator("body")).to_have_attribute("data-live", "closed")
    page.locator("#poll-editor > summary").click()
    question = page.locator("#pe-question")
    question.fill("Wohin zuerst investieren?")
    page.locator("#pe-options").fill("Schiene\nStraße")
    page.get_by_role("button", name="Als Entwurf speichern").click()
    note = page.locator("#poll-editor .held-note")
    expect(note).to_have_text(CONNECTING)
    expect(question).to_have_value("Wohin zuerst investieren?")
    cable.mend()
    expect(page.locator("body")).to_have_attribute("data-live", "open", timeout=30_000)
    rows = page.locator(".poll-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Wohin zuerst investieren?")
    expect(note).to_have_count(0)
    # Accepted: the editor starts clean again (data-reset-on-ok), the draft exists once.
    expect(question).to_have_value("")
    with live_server.live(event["code"], event["moderator_token"]) as moderator:
        assert [p["question"] for p in moderator.state["polls"]] == ["Wohin zuerst investieren?"]
