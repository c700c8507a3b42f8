"""Undo in the console (issue 16): delete a draft poll, press "Rückgängig" in the toast.

The other moves of the history (an action deleted, a card moved, a poll
reset) are made over the JSON live socket before the console opens, so the
history lists them without a toast. ``DIALOGRAUM_SHOTS=<dir>`` also saves the
console at 1440 px with the toast and the history (docs/screenshots/).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.liveserver import LiveServer, NewContext
from tests.e2e.test_live_event import open_console

pytestmark = pytest.mark.e2e


def prepare(live_server: LiveServer, event: dict[str, Any]) -> str:
    """Moves made before the console opens; returns the participant's token."""
    code = event["code"]
    person = live_server.join(code, "Anna Schmidt", None)
    with live_server.live(code, event["moderator_token"]) as moderator:
        single = {"kind": "single", "options": ["Ja", "Nein", "Weiß nicht"]}
        moderator.send(
            "poll.create", question="Soll die Region ein Energie-Netzwerk gründen?", **single
        )
        moderator.send("poll.open", poll="p1")
        with live_server.live(code, person["token"]) as phone:
            phone.send("poll.vote", poll="p1", choice="o1")
        moderator.send("poll.reset", poll="p1")
        moderator.send(
            "idea.post",
            board=moderator.send("ideas.create_board", prompt="Ideen?")["id"],
            text="Mehr Radwege",
        )
        moderator.send("cluster.create", board="b1", name="Verkehr")
        moderator.send("cluster.assign", idea="i1", cluster="c1")
        moderator.send("action.create", title="Radweg-Werkstatt im Herbst")
        moderator.send("action.delete", action="a1")
        draft = moderator.send(
            "poll.create", question="Wo soll die Region zuerst investieren?", **single
        )
        assert draft["id"] == "p2"
    token: str = person["token"]
    return token


def test_a_deleted_poll_comes_back_from_the_toast(
    new_context: NewContext, live_server: LiveServer, event: dict[str, Any]
) -> None:
    token = prepare(live_server, event)
    console: Page = open_console(new_context, event)
    history = console.locator("#console-undo")
    expect(history.locator(".undo-item")).to_have_count(3)  # the reset, the card, the action
    expect(history).to_contain_text("Maßnahme gelöscht")
    toast = console.locator("#undo-toast")
    expect(toast).to_be_hidden()  # old moves get no toast on a page load

    draft = console.locator("#poll-p2")
    console.on("dialog", lambda dialog: dialog.accept())
    draft.get_by_role("button", name="Löschen").click()
    expect(draft).to_have_count(0)
    expect(toast).to_be_visible()
    expect(toast).to_contain_text("Abstimmung gelöscht: Wo soll die Region zuerst investieren?")
    expect(history.locator(".undo-item").first).to_contain_text("Abstimmung gelöscht")

    shots = os.environ.get("DIALOGRAUM_SHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        console.screenshot(path=str(Path(shots) / "console-undo-1440.png"))
        console.screenshot(path=str(Path(shots) / "console-undo-1440-full.png"), full_page=True)

    toast.get_by_role("button", name="Rückgängig").click()
    expect(console.locator("#poll-p2")).to_be_visible()
    # Once more, with the keyboard: Ctrl+Z while the toast shows.
    console.locator("#poll-p2").get_by_role("button", name="Löschen").click()
    expect(console.locator("#poll-p2")).to_have_count(0)
    expect(toast).to_be_visible()
    console.keyboard.press("Control+z")
    expect(console.locator("#poll-p2")).to_be_visible()
    expect(console.locator("#poll-p2")).to_contain_text("Wo soll die Region zuerst investieren?")
    expect(toast).to_be_hidden()
    expect(history.locator(".undo-item")).to_have_count(3)
    expect(history).not_to_contain_text("Abstimmung gelöscht")

    # A new vote after the reset: the history says why that reset cannot be undone.
    with live_server.live(event["code"], token) as phone:
        phone.send("poll.vote", poll="p1", choice="o2")
    reset = history.locator(".undo-item", has_text="Abstimmung zurückgesetzt")
    expect(reset).to_contain_text("Seit dem Zurücksetzen wurde neu abgestimmt")
    expect(reset.get_by_role("button", name="Rückgängig")).to_have_count(0)
    if shots:
        reset.screenshot(path=str(Path(shots) / "console-undo-blocked.png"))
