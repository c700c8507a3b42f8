"""The survey builder in a real browser: a short feedback survey built in the console's
questionnaire panel, opened, and answered on a phone at 360 px whose card appeared live.

The builder passes axe-core (WCAG 2.1 AA) with a refused form and when built.
With ``BUILDER_SHOTS=<dir>`` it also saves screenshots of the builder (1440 wide)
and of the phone's pages (360×740 and 320 wide).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.liveserver import CONSOLE, LiveServer, NewContext

pytestmark = pytest.mark.e2e

WAIT_MS = 30_000
SHOTS = os.environ.get("BUILDER_SHOTS")


def shot(page: Page, name: str, full_page: bool = False) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"builder-{name}.png"), full_page=full_page)


def check(page: Page, what: str) -> None:
    """axe-core as in test_accessibility.py; without axe-core that file says so, not this one."""
    try:
        from tests.e2e.test_accessibility import check as axe
    except pytest.skip.Exception:
        return
    axe(page, what)


def add_question(builder: Page, section: int, kind: str) -> None:
    panel = builder.locator(".b-section").nth(section)
    panel.get_by_label("Neue Frage in diesem Abschnitt").select_option(label=kind)
    panel.get_by_role("button", name="Frage hinzufügen").click()
    expect(builder.locator("#neue-frage")).to_be_visible(timeout=WAIT_MS)


def save_question(builder: Page) -> None:
    builder.get_by_role("button", name="Frage speichern").click()
    expect(builder.locator("#neue-frage, #frage-form")).to_have_count(0, timeout=WAIT_MS)


def test_a_moderator_builds_a_short_survey_and_a_phone_answers_it(
    live_server: LiveServer, new_context: NewContext
) -> None:
    event = live_server.create_event("Werkstatt Fachkräfte")
    code = event["code"]
    phone = new_context().new_page()
    phone.goto(event["links"]["join"])
    phone.get_by_label("Ihr Name (freiwillig)").fill("Ada")
    phone.get_by_role("button", name="Teilnehmen").click()
    expect(phone).to_have_url(re.compile(rf"/p/{code}$"), timeout=WAIT_MS)
    expect(phone.locator(".event-survey-card")).to_have_count(0)

    builder = new_context(CONSOLE).new_page()
    builder.goto(event["links"]["moderator"])
    expect(builder).to_have_url(re.compile(rf"/console/{code}"), timeout=WAIT_MS)
    panel = builder.locator("#surveys-panel")
    panel.get_by_label("Neuer Fragebogen").select_option(label="Leer: selbst zusammenstellen")
    panel.get_by_role("button", name="Fragebogen anlegen").click()
    expect(builder).to_have_url(re.compile(r"/u/[A-Z0-9]{8}/bearbeiten$"), timeout=WAIT_MS)
    survey = builder.url.split("/")[-2]

    # title and introduction
    settings = builder.locator("#einstellungen")
    settings.get_by_label("Titel", exact=True).fill("Feedback zur Werkstatt")
    settings.get_by_label("Einleitung (optional)").fill("Drei kurze Fragen, zwei Minuten.")
    settings.get_by_role("button", name="Speichern", exact=True).click()
    expect(builder.locator("h1")).to_have_text("Feedback zur Werkstatt", timeout=WAIT_MS)

    # the placeholder becomes a required single choice with "Sonstiges"
    builder.locator("#frage-q1").get_by_role("link", name="Bearbeiten").click()
    expect(builder.locator("#frage-form")).to_be_visible(timeout=WAIT_MS)
    builder.locator("#frage-form").get_by_label("Frage", exact=True).fill("Ihr Fragetyp?")
    builder.get_by_role("link", name="Abbrechen").click()  # changed her mind: nothing kept
    expect(builder.locator("#frage-q1")).to_contain_text("Ihre erste Frage", timeout=WAIT_MS)

    add_question(builder, 0, "Einfachauswahl")
    form = builder.locator("#neue-frage")
    form.get_by_label("Frage", exact=True).fill("Wie hat Ihnen die Werkstatt gefallen?")
    form.get_by_label("Antwortmöglichkeiten, eine je Zeile").fill("Sehr gut\nGut\nEs geht")
    form.get_by_label("„Sonstiges: ___“ mit Textfeld anbieten").check()
    form.get_by_label("Antwort erforderlich (Pflichtfrage)").check()
    save_question(builder)

    # a scale of 0 to 20 is refused by the domain, with the typed text kept
    add_question(builder, 0, "Skala")
    form = builder.locator("#neue-frage")
    form.get_by_label("Frage", exact=True).fill("Wie wahrscheinlich empfehlen Sie uns weiter?")
    form.get_by_label("Höchster Wert").fill("20")
    form.get_by_role("button", name="Frage speichern").click()
    expect(builder.locator(".error-summary")).to_contain_text(
        "Höchster Wert: Eine Skala braucht 2 bis 11 Stufen", timeout=WAIT_MS
    )
    shot(builder, "error-1440")
    check(builder, "survey builder with a refused question")
    form = builder.locator("#neue-frage")
    expect(form.get_by_label("Frage", exact=True)).to_have_value(
        "Wie wahrscheinlich empfehlen Sie uns weiter?"
    )
    form.get_by_label("Höchster Wert").fill("10")
    form.get_by_label("Niedrigster Wert").fill("0")
    save_question(builder)

    # a long text shown only to those who chose "Es geht"
    add_question(builder, 0, "Langer Text")
    form = builder.locator("#neue-frage")
    form.get_by_label("Frage", exact=True).fill("Was sollen wir besser machen?")
    form.locator("summary", has_text="Wie hat Ihnen die Werkstatt gefallen?").click()
    form.get_by_label("Es geht").check()
    form.scroll_into_view_if_needed()
    shot(builder, "question-form-1440")
    save_question(builder)
    expect(builder.locator(".b-question").last).to_contain_text("nur wenn Frage 2 „Es geht“ ist")

    # the placeholder goes, after a question
    builder.once("dialog", lambda dialog: dialog.accept())
    builder.locator("#frage-q1").get_by_role("button", name="Löschen").click()
    expect(builder.locator(".b-question")).to_have_count(3, timeout=WAIT_MS)
    shot(builder, "1440", full_page=True)
    check(builder, "survey builder")

    # the preview, before the survey opens, at a phone's width: a condition still works
    preview = builder.context.new_page()
    preview.set_viewport_size({"width": 360, "height": 740})
    preview.goto(builder.url.replace("/bearbeiten", "/vorschau"))
    expect(
        preview.get_by_text("Vorschau: Antworten hier werden nicht gespeichert.")
    ).to_be_visible()
    expect(preview.get_by_label("Was sollen wir besser machen?")).to_be_hidden()
    preview.get_by_role("radio", name="Es geht").check()
    expect(preview.get_by_label("Was sollen wir besser machen?")).to_be_visible()
    check(preview, "survey preview")
    shot(preview, "preview-360x740", full_page=True)
    preview.close()

    # open it now: the phone's card appears without a reload
    builder.get_by_role("button", name="Jetzt öffnen").click()
    expect(builder.get_by_role("button", name="Jetzt öffnen")).to_have_count(0, timeout=WAIT_MS)
    expect(builder.locator("header")).not_to_contain_text("noch nicht")
    card = phone.locator(".event-survey-card")
    expect(card).to_contain_text("Feedback zur Werkstatt", timeout=WAIT_MS)
    card.scroll_into_view_if_needed()
    shot(phone, "card-360x740")
    card.get_by_role("link", name="Zum Fragebogen").click()
    expect(phone).to_have_url(re.compile(rf"/u/{survey}$"), timeout=WAIT_MS)
    phone.get_by_role("link", name="Umfrage starten").click()
    expect(phone.get_by_text("Wie hat Ihnen die Werkstatt gefallen?")).to_be_visible()
    phone.get_by_role("radio", name="Es geht").check()
    phone.get_by_role("radio", name="7").check()
    phone.get_by_label("Was sollen wir besser machen?").fill("Mehr Pausen")
    phone.evaluate("window.scrollTo(0, 0)")
    shot(phone, "phone-360x740")
    phone.set_viewport_size({"width": 320, "height": 640})
    shot(phone, "phone-320", full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 320
    phone.get_by_role("button", name="Antworten absenden").click()
    expect(phone.get_by_text("Vielen Dank")).to_be_visible(timeout=WAIT_MS)

    # the builder now allows wording only, and says so
    builder.reload()
    expect(builder.locator(".notice")).to_contain_text("schon Antworten", timeout=WAIT_MS)
    expect(builder.get_by_role("button", name="Frage hinzufügen")).to_have_count(0)
    # an organiser on a phone: the builder fits 360 px
    builder.set_viewport_size({"width": 360, "height": 740})
    builder.locator("#frage-q2").get_by_role("link", name="Bearbeiten").click()
    expect(builder.locator("#frage-form")).to_be_visible(timeout=WAIT_MS)
    assert builder.evaluate("document.documentElement.scrollWidth") <= 360
    shot(builder, "locked-360x740", full_page=True)


def test_a_feedback_survey_waits_on_phones_for_its_agenda_phase(
    live_server: LiveServer, new_context: NewContext
) -> None:
    from tests.e2e.liveserver import ADMIN_TOKEN
    from tests.e2e.test_agenda import phone_of
    from tests.e2e.test_live_event import open_console

    status, event = live_server.request(
        "POST", "/api/events", {"template": "zukunftswerkstatt-de"}, token=ADMIN_TOKEN
    )
    assert status == 201, event
    code = event["code"]
    status, made = live_server.request(
        "POST", f"/api/surveys?event={code}", {"template": "feedback"},
        token=event["moderator_token"],
    )  # fmt: skip
    assert status == 201, made
    console = open_console(new_context, event)
    panel = console.locator("#surveys-panel")
    phases = panel.get_by_label("Gehört zur Ablaufphase")
    last = phases.locator("option").last.inner_text()
    phases.select_option(label=last)
    panel.get_by_role("button", name="Zuordnen").click()
    expect(console.locator("#surveys-panel").get_by_label("Gehört zur Ablaufphase")).to_have_value(
        re.compile(r"^a\d+$"), timeout=WAIT_MS
    )
    expect(console.locator("#console-agenda")).to_contain_text("Fragebogen:")
    if SHOTS:
        console.locator("#surveys-panel").screenshot(path=f"{SHOTS}/builder-console-panel.png")
    phone = phone_of(new_context, live_server, code, "Ada")
    card = phone.locator(".event-survey-card")
    expect(card).to_be_visible()  # the agenda has not begun: the card is where it always is
    console.keyboard.press("PageDown")  # the first phase: the feedback is for later
    expect(phone.locator("#phone-agenda .agenda-phase-title")).not_to_be_empty(timeout=WAIT_MS)
    expect(card).to_be_hidden(timeout=WAIT_MS)
    for _ in range(4):
        console.keyboard.press("PageDown")
    expect(phone.locator("#agenda-now #event-surveys .event-survey-card")).to_be_visible(
        timeout=WAIT_MS
    )
    shot(phone, "card-in-phase-360x740")
