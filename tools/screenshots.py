"""Screenshots of every surface, for a look with a facilitator's eyes.

    .venv/bin/python tools/screenshots.py [outdir]      (default: screenshots/)

Starts a real server on a free port with a temporary data directory, creates an
event, lets a dozen people join through the API, and photographs the phone, the
console, the projector screen, the poster and the start page with Debian's
headless Chromium (/usr/bin/chromium; never downloads a browser).

Then one poll of every kind: the dozen vote through the JSON live socket, one
more person votes on a phone (photographed filling in the ballot and after
voting), the screen shows the result, and the console shows all the polls.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

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

# 120 characters, the longest title an event may have.
LONG_TITLE = (
    "Transformation der Automobilzulieferindustrie in Südwestfalen: "
    "Wie sichern wir Beschäftigung und Wertschöpfung bis 2035?"
)
TRANSITIONS_DONE = """() => document.getAnimations()
    .every(a => !(a instanceof CSSTransition) || a.playState !== 'running')"""
PEOPLE = [
    ("Anna Schmidt", "business"),
    ("Kemal Yılmaz", "union"),
    ("Dr. Jörg Weiß", "public"),
    ("Sabine Müller-Lüdenscheidt", "chamber"),
    ("Dr. Friederike von Hohenstein-Grabowski", "research"),
    ("Lukas", "civil_society"),
    (None, "business"),
    ("Maria Papadopoulos", "business"),
    ("Henrik Voß", "union"),
    (None, None),
    ("Ayşe Demir", "other"),
    ("Stadtwerke Team", "public"),
]


def shoot(page: Page, outdir: Path, name: str, saved: list[Path], full_page: bool = False) -> None:
    # CSS transitions (the screen's join corner moves on blank) must end first.
    page.wait_for_function(TRANSITIONS_DONE)
    path = outdir / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    saved.append(path)


def new_page(browser: Browser, width: int, height: int, scale: float = 1, **options: Any) -> Page:
    context = browser.new_context(
        viewport={"width": width, "height": height},
        device_scale_factor=scale,
        locale="de-DE",
        reduced_motion="reduce",  # counts show their value, not a frame of the count-up
        **options,
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def run(outdir: Path) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with LiveServer() as server, sync_playwright() as pw:
        expect.set_options(timeout=15_000)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        event = server.create_event()
        code = event["code"]
        tokens = [server.join(code, name, org)["token"] for name, org in PEOPLE]

        # Phone: the join form as it first appears, then filled in and sent.
        phone = new_page(browser, PHONE["width"], PHONE["height"], scale=2)
        phone.goto(event["links"]["join"])
        shoot(phone, outdir, "phone-join", saved)
        shoot(phone, outdir, "phone-join-full", saved, full_page=True)
        phone.get_by_label("Ihr Name (freiwillig)").fill("Claudia Neumann")
        phone.get_by_role("radio", name="Kammer / Verband").check()
        phone.get_by_role("button", name="Teilnehmen").click()
        expect(phone).to_have_url(re.compile(rf"/p/{code}$"))
        expect(phone.locator("#phone-status")).to_contain_text("13")
        shoot(phone, outdir, "phone-live", saved)
        phone.get_by_text("Namen ändern").click()
        shoot(phone, outdir, "phone-live-rename", saved, full_page=True)

        # Console, at a laptop size and at full HD.
        console = new_page(browser, 1440, 900)
        console.goto(event["links"]["moderator"])
        expect(console).to_have_url(re.compile(rf"/console/{code}$"))
        expect(console.locator("#people .counts .num").first).to_have_text("13")
        shoot(console, outdir, "console-1440x900", saved)
        shoot(console, outdir, "console-1440-full", saved, full_page=True)
        console.set_viewport_size({"width": 1920, "height": 1080})
        shoot(console, outdir, "console-1920x1080", saved)

        # Projector screen: welcome, then blanked from the console.
        screen = new_page(browser, 1920, 1080)
        screen.goto(event["links"]["screen"])
        stage = screen.locator("#stage")
        expect(stage).to_have_attribute("data-mode", "welcome")
        expect(stage.locator(".stage-count .num")).to_have_text("13")
        shoot(screen, outdir, "screen-welcome", saved)
        console.get_by_role("button", name=re.compile("^Leer")).click()
        expect(stage).to_have_attribute("data-mode", "blank")
        shoot(screen, outdir, "screen-blank", saved)
        console.keyboard.press("w")
        expect(stage).to_have_attribute("data-mode", "welcome")

        # The longest title an event may have, on the screen and on the phone.
        long_event = server.create_event(title=LONG_TITLE)
        screen.goto(long_event["links"]["screen"])
        expect(screen.locator("#stage")).to_have_attribute("data-mode", "welcome")
        shoot(screen, outdir, "screen-welcome-long-title", saved)
        long_phone = new_page(browser, PHONE["width"], PHONE["height"], scale=2)
        long_phone.goto(long_event["links"]["join"])
        shoot(long_phone, outdir, "phone-join-long-title", saved)

        # The A4 poster (96 dpi A4 is 794 x 1123 CSS pixels), with the moderator cookie.
        poster = console.context.new_page()
        poster.set_viewport_size({"width": 794, "height": 1123})
        poster.goto(f"{server.url}/console/{code}/poster")
        shoot(poster, outdir, "poster-a4", saved)
        shoot(poster, outdir, "poster-a4-full", saved, full_page=True)
        poster.emulate_media(media="print")
        shoot(poster, outdir, "poster-a4-print", saved, full_page=True)

        # The start page after a code nobody knows.
        start = new_page(browser, PHONE["width"], PHONE["height"], scale=2)
        start.goto(f"{server.url}/")
        start.get_by_label("Veranstaltungscode").fill("ZZZ-ZZZ")
        start.get_by_role("button", name="Weiter").click()
        expect(start.locator("#code-error")).to_be_visible()
        shoot(start, outdir, "start-error", saved)

        # Polls: every kind, on the phone, on the screen, in the console.
        phone.goto(f"{server.url}/p/{code}")
        console.set_viewport_size(CONSOLE)
        screen.set_viewport_size(SCREEN)
        screen.goto(event["links"]["screen"])
        expect(screen.locator("#stage")).to_have_attribute("data-mode", "welcome")
        shoot_polls(server, event, tokens, phone, screen, console, outdir, saved)

        browser.close()
    return saved


# --- polls ------------------------------------------------------------------------------

# What the dozen of PEOPLE pick in the multiple-choice poll and how they rank and
# split their points: option numbers, one entry per person.
MULTIPLE_PICKS = ["12", "234", "2", "126", "34", "25", "4", "236", "15", "246", "3", "26"]
RANKINGS = [
    "12345", "21354", "13245", "31245", "12435", "23154",
    "14235", "12354", "32145", "21435", "13425", "41235",
]  # fmt: skip
POINT_SPLITS = [
    (50, 30, 20, 0), (25, 25, 25, 25), (0, 60, 20, 20), (40, 40, 0, 20),
    (100, 0, 0, 0), (10, 50, 30, 10), (30, 30, 10, 30), (0, 0, 70, 30),
    (60, 20, 0, 20), (20, 40, 20, 20), (35, 35, 15, 15), (0, 50, 0, 50),
]  # fmt: skip

# One poll of every kind, with what the dozen of PEOPLE vote (one ballot each), in
# the shapes of docs/api.md. Option ids are o1, o2, … in the order of the options.
POLLS: list[dict[str, Any]] = [
    {
        "kind": "single",
        "question": "Wo soll die Region zuerst investieren?",
        "options": [
            "Schienenanbindung der Gewerbegebiete",
            "Glasfaser für alle Betriebe",
            "Bezahlbarer Wohnraum für Fachkräfte",
            "Kinderbetreuung mit längeren Öffnungszeiten",
        ],
        "settings": {"results_on_phones": True},
        "votes": [{"choice": f"o{n}"} for n in (1, 2, 1, 3, 1, 2, 4, 1, 3, 2, 1, 3)],
    },
    {
        "kind": "multiple",
        "question": "Was hilft Ihrem Betrieb gegen den Fachkräftemangel? (bis zu 3)",
        "options": [
            "Ausbildung in Teilzeit",
            "Weiterbildung im Betrieb",
            "Zuwanderung erleichtern",
            "Automatisierung",
            "Ältere Beschäftigte länger halten",
            "Mehr Frauen in MINT-Berufe",
        ],
        "settings": {"max_choices": 3},
        "votes": [{"choices": [f"o{n}" for n in picks]} for picks in MULTIPLE_PICKS],
    },
    {
        "kind": "scale",
        "question": "Wie gut fühlen Sie sich über die Transformation in der Region informiert?",
        "options": [],
        "settings": {
            "scale_min": 0,
            "scale_max": 10,
            "min_label": "gar nicht",
            "max_label": "sehr gut",
        },
        "votes": [{"value": v} for v in (3, 5, 6, 4, 7, 5, 2, 6, 5, 8, 4, 6)],
    },
    {
        "kind": "ranking",
        "question": "Was ist für die Region am dringendsten?",
        "options": [
            "Fachkräfte sichern",
            "Energiepreise senken",
            "Genehmigungen beschleunigen",
            "Digitalisierung der Verwaltung",
            "Flächen für Gewerbe",
        ],
        "settings": {},
        "votes": [{"ranking": [f"o{n}" for n in order]} for order in RANKINGS],
    },
    {
        "kind": "points",
        "question": "Verteilen Sie 100 Punkte auf die Projekte im Strukturfonds",
        "options": [
            "Wasserstoff-Hub am Hafen",
            "Weiterbildungszentrum",
            "Radschnellweg ins Gewerbegebiet",
            "Gründerzentrum",
        ],
        "settings": {"budget": 100},
        "votes": [
            {"points": {f"o{i + 1}": n for i, n in enumerate(split) if n}} for split in POINT_SPLITS
        ],
    },
    {
        "kind": "text",
        "question": "Was bremst Ihren Betrieb im Moment am meisten?",
        "options": [],
        "settings": {},
        "votes": [
            {"text": t}
            for t in (
                "Bürokratie",
                "Fachkräftemangel",
                "Energiepreise",
                "Lange Genehmigungsverfahren",
                "Bürokratie und Dokumentationspflichten",
                "Fachkräftemangel in der Pflege",
                "Hohe Energiepreise",
                "Unsicherheit bei Förderprogrammen",
                "Bürokratie",
                "Fehlende Kinderbetreuung",
                "Schlechte Verkehrsanbindung",
                "Energiepreise und Netzentgelte",
            )
        ],
    },
]


def moderate(server: LiveServer, event: dict[str, Any], *commands: dict[str, Any]) -> list[str]:
    """Send moderator commands through the JSON live socket; the ids they created."""
    with server.live(event["code"], event["moderator_token"]) as moderator:
        return [str(moderator.send(**command)["id"]) for command in commands]


def vote_on_phone(phone: Page, kind: str, form: Any) -> None:
    """What one person does on the phone for each kind, before pressing the button."""
    if kind == "single":
        form.get_by_label("Glasfaser für alle Betriebe").check()
    elif kind == "multiple":
        form.get_by_label("Weiterbildung im Betrieb").check()
        form.get_by_label("Mehr Frauen in MINT-Berufe").check()
    elif kind == "scale":
        form.locator(".scale-step").filter(has_text=re.compile(r"^7$")).click()
    elif kind == "ranking":
        item = form.locator(".rank-list li").filter(has_text="Genehmigungen beschleunigen")
        item.get_by_role("button", name="Nach oben").click()
        item.get_by_role("button", name="Nach oben").click()
    elif kind == "points":
        for label, clicks in (("Weiterbildungszentrum", 3), ("Gründerzentrum", 2)):
            row = form.locator(".points-row").filter(has_text=label)
            for _ in range(clicks):
                row.get_by_role("button", name="mehr", exact=True).click()
        form.get_by_label("Wasserstoff-Hub am Hafen", exact=True).fill("60")
        form.get_by_label("Wasserstoff-Hub am Hafen", exact=True).dispatch_event("input")
    else:
        form.get_by_placeholder("Ihre Antwort (höchstens 140 Zeichen)").fill(
            "Genehmigungen dauern zu lange, und die Bürokratie bei Förderanträgen"
        )


def shoot_polls(
    server: LiveServer,
    event: dict[str, Any],
    tokens: list[str],
    phone: Page,
    screen: Page,
    console: Page,
    outdir: Path,
    saved: list[Path],
) -> None:
    code = event["code"]
    voters = len(tokens) + 1  # the dozen and the phone
    ids = moderate(
        server,
        event,
        *(
            {"type": "poll.create", "kind": p["kind"], "question": p["question"],
             "options": p["options"], **p["settings"]}
            for p in POLLS
        ),
    )  # fmt: skip
    for poll, spec in zip(ids, POLLS, strict=True):
        kind = spec["kind"]
        # One poll open at a time, as a facilitator runs them, and on the screen.
        moderate(
            server,
            event,
            {"type": "poll.open", "poll": poll},
            {"type": "screen.show", "what": "poll", "poll": poll},
        )
        for token, ballot in zip(tokens, spec["votes"], strict=True):
            with server.live(code, token) as participant:
                participant.send("poll.vote", poll=poll, **ballot)

        form = phone.locator(f"form[data-poll={poll}]")
        expect(form).to_be_visible()
        vote_on_phone(phone, kind, form)
        form.scroll_into_view_if_needed()
        phone.evaluate("window.scrollTo(0, 0)")  # as the person first sees it
        shoot(phone, outdir, f"phone-poll-{kind}-ballot", saved)
        shoot(phone, outdir, f"phone-poll-{kind}-ballot-full", saved, full_page=True)
        form.locator("button[type=submit]").click()
        expect(form.locator(".mine")).to_be_visible()
        phone.evaluate("window.scrollTo(0, 0)")
        shoot(phone, outdir, f"phone-poll-{kind}-voted", saved)

        stage = screen.locator("#stage")
        expect(stage).to_have_attribute("data-mode", "poll")
        expect(stage.locator(".poll-title")).to_have_text(spec["question"])
        expect(stage.locator(".poll-meta .num")).to_have_text(str(voters))
        shoot(screen, outdir, f"screen-poll-{kind}", saved)
        if kind != "text":
            moderate(server, event, {"type": "poll.close", "poll": poll})
            expect(form).to_have_count(0)

    # The screen after a poll has closed, and a poll whose results wait for the close.
    moderate(server, event, {"type": "screen.show", "what": "poll", "poll": ids[0]})
    expect(screen.locator("#stage .poll-meta")).to_contain_text("Abstimmung beendet")
    shoot(screen, outdir, "screen-poll-single-closed", saved)
    phone.evaluate("window.scrollTo(0, 0)")
    shoot(phone, outdir, "phone-poll-results-after-close", saved, full_page=True)

    # The console: closed polls, the open text poll on screen, and two drafts.
    hidden, _ = moderate(
        server,
        event,
        {"type": "poll.create", "kind": "single", "question": "Nehmen Sie wieder teil?",
         "options": ["Ja", "Vielleicht", "Nein"], "hide_results": True},
        {"type": "poll.create", "kind": "text", "question": "Ihre Idee für das nächste Treffen",
         "options": []},
    )  # fmt: skip
    moderate(server, event, {"type": "screen.show", "what": "poll", "poll": ids[-1]})
    console.reload()
    expect(console.locator(".poll-row")).to_have_count(len(POLLS) + 2)
    shoot(console, outdir, "console-polls-1440x900", saved)
    answers = console.locator(f"#poll-{ids[-1]} details.answers")
    answers.locator("summary").click()
    answers.scroll_into_view_if_needed()
    shoot(console, outdir, "console-polls-text-answers", saved)
    shoot(console, outdir, "console-polls-1440-full", saved, full_page=True)
    console.evaluate("window.scrollTo(0, 0)")
    console.locator("body").click(position={"x": 5, "y": 5})
    console.keyboard.press("n")
    console.get_by_label("Art").select_option("scale")
    shoot(console, outdir, "console-poll-editor-scale", saved)
    console.get_by_label("Art").select_option("points")
    shoot(console, outdir, "console-poll-editor-points", saved)

    # Results held back until the close: what the screen shows meanwhile.
    moderate(
        server,
        event,
        {"type": "poll.open", "poll": hidden},
        {"type": "screen.show", "what": "poll", "poll": hidden},
    )
    expect(screen.locator("#stage .poll-title")).to_have_text("Nehmen Sie wieder teil?")
    shoot(screen, outdir, "screen-poll-hidden-results", saved)


def main(argv: list[str]) -> int:
    if not Path(CHROMIUM).is_file():
        print(f"screenshots: {CHROMIUM} not found (Debian package 'chromium')", file=sys.stderr)
        return 1
    outdir = Path(argv[1]) if len(argv) > 1 else REPO / "screenshots"
    for path in run(outdir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
