"""Polls in a real browser: the console makes them, phones vote, the screen shows the result.

The single-choice test drives everything through the pages, the console's editor
included. The tests of the other kinds set their poll up through the JSON live
socket (docs/api.md), which is quicker, and vote through the phones' ballot forms.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, ViewportSize, WebSocketRoute, expect

from tests.e2e.liveserver import PHONE, LiveServer, NewContext
from tests.e2e.test_live_event import SCROLL_WIDTH, open_console, open_screen

pytestmark = pytest.mark.e2e

Phones = Callable[[int], list[Page]]

POLL_CLOSED = "Diese Abstimmung ist beendet. Ihre Stimme wurde nicht gezählt."


# --- helpers ---------------------------------------------------------------------------


class SocketHold:
    """Holds back what the server sends to one page, as a slow mobile link would.

    ``hold()`` queues every message from the server until the ack of the page's next
    command arrives; then the queue is delivered in order. What the page sends goes
    up at once.
    """

    def __init__(self) -> None:
        self._page_side: WebSocketRoute | None = None
        self._held: list[str | bytes] | None = None

    def route(self, page_side: WebSocketRoute) -> None:
        server_side = page_side.connect_to_server()
        page_side.on_message(server_side.send)
        server_side.on_message(self._from_server)
        self._page_side = page_side

    def hold(self) -> None:
        self._held = []

    def _from_server(self, message: str | bytes) -> None:
        assert self._page_side is not None
        if self._held is None:
            self._page_side.send(message)
            return
        self._held.append(message)
        json_text = isinstance(message, str) and message.startswith("{")  # else HTML
        if json_text and json.loads(message).get("type") == "ack":  # deliver all, in order
            held, self._held = self._held, None
            for each in held:
                self._page_side.send(each)


def open_phone(
    new_context: NewContext,
    live_server: LiveServer,
    code: str,
    name: str,
    hold: SocketHold | None = None,
    viewport: ViewportSize = PHONE,
) -> Page:
    """A phone that has joined (through the API, see LiveServer.join_in) opens its live page."""
    context = new_context(viewport)
    live_server.join_in(context, code, name)
    page = context.new_page()
    if hold is not None:
        page.route_web_socket(re.compile(r"/ws/phone/"), hold.route)
    page.goto(f"{live_server.url}/p/{code}")
    expect(page.locator("#me strong")).to_have_text(name)
    if hold is None:  # as open_console: the first tap must not beat htmx's wiring of the forms
        expect(page.locator("body")).to_have_attribute("data-live", "open", timeout=30_000)
    return page


def ballot(phone: Page, poll: str) -> Locator:
    return phone.locator(f"form[data-poll={poll}]")


def bar_row(page: Page, label: str) -> Locator:
    """One option's row in the screen's bars (label, track, value)."""
    return page.locator("#stage .screen-results li").filter(
        has=page.locator(".bar-label", has_text=re.compile(rf"^{re.escape(label)}$"))
    )


def expect_bar(page: Page, label: str, width: int, value: str) -> None:
    """The bar of ``label`` on the screen has this width (%) and shows this value."""
    row = bar_row(page, label)
    expect(row.locator(".bar-fill")).to_have_attribute(
        "style", re.compile(rf"(^|;)\s*width:\s*{width}%")
    )
    expect(row.locator(".bar-value")).to_contain_text(value)


def poll_on_screen(
    live_server: LiveServer,
    event: dict[str, Any],
    screen: Page,
    kind: str,
    question: str,
    options: list[str] | None = None,
    **settings: Any,
) -> str:
    """Create a poll through the moderator's JSON socket, open it and show it on screen."""
    with live_server.live(event["code"], event["moderator_token"]) as moderator:
        fields = {"kind": kind, "question": question, "options": options or [], **settings}
        poll = str(moderator.send("poll.create", **fields)["id"])
        moderator.send("poll.open", poll=poll)
        moderator.send("screen.show", what="poll", poll=poll)
    expect(screen.locator("#stage")).to_have_attribute("data-mode", "poll")
    expect(screen.locator("#stage .poll-title")).to_have_text(question)
    return poll


def voters_on_screen(screen: Page) -> Locator:
    return screen.locator("#stage .poll-meta .num")


@pytest.fixture
def screen(new_context: NewContext, event: dict[str, Any]) -> Page:
    return open_screen(new_context, event)


@pytest.fixture
def phones(new_context: NewContext, live_server: LiveServer, event: dict[str, Any]) -> Phones:
    """``phones(n)`` opens n phones of participants called Person 1 … n."""

    def make(n: int) -> list[Page]:
        return [
            open_phone(new_context, live_server, event["code"], f"Person {i}")
            for i in range(1, n + 1)
        ]

    return make


# --- single choice, through the console's editor ----------------------------------------


def test_single_choice_from_editor_to_screen_and_a_late_vote(
    new_context: NewContext, live_server: LiveServer, event: dict[str, Any]
) -> None:
    code = event["code"]
    console = open_console(new_context, event)
    screen = open_screen(new_context, event)
    late = SocketHold()
    anna = open_phone(new_context, live_server, code, "Anna")
    ben = open_phone(new_context, live_server, code, "Ben", hold=late)
    cem = open_phone(new_context, live_server, code, "Cem")

    # The moderator presses N, fills the editor and saves a draft, with a typo.
    console.keyboard.press("n")
    editor = console.locator("#poll-editor")
    expect(editor).to_have_attribute("open", "")
    expect(console.get_by_label("Frage", exact=True)).to_be_focused()
    console.get_by_label("Art").select_option(label="Einfachauswahl")
    console.get_by_label("Frage", exact=True).fill("Wo sol die Region zuerst investieren?")
    console.get_by_label("Optionen").fill("Schiene\nStraße\n\nRadwege\n")
    console.get_by_role("button", name="Als Entwurf speichern").click()
    expect(editor).not_to_have_attribute("open", "")
    row = console.locator(".poll-row").first
    expect(row.locator("h3")).to_have_text("Wo sol die Region zuerst investieren?")
    expect(row.locator(".badge").first).to_have_text("Entwurf")
    expect(row.locator(".kind")).to_have_text("Einfachauswahl")
    poll = (row.get_attribute("id") or "").removeprefix("poll-")

    # "Bearbeiten" fills the editor with the draft; the fix replaces it.
    row.get_by_role("button", name="Bearbeiten").click()
    expect(editor).to_have_attribute("open", "")
    expect(console.get_by_label("Optionen")).to_have_value("Schiene\nStraße\nRadwege")
    question = "Wo soll die Region zuerst investieren?"
    console.get_by_label("Frage", exact=True).fill(question)
    console.get_by_role("button", name="Als Entwurf speichern").click()
    expect(row.locator("h3")).to_have_text(question)
    expect(console.locator(".poll-row")).to_have_count(1)
    expect(row).to_have_id(f"poll-{poll}")
    options = json.loads(row.get_attribute("data-poll-def") or "{}")["options"]
    assert options == ["Schiene", "Straße", "Radwege"], "empty lines are not options"
    for phone in (anna, ben, cem):
        expect(ballot(phone, poll)).to_have_count(0)  # drafts stay in the console

    # Open it (the button's label: see test_open_button_says_oeffnen) and show it.
    row.locator("form:has(input[name=type][value='poll.open']) button").click()
    expect(row.locator(".badge").first).to_have_text("Offen")
    row.get_by_role("button", name="Auf Leinwand zeigen").click()
    expect(row.locator(".on-screen-badge")).to_have_text("Auf der Leinwand")
    stage = screen.locator("#stage")
    expect(stage).to_have_attribute("data-mode", "poll")
    expect(stage.locator(".poll-title")).to_have_text(question)
    expect(stage.locator(".poll-meta")).to_contain_text("Jetzt auf dem Handy abstimmen")
    for label in options:
        expect_bar(screen, label, 0, "0 %")

    # Three phones vote through their ballot forms.
    for phone, choice in ((anna, "Schiene"), (ben, "Straße"), (cem, "Schiene")):
        form = ballot(phone, poll)
        expect(form.locator(".poll-question")).to_have_text(question)
        form.get_by_label(choice).check()
        form.get_by_role("button", name="Abstimmen").click()
        expect(form.locator(".mine")).to_have_text(re.compile(rf"Ihre Stimme:\s*{choice}\b"))
        expect(form.locator(".vote-inputs")).to_be_hidden()
    expect_bar(screen, "Schiene", 67, "67 %")
    expect_bar(screen, "Straße", 33, "33 %")
    expect_bar(screen, "Radwege", 0, "0 %")
    expect(voters_on_screen(screen)).to_have_text("3")
    expect(row.locator(".turnout")).to_have_text(re.compile(r"^\s*3 Stimmen\s*·\s*3 online\s*$"))

    # Anna's vote survives a reload, and she changes it.
    anna.reload()
    form = ballot(anna, poll)
    expect(form.locator(".mine")).to_have_text(re.compile(r"Ihre Stimme:\s*Schiene\b"))
    expect(form.locator(".vote-inputs")).to_be_hidden()
    form.get_by_role("button", name="Ändern").click()
    expect(form.get_by_label("Schiene")).to_be_checked()  # her vote, filled in
    form.get_by_label("Straße").check()
    form.get_by_role("button", name="Abstimmen").click()
    expect(form.locator(".mine")).to_have_text(re.compile(r"Ihre Stimme:\s*Straße\b"))
    expect_bar(screen, "Schiene", 33, "33 %")
    expect_bar(screen, "Straße", 67, "67 %")
    expect(voters_on_screen(screen)).to_have_text("3")  # changed, not counted twice

    # Ben has his ballot open again when the moderator closes the poll; his phone hears
    # of it late (a slow link), so he can still press "Abstimmen".
    form = ballot(ben, poll)
    form.get_by_role("button", name="Ändern").click()
    form.get_by_label("Radwege").check()
    late.hold()
    row.get_by_role("button", name="Beenden").click()
    expect(row.locator(".badge").first).to_have_text("Beendet")
    expect(stage.locator(".poll-meta")).to_contain_text("Abstimmung beendet")
    form.get_by_role("button", name="Abstimmen").click()
    expect(ben.locator("#toast")).to_have_text(POLL_CLOSED)
    expect(ballot(ben, poll)).to_have_count(0)  # closed polls leave the phones
    expect_bar(screen, "Radwege", 0, "0 %")
    expect_bar(screen, "Straße", 67, "67 %")
    expect(row.locator(".console-results")).to_contain_text("67 %")


def test_open_button_says_oeffnen(
    new_context: NewContext, live_server: LiveServer, event: dict[str, Any]
) -> None:
    with live_server.live(event["code"], event["moderator_token"]) as moderator:
        moderator.send("poll.create", kind="single", question="Frage?", options=["Ja", "Nein"])
    console = open_console(new_context, event)  # the console page comes with its rows
    button = console.locator(".poll-row form:has(input[name=type][value='poll.open']) button")
    assert button.inner_text() == "Öffnen"


# Thumb-sized controls (DESIGN: touch targets of at least 48 px, pages work at 320 px).
TOO_NARROW = """(selector) => [...document.querySelectorAll(selector)]
  .filter(e => e.getBoundingClientRect().width < 44)
  .map(e => `${e.className || e.tagName} "${e.textContent.trim()}": `
             + `${Math.round(e.getBoundingClientRect().width)} px wide`)"""


def test_ballots_fit_a_320px_phone(
    new_context: NewContext, live_server: LiveServer, event: dict[str, Any]
) -> None:
    polls: list[dict[str, Any]] = [
        {"kind": "points", "question": "Wohin mit dem Fördergeld?",
         "options": ["Weiterbildungszentrum", "Radschnellweg ins Gewerbegebiet"]},
        {"kind": "scale", "question": "Wie zufrieden sind Sie?", "options": [],
         "scale_min": 0, "scale_max": 10},
    ]  # fmt: skip
    with live_server.live(event["code"], event["moderator_token"]) as moderator:
        for fields in polls:
            moderator.send("poll.open", poll=moderator.send("poll.create", **fields)["id"])
    narrow: ViewportSize = {"width": 320, "height": 740}
    phone = open_phone(new_context, live_server, event["code"], "Eva", viewport=narrow)
    expect(phone.locator("form[data-poll]")).to_have_count(2)
    problems = phone.evaluate(TOO_NARROW, ".scale-step span, .step, .rank-move")
    scroll_width, width = phone.evaluate(SCROLL_WIDTH)
    if scroll_width > width:
        problems.append(f"the page is {scroll_width} px wide on a {width} px phone")
    assert not problems, "\n".join(problems)


# --- the other kinds, set up through the socket -------------------------------------------


def test_multiple_choice(
    live_server: LiveServer, event: dict[str, Any], screen: Page, phones: Phones
) -> None:
    options = ["Ausbildung", "Weiterbildung", "Zuwanderung", "Automatisierung"]
    poll = poll_on_screen(
        live_server, event, screen, "multiple", "Was hilft gegen den Fachkräftemangel?",
        options, max_choices=2,
    )  # fmt: skip
    one, two = phones(2)

    form = ballot(one, poll)
    expect(form).to_contain_text("Wählen Sie bis zu 2.")
    for label in ("Ausbildung", "Weiterbildung", "Zuwanderung"):
        form.get_by_label(label).check()
    form.get_by_role("button", name="Abstimmen").click()
    expect(one.locator("#toast")).to_have_text("Das sind mehr Stimmen, als diese Umfrage erlaubt.")
    expect(form.locator(".mine")).to_be_hidden()
    form.get_by_label("Zuwanderung").uncheck()
    form.get_by_role("button", name="Abstimmen").click()
    expect(form.locator(".mine")).to_have_text(
        re.compile(r"Ihre Stimme:\s*Ausbildung, Weiterbildung\b")
    )

    form = ballot(two, poll)
    form.get_by_label("Weiterbildung").check()
    form.get_by_label("Automatisierung").check()
    form.get_by_role("button", name="Abstimmen").click()
    expect(form.locator(".mine")).to_contain_text("Weiterbildung, Automatisierung")

    # Shares of the voters: every voter may pick two.
    expect(voters_on_screen(screen)).to_have_text("2")
    expect_bar(screen, "Weiterbildung", 100, "100 %")
    expect_bar(screen, "Ausbildung", 50, "50 %")
    expect_bar(screen, "Automatisierung", 50, "50 %")
    expect_bar(screen, "Zuwanderung", 0, "0 %")


def test_scale(live_server: LiveServer, event: dict[str, Any], screen: Page, phones: Any) -> None:
    poll = poll_on_screen(
        live_server, event, screen, "scale", "Wie zufrieden sind Sie mit dem ÖPNV?",
        scale_min=1, scale_max=5, min_label="gar nicht", max_label="voll und ganz",
    )  # fmt: skip
    for phone, value in zip(phones(3), ("4", "4", "5"), strict=True):
        form = ballot(phone, poll)
        expect(form.locator(".scale-step")).to_have_count(5)
        expect(form.locator(".scale-ends")).to_have_text(re.compile(r"gar nicht\s*voll und ganz"))
        form.locator(".scale-step").filter(has_text=re.compile(rf"^{value}$")).click()
        expect(form.get_by_role("radio", name=value)).to_be_checked()
        form.get_by_role("button", name="Abstimmen").click()
        expect(form.locator(".mine")).to_have_text(re.compile(rf"Ihre Stimme:\s*{value}\b"))

    # The histogram: columns as high as their share of the tallest.
    results = screen.locator("#stage .screen-results.kind-scale")
    expect(voters_on_screen(screen)).to_have_text("3")
    expect(results.locator(".col-label")).to_have_text(["1", "2", "3", "4", "5"])
    expect(results.locator(".col-n")).to_have_text(["0", "0", "0", "2", "1"])
    heights = results.locator(".col-fill").evaluate_all("cols => cols.map(c => c.style.height)")
    assert heights == ["0%", "0%", "0%", "100%", "50%"]
    expect(results.locator(".scale-ends")).to_have_text(re.compile(r"gar nicht\s*voll und ganz"))
    expect(results.locator(".scale-stats")).to_have_text(
        re.compile(r"Mittelwert\s*4,3\s*·\s*Median\s*4\b")
    )


def ranked(form: Locator) -> list[str]:
    return [text.strip() for text in form.locator(".rank-label").all_inner_texts()]


def move(form: Locator, label: str, direction: str, times: int = 1) -> None:
    """Press ▲ (Nach oben) or ▼ (Nach unten) beside an option."""
    item = form.locator(".rank-list li").filter(has_text=label)
    for _ in range(times):
        item.get_by_role("button", name=direction).click()


def arrange(form: Locator, order: list[str]) -> None:
    """Bring a ballot into ``order`` with the ▲ buttons, as a person would."""
    for place, label in enumerate(order):
        move(form, label, "Nach oben", ranked(form).index(label) - place)


def test_ranking_with_the_arrow_buttons(
    live_server: LiveServer, event: dict[str, Any], screen: Page, phones: Phones
) -> None:
    a, b, c, d = "Fachkräfte sichern", "Energiepreise senken", "Digitalisierung", "Gewerbeflächen"
    poll = poll_on_screen(
        live_server, event, screen, "ranking", "Was ist am dringendsten?", [a, b, c, d]
    )
    one, two = phones(2)

    form = ballot(one, poll)
    assert sorted(ranked(form)) == sorted([a, b, c, d])  # each phone starts in its own order
    arrange(form, [a, b, c, d])
    assert ranked(form) == [a, b, c, d]
    move(form, c, "Nach oben", 2)
    assert ranked(form) == [c, a, b, d]
    move(form, a, "Nach oben")  # and back again
    move(form, a, "Nach unten")
    expect(form.locator(".rank-label")).to_have_text([c, a, b, d])
    # The first cannot go further up, the last not further down.
    move(form, c, "Nach oben")
    move(form, d, "Nach unten")
    expect(form.locator(".rank-label")).to_have_text([c, a, b, d])
    form.get_by_role("button", name="Abstimmen").click()
    expect(form.locator(".mine")).to_have_text(
        re.compile(rf"Ihre Stimme:\s*1\. {c}\s+2\. {a}\s+3\. {b}\s+4\. {d}")
    )

    form = ballot(two, poll)
    arrange(form, [a, b, c, d])
    move(form, c, "Nach oben", 2)
    move(form, a, "Nach unten", 2)
    expect(form.locator(".rank-label")).to_have_text([c, b, d, a])
    form.get_by_role("button", name="Abstimmen").click()
    expect(form.locator(".mine")).to_contain_text(f"1. {c}")

    # Borda points, 3 for a first place down to 0: c 6, b 3, a 2, d 1.
    expect(voters_on_screen(screen)).to_have_text("2")
    ranking = screen.locator("#stage .screen-results .ranking")
    expect(ranking.locator(".bar-label")).to_have_text([c, b, a, d])
    expect(ranking.locator(".place")).to_have_text(["1.", "2.", "3.", "4."])
    expect(ranking.locator(".bar-value")).to_have_text(
        ["6 Punkte", "3 Punkte", "2 Punkte", "1 Punkt"]
    )
    expect_bar(screen, c, 100, "6 Punkte")
    expect_bar(screen, b, 50, "3 Punkte")
    expect_bar(screen, a, 33, "2 Punkte")
    expect_bar(screen, d, 17, "1 Punkt")


def step(form: Locator, label: str, button: str, times: int = 1) -> None:
    """Press − (weniger) or + (mehr) beside an option."""
    row = form.locator(".points-row").filter(has_text=label)
    for _ in range(times):
        row.get_by_role("button", name=button, exact=True).click()


def test_points_with_the_steppers(
    live_server: LiveServer, event: dict[str, Any], screen: Page, phones: Phones
) -> None:
    a, b, c = "Innenstadt", "Gewerbegebiet", "Bahnhof"
    poll = poll_on_screen(
        live_server, event, screen, "points", "Wohin mit dem Fördergeld?", [a, b, c],
        budget=10, max_per_option=5,
    )  # fmt: skip
    one, two = phones(2)

    form = ballot(one, poll)
    left = form.locator(".points-left")
    expect(left).to_have_text("10 von 10 Punkten übrig")
    step(form, a, "mehr", 5)
    expect(form.get_by_label(a, exact=True)).to_have_value("5")
    row_a = form.locator(".points-row", has_text=a)
    expect(row_a.get_by_role("button", name="mehr", exact=True)).to_be_disabled()  # the cap
    expect(left).to_have_text("5 von 10 Punkten übrig")
    step(form, b, "mehr", 3)
    row_c = form.locator(".points-row", has_text=c)
    expect(row_c.get_by_role("button", name="weniger", exact=True)).to_be_disabled()  # not below 0
    expect(form.get_by_label(c, exact=True)).to_have_value("0")
    expect(left).to_have_text("2 von 10 Punkten übrig")
    form.get_by_role("button", name="Abstimmen").click()
    expect(form.locator(".mine")).to_have_text(
        re.compile(rf"Ihre Stimme:\s*{a}: 5, {b}: 3\s*Ändern")
    )

    form = ballot(two, poll)
    left = form.locator(".points-left")
    step(form, b, "mehr", 5)
    step(form, c, "mehr", 5)
    expect(left).to_have_text("0 von 10 Punkten übrig")
    row_a = form.locator(".points-row", has_text=a)
    expect(row_a.get_by_role("button", name="mehr", exact=True)).to_be_disabled()  # the budget
    form.get_by_label(a, exact=True).fill("3")  # typed: over the budget
    expect(left).to_have_text("3 Punkte zu viel")
    expect(left).to_have_class(re.compile(r"\bover\b"))
    form.get_by_role("button", name="Abstimmen").click()
    expect(two.locator("#toast")).to_have_text("Das sind mehr Punkte, als Sie haben.")
    form.get_by_label(a, exact=True).fill("0")
    step(form, c, "weniger")
    expect(left).to_have_text("1 von 10 Punkten übrig")
    expect(left).not_to_have_class(re.compile(r"\bover\b"))
    form.get_by_role("button", name="Abstimmen").click()
    expect(form.locator(".mine")).to_contain_text(f"{b}: 5, {c}: 4")

    # Totals: a 5, b 8, c 4; the leader fills its track and the others scale to it.
    expect(voters_on_screen(screen)).to_have_text("2")
    expect_bar(screen, b, 100, "8")
    expect_bar(screen, a, 62, "5")
    expect_bar(screen, c, 50, "4")
    expect(bar_row(screen, b).locator(".bar-value")).to_contain_text("2 Unterstützende")
    expect(bar_row(screen, a).locator(".bar-value")).to_contain_text("1 Unterstützer·in")


def test_text_answers_make_a_word_cloud(
    live_server: LiveServer, event: dict[str, Any], screen: Page, phones: Phones
) -> None:
    poll = poll_on_screen(live_server, event, screen, "text", "Was bremst Sie am meisten?")
    answers = ["Bürokratie abbauen", "Zu viel Bürokratie und zu wenig Tempo"]
    for phone, answer in zip(phones(2), answers, strict=True):
        form = ballot(phone, poll)
        field = form.get_by_placeholder("Ihre Antwort (höchstens 140 Zeichen)")
        counter = form.locator(".counter")
        expect(counter).to_have_text("0 / 140")
        field.fill("x" * 150)
        expect(field).to_have_value("x" * 140)  # maxlength
        expect(counter).to_have_text("140 / 140")
        field.fill(answer)
        expect(counter).to_have_text(f"{len(answer)} / 140")
        form.get_by_role("button", name="Antwort senden").click()
        expect(form.locator(".mine")).to_contain_text(answer)

    # Counted case-blind, shown as written, stop words out, each once per answer.
    expect(voters_on_screen(screen)).to_have_text("2")
    cloud = screen.locator("#stage .screen-results .cloud")
    expect(cloud.locator("span")).to_have_text(["Bürokratie", "abbauen", "Tempo", "wenig"])
    expect(cloud.locator("span", has_text="bürokratie")).to_have_class("w5")
    expect(cloud.locator("span", has_text="tempo")).to_have_class("w3")


def answer_text_poll(live_server: LiveServer, code: str, poll: str, *answers: str) -> None:
    """Participants who join through the API answer over the JSON live socket."""
    for answer in answers:
        token = live_server.join(code, None, None)["token"]
        with live_server.live(code, token) as participant:
            participant.send("poll.vote", poll=poll, text=answer)


def test_moderator_hides_a_word_from_the_cloud(
    new_context: NewContext, live_server: LiveServer, event: dict[str, Any], screen: Page
) -> None:
    poll = poll_on_screen(live_server, event, screen, "text", "Was bremst Sie am meisten?")
    answer_text_poll(live_server, event["code"], poll, "Bürokratie", "Bürokratie ist Mist", "Mist")
    cloud = screen.locator("#stage .screen-results .cloud")
    mist = cloud.locator("span", has_text=re.compile("^Mist$"))
    expect(mist).to_have_class("w5")

    console = open_console(new_context, event)
    row = console.locator(f"#poll-{poll}")
    answers = row.locator("details.answers")
    answers.locator("summary").click()
    expect(answers.locator("summary")).to_have_text("Antworten (3)")
    expect(answers.locator("li")).to_have_count(3)
    answers.get_by_role("button", name="Mist ✕").click()
    expect(mist).to_have_count(0)
    expect(cloud.locator("span")).to_have_text(["Bürokratie"])
    expect(row.locator(".console-results .cloud")).to_have_text("Bürokratie")
    restore = answers.locator("button", has_text="mist ↺")
    expect(restore).to_have_count(1)

    # Everything can be undone: the word comes back. (The swap closed the answers,
    # see test_answers_stay_open_while_answers_come_in.)
    if answers.get_attribute("open") is None:
        answers.locator("summary").click()
    restore.click()
    expect(mist).to_have_class("w5")
    expect(answers.locator("button", has_text="mist ✕")).to_have_count(1)


def test_answers_stay_open_while_answers_come_in(
    new_context: NewContext, live_server: LiveServer, event: dict[str, Any], screen: Page
) -> None:
    poll = poll_on_screen(live_server, event, screen, "text", "Was bremst Sie am meisten?")
    answer_text_poll(live_server, event["code"], poll, "Bürokratie")
    console = open_console(new_context, event)
    answers = console.locator(f"#poll-{poll} details.answers")
    answers.locator("summary").click()
    expect(answers).to_have_attribute("open", "")
    answer_text_poll(live_server, event["code"], poll, "Fachkräfte")
    expect(answers.locator("summary")).to_have_text("Antworten (2)")  # swapped in
    assert answers.get_attribute("open") is not None, "the answers closed under the moderator"
