"""WCAG 2.1 AA, checked by a machine: axe-core on every page in its main states.

axe-core comes from the npm registry into tests/a11y/node_modules (test-only,
pinned by tests/a11y/package-lock.json, installed by `make test` through
tools/ensure_axe.sh); it is injected into each page, never served. A serious
or critical violation fails the test; the lesser ones are listed in the test's
output (pytest -rA shows them). Without axe-core the tests skip, except under
CI=true.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.liveserver import ADMIN_TOKEN, CONSOLE, PHONE, SCREEN, LiveServer, NewContext
from tests.e2e.test_live_event import open_console, open_screen
from tests.e2e.test_polls import open_phone

pytestmark = pytest.mark.e2e

AXE = Path(__file__).resolve().parents[1] / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}

if not AXE.is_file() and os.environ.get("CI") != "true":
    pytest.skip("axe-core not installed (tools/ensure_axe.sh)", allow_module_level=True)


def check(page: Page, what: str) -> list[str]:
    """Run axe on the page as it is; fail on serious or critical, return the rest."""
    # Evaluated through the browser's debugging protocol: the page's
    # Content-Security-Policy (scripts from this server only) rightly refuses a script tag.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
    run = "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
    result: dict[str, Any] = page.evaluate(run, TAGS)
    blocking: list[str] = []
    rest: list[str] = []
    for v in result["violations"]:
        where = "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:4])
        line = f"{what}: [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])}×: {where})"
        (blocking if v["impact"] in BLOCKING else rest).append(line)
    for line in rest:
        print(line)  # listed, not failing
    assert not blocking, "\n".join(blocking)
    return rest


def test_join_start_and_admin_pages(
    new_context: NewContext, live_server: LiveServer, event: dict[str, Any]
) -> None:
    page = new_context(PHONE).new_page()
    page.goto(live_server.url + "/")
    check(page, "start")
    page.goto(event["links"]["join"])
    check(page, "join")
    page.get_by_role("link", name="So machen Sie mit – in Leichter Sprache").click()
    expect(page.locator("h1")).to_have_text("Mitmachen in Leichter Sprache")
    check(page, "Leichte Sprache")
    page.get_by_role("link", name="Barrierefreiheit").click()
    expect(page.locator("h1")).to_have_text("Erklärung zur Barrierefreiheit")
    check(page, "accessibility statement")
    admin = new_context(CONSOLE).new_page()
    admin.goto(f"{live_server.url}/admin/login?token={ADMIN_TOKEN}")
    expect(admin).to_have_url(f"{live_server.url}/admin")
    check(admin, "admin")


def test_phone_console_and_screen_with_every_activity(
    new_context: NewContext, live_server: LiveServer, event: dict[str, Any]
) -> None:
    code = event["code"]
    ids = [live_server.join(code, f"Person {i}", None)["participant_id"] for i in range(4)]
    phone = open_phone(new_context, live_server, code, "Anna Berger")
    check(phone, "phone, lobby")
    screen = open_screen(new_context, event)
    check(screen, "screen, welcome")

    def moderate(*commands: tuple[str, dict[str, Any]]) -> list[dict[str, Any]]:
        # A fresh socket per batch: one left unread while the page is checked fills up.
        with live_server.live(code, event["moderator_token"]) as mod:
            return [mod.send(kind, **fields) for kind, fields in commands]

    polls = {}
    for kind, options in (
        ("single", ["Ja", "Nein"]),
        ("multiple", ["A", "B", "C"]),
        ("scale", []),
        ("ranking", ["A", "B", "C"]),
        ("points", ["A", "B"]),
        ("text", []),
    ):
        fields = {"kind": kind, "question": f"Frage {kind}?", "options": options}
        polls[kind] = str(moderate(("poll.create", fields))[0]["id"])
        moderate(("poll.open", {"poll": polls[kind]}))
    expect(phone.locator("form[data-poll]")).to_have_count(6)
    check(phone, "phone, every poll kind open")
    moderate(("screen.show", {"what": "poll", "poll": polls["single"]}))
    expect(screen.locator("#stage")).to_have_attribute("data-mode", "poll")
    check(screen, "screen, poll")
    board = {"prompt": "Was hemmt Innovation?", "categories": ["Energie", "Verkehr"]}
    card = {"board": "b1", "text": "Strompreise sind zu hoch", "category": "Energie"}
    moderate(
        ("ideas.create_board", board),
        ("idea.post", card),
        ("cluster.create", {"board": "b1", "name": "Energie"}),
        ("ideas.settings", {"board": "b1", "dots_open": True}),
        ("action.create", {"title": "Digitallabor", "due": "2027-06-30"}),
        ("cafe.create", {"tables": [{"topic": "Fachkräfte"}, {"topic": "Energie"}], "rounds": 2}),
        ("cafe.set_host", {"table": "t1", "participant": ids[0]}),
    )
    expect(phone.locator("form[data-dots]")).to_be_visible()
    check(phone, "phone, ideas, dots, actions, café")
    for view in ("wall", "clusters", "dots"):
        moderate(("ideas.show", {"board": "b1", "view": view}))
        expect(screen.locator("#stage")).to_have_attribute("data-mode", "ideas")
        check(screen, f"screen, ideas {view}")
    moderate(("screen.show", {"what": "actions"}))
    expect(screen.locator("#stage")).to_have_attribute("data-mode", "actions")
    check(screen, "screen, actions")
    moderate(("cafe.start_round", {}))
    expect(screen.locator("#stage")).to_have_attribute("data-mode", "cafe")
    check(screen, "screen, café round")
    check(phone, "phone, café round")
    moderate(("screen.show", {"what": "blank"}))
    expect(screen.locator("#stage")).to_have_attribute("data-mode", "blank")
    check(screen, "screen, blank")
    console = open_console(new_context, event)
    check(console, "console, every section")
    printables = console.context.new_page()
    printables.set_viewport_size(SCREEN)
    for path in ("poster", "cafe/cards", "cafe/lists"):
        printables.goto(f"{live_server.url}/console/{code}/{path}")
        check(printables, f"printable {path}")
