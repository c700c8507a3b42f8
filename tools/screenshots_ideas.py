"""Screenshots of the idea boards on every surface, for a look with a facilitator's eyes.

    .venv/bin/python tools/screenshots_ideas.py [outdir] [--cards N]   (default: screenshots/ideas)

Starts a real server (free port, temporary data), creates an event, lets people
post N cards from tests/data/ideas_cards_de.tsv through the JSON live socket,
and photographs: the screen's wall, the phone (post form, own cards, newest
cards), the console with its cluster board, the suggested headings, the cards sorted
under the moderator's headings with their confidences, the screen's
cluster view, dots on a phone and the screen's ranking, the actions on phone,
console and screen. Uses Debian's /usr/bin/chromium; never downloads a browser.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

from tests.e2e.liveserver import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    CONSOLE,
    PHONE,
    SCREEN,
    LiveServer,
)

NAMES = ["Anna Schmidt", "Kemal Yılmaz", "Dr. Jörg Weiß", "Sabine Müller", "Lukas", None]


def cards(n: int) -> list[str]:
    with (REPO / "tests" / "data" / "ideas_cards_de.tsv").open(encoding="utf-8") as f:
        rows = [r["text"] for r in csv.DictReader(f, delimiter="\t")]
    # interleave the themes, as a real room posts them
    rows = rows[::7] + [r for i, r in enumerate(rows) if i % 7]
    out = (rows * (n // len(rows) + 1))[:n]
    return [t if i < len(rows) else f"{t} ({i // len(rows) + 1})" for i, t in enumerate(out)]


def headings() -> list[str]:
    """The moderator's headings for the German set (tests/data/ideas_headings.tsv)."""
    with (REPO / "tests" / "data" / "ideas_headings.tsv").open(encoding="utf-8") as f:
        return [r["moderator"] for r in csv.DictReader(f, delimiter="\t") if r["set"] == "de"]


def page_for(browser: Browser, viewport: dict[str, int]) -> Page:
    context = browser.new_context(viewport=viewport, locale="de-DE", reduced_motion="reduce")  # type: ignore[arg-type]
    context.set_default_timeout(20_000)
    return context.new_page()


def run(outdir: Path, n_cards: int) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []

    def show(page: Page, selector: str) -> None:
        """Scroll to an element by selector (fragments are replaced live: no stale handles)."""
        page.wait_for_selector(selector)
        page.evaluate("s => document.querySelector(s).scrollIntoView()", selector)

    def shoot(page: Page, name: str, full_page: bool = False) -> None:
        path = outdir / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        saved.append(path)

    with LiveServer() as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        expect.set_options(timeout=20_000)
        event = server.create_event("Zukunft der Industrie im Landkreis")
        code = event["code"]
        mod = server.live(code, event["moderator_token"])
        mod.send(
            "ideas.create_board",
            prompt="Was hemmt Innovation in unserer Region?",
            categories=["Menschen", "Infrastruktur", "Verwaltung"],
            dots=5,
            dots_per_item=3,
        )
        mod.send("ideas.show", board="b1", view="wall")
        # three cards per person, as in a workshop (and within the rate limit)
        texts = cards(n_cards)
        for start in range(0, len(texts), 3):
            person = server.join(code, NAMES[(start // 3) % len(NAMES)], "business")
            with server.live(code, person["token"]) as sock:
                for i, text in enumerate(texts[start : start + 3], start=start):
                    sock.send("idea.post", board="b1", text=text, anonymous=(i % 5 == 4))
        people = [server.join(code, NAMES[i % len(NAMES)], "business") for i in range(6)]
        sockets = [server.live(code, p["token"]) for p in people]
        screen = page_for(browser, SCREEN)
        screen.goto(event["links"]["screen"])
        expect(screen.locator("#stage")).to_have_attribute("data-mode", "ideas")
        shoot(screen, "screen-wall")

        phone_context = browser.new_context(viewport=PHONE, locale="de-DE")  # type: ignore[arg-type]
        server.join_in(phone_context, code, "Eva Klein")
        phone = phone_context.new_page()
        phone.goto(f"{server.url}/p/{code}")
        phone.fill("#idea-text-b1", "Mehr Mut zu Experimenten in der Verwaltung")
        phone.click("#phone-ideas button[type=submit]")
        expect(phone.locator("#phone-ideas-me .my-card")).to_have_count(1)
        shoot(phone, "phone-post", full_page=True)

        console = page_for(browser, CONSOLE)
        console.goto(event["links"]["moderator"])
        show(console, "#console-ideas")
        shoot(console, "console-ideas")
        console.click("form:has(input[value='cluster.suggest']) button")
        expect(console.locator(".proposal")).to_be_visible()
        show(console, ".proposal")
        shoot(console, "console-proposal")
        # Headings first, as facilitators do: the moderator's headings, then sort the cards in.
        mod.send("cluster.discard", board="b1")
        for name in headings():
            mod.send("cluster.create", board="b1", name=name)
        expect(console.locator("form:has(input[value='cluster.sort']) button")).to_be_visible()
        console.click("form:has(input[value='cluster.sort']) button")
        expect(console.locator(".proposal-cards")).to_be_visible()
        show(console, ".proposal")
        shoot(console, "console-sort-proposal")
        mod.send("cluster.accept", board="b1")
        mod.send("ideas.settings", board="b1", published=True, locked=True)
        mod.send("ideas.show", board="b1", view="clusters")
        expect(screen.locator(".screen-cluster").first).to_be_visible()
        shoot(screen, "screen-clusters")
        show(console, ".cluster-board")
        shoot(console, "console-clusters")

        mod.send("ideas.settings", board="b1", dots_open=True)
        clusters = [c["id"] for c in mod.state["boards"][0]["clusters"]]
        for i, sock in enumerate(sockets):
            sock.send(
                "dots.vote", board="b1", points={clusters[i % 3]: 3, clusters[(i + 1) % 4]: 2}
            )
        expect(phone.locator("form[data-dots]")).to_be_visible()
        phone.locator("form[data-dots] .step[data-step='1']").first.click()
        show(phone, "form[data-dots]")
        shoot(phone, "phone-dots")
        mod.send("ideas.show", board="b1", view="dots")
        expect(screen.locator(".screen-dots li").first).to_be_visible()
        shoot(screen, "screen-dots")

        mod.send(
            "action.create",
            title="Azubi-Shuttle vom Bahnhof ins Gewerbegebiet",
            what="Ein Sammelbus zu Schichtbeginn, getragen von fünf Betrieben.",
            owner="Wirtschaftsförderung Landkreis",
            due="2027-03-31",
        )
        mod.send("action.create", title="Digitallabor für KMU", owner="IHK", due="2027-06-30")
        for i, sock in enumerate(sockets[:4]):
            sock.send(
                "action.join",
                action="a1",
                name=f"Person {i}",
                contact=f"p{i}@example.org",
                consent=True,
            )
        phone.reload()
        show(phone, "#phone-actions")
        phone.locator("#join-a1 summary").click()
        shoot(phone, "phone-actions")
        mod.send("screen.show", what="actions")
        expect(screen.locator(".screen-actions li").first).to_be_visible()
        shoot(screen, "screen-actions")
        console.reload()
        show(console, "#console-actions")
        shoot(console, "console-actions")
        for sock in [*sockets, mod]:
            sock.close()
        browser.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("outdir", nargs="?", default="screenshots/ideas")
    parser.add_argument("--cards", type=int, default=60)
    args = parser.parse_args()
    for path in run(Path(args.outdir), args.cards):
        print(path)


if __name__ == "__main__":
    main()
