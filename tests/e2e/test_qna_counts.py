"""A phone's question list follows the votes from counts-only updates, in place.

While only votes move, the phones' tick sends #phone-qna-counts (ids and votes
in ranked order), not the question list; werkstatt.js sets the numbers and
re-sorts the list. Checked in Chromium: the numbers and the order follow the
votes, the list element is the very same one (not swapped), and a half-typed
question keeps its text and its focus. A change that is not a count (a hidden
question) swaps the whole list, and the typed text survives that too.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.liveserver import LiveServer, NewContext
from tests.e2e.test_werkstatt import phone_of

pytestmark = pytest.mark.e2e

HALF = "Wie wird die Leitung fin"


def test_counts_only_updates_sort_the_list_in_place_and_keep_a_half_typed_question(
    new_context: NewContext, live_server: LiveServer, event: dict[str, Any]
) -> None:
    code = event["code"]
    people = [live_server.join(code, f"P{i}", "union") for i in range(3)]
    with live_server.live(code, event["moderator_token"]) as console:
        console.send("qna.create", title="Input 1", mode="open")
        sockets = [live_server.live(code, p["token"]) for p in people]
        try:
            for k, sock in enumerate(sockets[:2], start=1):
                sock.send("question.ask", session="s1", text=f"Frage {k}: Wer zahlt?")
            phone = phone_of(new_context, live_server, code, "Anna Berg", "business")
            items = phone.locator("#phone-qna-list .qna-item")
            expect(items).to_have_count(2)
            expect(phone.locator("body")).to_have_attribute("data-live", "open")
            # A new question after the page opened: the whole list goes, and from then on
            # the phones' tick compares with what this page was sent.
            sockets[2].send("question.ask", session="s1", text="Frage 3: Wer zahlt?")
            expect(items).to_have_count(3)
            expect(items.locator(".num")).to_have_text(["0", "0", "0"])
            phone.evaluate("window.listBefore = document.querySelector('#phone-qna-list')")

            textarea = phone.locator("#phone-qna textarea")
            textarea.click()
            textarea.type(HALF)
            # Others vote: q3 twice, q2 once. The ranking becomes q3, q2, q1.
            sockets[0].send("question.upvote", question="q3")
            sockets[1].send("question.upvote", question="q3")
            sockets[2].send("question.upvote", question="q2")
            expect(items.nth(0)).to_have_attribute("data-question", "q3")
            expect(items.nth(1)).to_have_attribute("data-question", "q2")
            expect(items.locator(".num")).to_have_text(["2", "1", "0"])
            expect(items.nth(0).locator("button.upvote")).to_have_attribute(
                "aria-label", "Unterstützen: 2 Stimmen"
            )
            same = phone.evaluate("window.listBefore === document.querySelector('#phone-qna-list')")
            assert same, "the question list was swapped for a counts-only change"
            expect(textarea).to_have_value(HALF)
            expect(textarea).to_be_focused()

            # Not a count: a hidden question sends the whole list again.
            console.send("question.hide", question="q2")
            expect(items).to_have_count(2)
            expect(items.locator(".num")).to_have_text(["2", "0"])
            swapped = phone.evaluate(
                "window.listBefore !== document.querySelector('#phone-qna-list')"
            )
            assert swapped
            expect(textarea).to_have_value(HALF)
        finally:
            for sock in sockets:
                sock.close()
