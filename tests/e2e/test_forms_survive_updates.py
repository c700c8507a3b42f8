"""A live update never resets a form someone is using (static/formkeep.js).

Each test sets fields the way a person would (select, type, focus), then makes
something else happen in the room so that the fragment holding the form is
rendered again and swapped in, proves that the swap happened (the old element
is gone from the page), and checks that the person's values, focus and caret
are still there. The café test then sends the form and checks that what the
moderator chose is what the server did: the trap in the findings of
2026-11-30 (a join reset the host form to table 1, and the next click removed
table 1's host).
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.liveserver import LiveServer, NewContext
from tests.e2e.test_live_event import open_console
from tests.e2e.test_polls import open_phone

pytestmark = pytest.mark.e2e


def mark_old(page: Page, selector: str) -> None:
    """Tag the element now on the page, to see later that it was replaced."""
    page.eval_on_selector(selector, "el => { el.dataset.old = 'yes'; }")


def expect_replaced(page: Page, selector: str) -> None:
    """Wait until the tagged element has been swapped out for a fresh rendering."""
    page.wait_for_function(
        "sel => { const el = document.querySelector(sel); return el && el.dataset.old !== 'yes'; }",
        arg=selector,
    )


def scripts_ready(page: Page) -> None:
    """The page's deferred scripts have run: clicks and keys reach their handlers.

    The console's panels are server-rendered and visible before that, and on a
    busy machine a click can come first (and then does nothing).
    """
    page.wait_for_function("() => document.readyState === 'complete'")


def focused_id(page: Page) -> str:
    value: str = page.evaluate("() => document.activeElement ? document.activeElement.id : ''")
    return value


def test_cafe_host_and_move_forms_keep_their_choice_when_someone_joins(
    new_context: NewContext, live_server: LiveServer, event: dict[str, Any]
) -> None:
    code = event["code"]
    ids = {}
    for name in ("Anna Berger", "Bernd Carl", "Clara Dietz", "David Ernst"):
        ids[name] = live_server.join(code, name, None)["participant_id"]
    with live_server.live(code, event["moderator_token"]) as moderator:
        moderator.send(
            "cafe.create",
            tables=[{"topic": t} for t in ("Fachkräfte", "Digitalisierung", "Energie")],
            rounds=3,
            round_minutes=15,
            changeover_minutes=2,
        )
        moderator.send("cafe.set_host", table="t1", participant=ids["Anna Berger"])
    console = open_console(new_context, event)
    scripts_ready(console)
    panel = console.locator("#console-cafe")
    expect(panel.locator(".cafe-tables tbody tr").first).to_contain_text("Anna Berger")

    host_form = panel.locator("form:has(input[value='cafe.set_host'])")
    host_form.locator("select[name=table]").select_option("t2")
    host_form.locator("select[name=participant]").select_option(ids["Clara Dietz"])
    move_form = panel.locator("form:has(input[value='cafe.move'])")
    move_form.locator("select[name=participant]").select_option(ids["David Ernst"])
    move_form.locator("select[name=table]").select_option("t3")
    # And the moderator is half-way through typing in the set-up form, caret inside.
    panel.locator("#cafe-setup summary").click()
    apart = panel.locator("#cafe-apart")
    apart.click()
    apart.press_sequentially("Bernd Carl, David")
    apart.press("ArrowLeft")
    apart.press("ArrowLeft")

    mark_old(console, "#console-cafe")
    live_server.join(code, "Emil Frank", None)  # a late arrival: the panel is rendered again
    expect_replaced(console, "#console-cafe")
    expect(panel.locator(".cafe-quality")).to_contain_text("1")  # one without a seat

    expect(host_form.locator("select[name=table]")).to_have_value("t2")
    expect(host_form.locator("select[name=participant]")).to_have_value(ids["Clara Dietz"])
    expect(move_form.locator("select[name=participant]")).to_have_value(ids["David Ernst"])
    expect(move_form.locator("select[name=table]")).to_have_value("t3")
    expect(apart).to_have_value("Bernd Carl, David")
    assert focused_id(console) == "cafe-apart"
    caret = console.evaluate("() => document.activeElement.selectionStart")
    assert caret == len("Bernd Carl, Dav")
    apart.press_sequentially("X")  # typing goes on at the caret, not at the end
    expect(apart).to_have_value("Bernd Carl, DavXid")

    # What the moderator chose is what happens: Clara hosts table 2, Anna keeps table 1.
    host_form.get_by_role("button", name="Gastgeber*in festlegen").click()
    rows = panel.locator(".cafe-tables tbody tr")
    expect(rows.nth(1)).to_contain_text("Clara Dietz")
    expect(rows.nth(0)).to_contain_text("Anna Berger")

    # Once accepted, the form follows the server again on the next update.
    mark_old(console, "#console-cafe")
    live_server.join(code, "Frieda Gross", None)
    expect_replaced(console, "#console-cafe")
    expect(host_form.locator("select[name=table]")).to_have_value("t1")


def test_typed_idea_and_dot_settings_survive_new_cards(
    new_context: NewContext, live_server: LiveServer, event: dict[str, Any]
) -> None:
    code = event["code"]
    with live_server.live(code, event["moderator_token"]) as moderator:
        moderator.send("ideas.create_board", prompt="Was hemmt Innovation in unserer Region?")
    anna = open_phone(new_context, live_server, code, "Anna")
    ben = open_phone(new_context, live_server, code, "Ben")
    console = open_console(new_context, event)
    scripts_ready(console)
    expect(console.locator("#people")).to_contain_text("Ben")
    settings = console.locator("#board-b1 form.dots-settings")
    settings.locator("input[name=dots]").fill("7")
    settings.locator("select[name=dots_on]").select_option("ideas")
    expect(settings.locator("input[name=dots]")).to_have_value("7")
    field = anna.locator("#idea-text-b1")
    field.click()
    field.press_sequentially("Breitband im ländlichen Raum")
    counter = anna.locator("#phone-ideas .counter .count").first

    mark_old(console, "#console-ideas")
    mark_old(anna, "#phone-ideas")
    ben.fill("#idea-text-b1", "Strompreise sind zu hoch")
    ben.locator("#phone-ideas button[type=submit]").click()
    expect(ben.locator("#phone-ideas-me")).to_contain_text("Strompreise")
    expect_replaced(console, "#console-ideas")
    expect(console.locator("#board-b1")).to_contain_text("Strompreise sind zu hoch")

    expect(settings.locator("input[name=dots]")).to_have_value("7")
    expect(settings.locator("select[name=dots_on]")).to_have_value("ideas")
    # The phone's own form is in a fragment too; if it was swapped, nothing is lost.
    expect(field).to_have_value("Breitband im ländlichen Raum")
    expect(counter).to_have_text(str(len("Breitband im ländlichen Raum")))
    assert focused_id(anna) == "idea-text-b1"


def test_inline_cluster_rename_survives_new_cards_and_needs_no_prompt(
    new_context: NewContext, live_server: LiveServer, event: dict[str, Any]
) -> None:
    code = event["code"]
    with live_server.live(code, event["moderator_token"]) as moderator:
        moderator.send("ideas.create_board", prompt="Was hemmt Innovation in unserer Region?")
        moderator.send("cluster.create", board="b1", name="Energie")
    ben = open_phone(new_context, live_server, code, "Ben")
    console = open_console(new_context, event)
    scripts_ready(console)
    console.on("dialog", lambda dialog: pytest.fail(f"a browser dialog opened: {dialog.message}"))
    console.locator('[data-rename-cluster="c1"]').click()
    field = console.locator("[data-inline-editor=rename] input")
    expect(field).to_be_focused()
    expect(field).to_have_value("Energie")
    field.press_sequentially(" und Netze")

    mark_old(console, "#console-ideas")
    ben.fill("#idea-text-b1", "Strompreise sind zu hoch")
    ben.locator("#phone-ideas button[type=submit]").click()
    expect_replaced(console, "#console-ideas")
    expect(console.locator("#board-b1")).to_contain_text("Strompreise sind zu hoch")

    expect(field).to_have_value("Energie und Netze")
    expect(field).to_be_focused()
    field.press("Enter")
    expect(console.locator('[data-drop="c1"] .zone-name')).to_have_text("Energie und Netze")
    expect(console.locator("[data-inline-editor]")).to_have_count(0)


def test_moderator_writes_key_points_for_a_table_without_a_host(
    new_context: NewContext, live_server: LiveServer, event: dict[str, Any]
) -> None:
    code = event["code"]
    for name in ("Anna Berger", "Bernd Carl", "Clara Dietz"):
        live_server.join(code, name, None)
    with live_server.live(code, event["moderator_token"]) as moderator:
        tables = [{"topic": t} for t in ("Fachkräfte", "Energie")]
        moderator.send("cafe.create", tables=tables, rounds=2, round_minutes=15)
        moderator.send("cafe.start_round")
    console = open_console(new_context, event)
    scripts_ready(console)
    form = console.locator("form.cafe-moderator-notes")
    form.locator("select[name=table]").select_option("t2")
    form.locator("textarea[name=text]").fill("Netzausbau beschleunigen\nSpeicher fördern")
    form.get_by_role("button", name="Kernpunkte speichern").click()
    row = console.locator("#console-cafe .cafe-tables tbody tr").nth(1)
    expect(row.locator(".cafe-notes")).to_contain_text("Netzausbau beschleunigen")
