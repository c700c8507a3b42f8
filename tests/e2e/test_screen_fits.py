"""Every screen view fits the projector at every size, with long texts and many items.

Each test fills one kind of view through the JSON API (many options, long
German compounds, 100-character topics, dozens of cards), puts it on the
screen and runs the one overflow check (tests/e2e/overflow.py) at 1920×1080,
1280×720, 1024×768 and 3840×2160. A few view-specific promises are checked on
top: the word cloud uses several sizes and fills its space, the card wall
counts what it leaves out and names the categories in a legend.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from server import slides
from tests.e2e.liveserver import LiveServer, LiveSocket, NewContext
from tests.e2e.overflow import SIZES, assert_fits_everywhere, fit_to, overflowing
from tests.e2e.test_live_event import open_screen

pytestmark = pytest.mark.e2e

LONG_TITLE = (
    "Regionaler Industriedialog Ostwürttemberg 2026: Fachkräftesicherung, "
    "Breitbandanbindung und Genehmigungsverfahren"
)
LONG_OPTIONS = [
    "Sehr zuversichtlich, die Region ist gut aufgestellt und investiert",
    "Eher zuversichtlich, wenn die Energiepreise sinken und Netze wachsen",
    "Unentschieden zwischen Chancen der Transformation und ihren Risiken",
    "Eher besorgt wegen des Fachkräftemangels in Handwerk und Industrie",
    "Sehr besorgt: Genehmigungsverfahren dauern viel zu lange für Betriebe",
    "Ich kann das aus meiner Sicht als Bürgerin oder Bürger nicht beurteilen",
]
CARD_TEXTS = [
    "Die Breitbandanbindung in den Gewerbegebieten ist schlecht",
    "Genehmigungsverfahren für neue Hallen dauern über zwei Jahre",
    "Mittelständler haben kaum Zeit und Geld für Digitalisierungsprojekte",
    "Zu wenig bezahlbarer Wohnraum für Zuzügler und Auszubildende in der Region, "
    "besonders in den kleineren Gemeinden ohne Bahnanschluss und ohne Kinderbetreuung",
    "Strompreise sind für energieintensive Betriebe kaum noch zu stemmen",
    "Hochschule und Betriebe arbeiten zu selten zusammen",
]
CATEGORIES = ["Infrastruktur", "Fachkräfte", "Verwaltung", "Energie"]


@pytest.fixture
def screen(new_context: NewContext, event: dict[str, Any]) -> Page:
    return open_screen(new_context, event)


@pytest.fixture
def people(live_server: LiveServer, event: dict[str, Any]) -> Iterator[list[LiveSocket]]:
    """Eight participants on the JSON live socket, named, to vote and post."""
    with ExitStack() as stack:
        sockets = []
        for i in range(8):
            token = live_server.join(event["code"], f"Teilnehmerin Nummer {i + 1}", None)["token"]
            sockets.append(stack.enter_context(live_server.live(event["code"], token)))
        yield sockets


def moderate(live_server: LiveServer, event: dict[str, Any]) -> LiveSocket:
    return live_server.live(event["code"], event["moderator_token"])


def show_poll(
    moderator: LiveSocket, people: list[LiveSocket], kind: str, options: list[str], **settings: Any
) -> str:
    fields = {"kind": kind, "question": LONG_TITLE + "?", "options": options, **settings}
    poll = str(moderator.send("poll.create", **fields)["id"])
    moderator.send("poll.open", poll=poll)
    ids = [f"o{i + 1}" for i in range(len(options))]
    for i, person in enumerate(people):
        if kind == "single":
            person.send("poll.vote", poll=poll, choice=ids[i % len(ids)])
        elif kind == "multiple":
            person.send("poll.vote", poll=poll, choices=ids[: 1 + i % len(ids)])
        elif kind == "scale":
            person.send("poll.vote", poll=poll, value=1 + i % 5)
        elif kind == "ranking":
            person.send("poll.vote", poll=poll, ranking=ids[i % len(ids) :] + ids[: i % len(ids)])
        elif kind == "points":
            person.send("poll.vote", poll=poll, points={ids[i % len(ids)]: 60, ids[0]: 40})
    moderator.send("poll.close", poll=poll)
    moderator.send("screen.show", what="poll", poll=poll)
    return poll


def test_welcome_blank_and_closed_fit(new_context: NewContext, live_server: LiveServer) -> None:
    event = live_server.create_event(title=LONG_TITLE)
    screen = open_screen(new_context, event)
    assert_fits_everywhere(screen, "welcome")
    with moderate(live_server, event) as moderator:
        moderator.send("screen.show", what="blank")
        expect(screen.locator("#stage")).to_have_attribute("data-mode", "blank")
        assert_fits_everywhere(screen, "blank")
        moderator.send("event.close")
        expect(screen.locator("#stage")).to_have_attribute("data-mode", "closed")
        assert_fits_everywhere(screen, "closed")


@pytest.mark.parametrize("kind", ["single", "multiple", "scale", "ranking", "points"])
def test_every_poll_kind_fits_with_long_options(
    live_server: LiveServer,
    event: dict[str, Any],
    screen: Page,
    people: list[LiveSocket],
    kind: str,
) -> None:
    options = [] if kind == "scale" else LONG_OPTIONS
    ends = {"min_label": "überhaupt nicht", "max_label": "voll und ganz"}
    settings = ends if kind == "scale" else {}
    with moderate(live_server, event) as moderator:
        show_poll(moderator, people, kind, options, **settings)
    expect(screen.locator("#stage")).to_have_attribute("data-mode", "poll")
    expect(screen.locator("#stage .poll-meta .num")).to_have_text("8")
    assert_fits_everywhere(screen, f"poll_{kind}")
    if kind != "scale":  # every option is there, the last one too
        expect(screen.locator("#stage .bar-label").last).to_be_in_viewport(ratio=1)


def test_word_cloud_fills_its_space_and_never_overflows(
    live_server: LiveServer, event: dict[str, Any], screen: Page, people: list[LiveSocket]
) -> None:
    words = ["Bürokratie", "Fachkräfte", "Breitband", "Energie", "Wohnraum", "Verkehr", "Tempo"]
    with moderate(live_server, event) as moderator:
        poll = str(moderator.send("poll.create", kind="text", question="Was bremst Sie?")["id"])
        moderator.send("poll.open", poll=poll)
        for person, word in zip(people, words, strict=False):
            person.send("poll.vote", poll=poll, text=word)
        moderator.send("screen.show", what="poll", poll=poll)
    cloud = screen.locator("#stage .cloud")
    expect(cloud.locator("span")).to_have_count(7)
    expect(screen.locator("#stage .poll-meta")).to_contain_text("7 Antworten")
    assert_fits_everywhere(screen, "cloud_7_words")
    fit_to(screen, SIZES["1920x1080"])
    # One vote each: equal sizes, side by side (not one word per line).
    boxes = [cloud.locator("span").nth(i).bounding_box() for i in range(7)]
    assert all(boxes)
    heights = {round(b["height"]) for b in boxes if b}
    assert len(heights) == 1, heights
    side_by_side = [
        (a, b)
        for a in boxes
        for b in boxes
        if a and b and a is not b and abs(a["y"] - b["y"]) < a["height"] / 2
    ]
    assert side_by_side, "every word on a line of its own"
    assert min(heights) >= 60, "seven words leave room for large type"

    # Many words with different counts: sizes follow the counts.
    with moderate(live_server, event) as moderator:
        for i, person in enumerate(people):
            text = "Bürokratie " + " ".join(words[1 : 1 + i % 4]) + f" Wort{i}"
            person.send("poll.vote", poll=poll, text=text)
    expect(cloud.locator("span", has_text="Bürokratie")).to_have_class(re.compile("w5"))
    expect(screen.locator("#stage .poll-meta")).to_contain_text(f"{len(people)} Antworten")
    assert_fits_everywhere(screen, "cloud_many_words")
    fit_to(screen, SIZES["1920x1080"])
    big = cloud.locator("span", has_text="Bürokratie").bounding_box()
    small = cloud.locator("span", has_text="Wort3").bounding_box()
    assert big and small and big["height"] > 1.5 * small["height"]


def test_card_wall_keeps_cards_readable_and_counts_the_rest(
    live_server: LiveServer, event: dict[str, Any], screen: Page, people: list[LiveSocket]
) -> None:
    with moderate(live_server, event) as moderator:
        moderator.send("ideas.create_board", prompt=LONG_TITLE + "?", categories=CATEGORIES)
        moderator.send("ideas.show", board="b1", view="wall")
        for i in range(40):
            text, category = CARD_TEXTS[i % len(CARD_TEXTS)], CATEGORIES[i % 4]
            people[i % 8].send("idea.post", board="b1", text=text, category=category)
    expect(screen.locator("#stage")).to_have_attribute("data-mode", "ideas")
    expect(screen.locator("#stage .poll-meta .num")).to_have_text("40")
    assert_fits_everywhere(screen, "wall_40_cards")
    fit_to(screen, SIZES["1920x1080"])
    shown = screen.locator(".wall-note:visible")
    assert 4 <= shown.count() <= 16, shown.count()
    expect(screen.locator(".wall-more")).to_have_text(f"+ {40 - shown.count()} weitere Karten")
    font = "el => parseFloat(getComputedStyle(el.querySelector('span')).fontSize)"
    size = float(shown.first.evaluate(font))
    assert size >= 28, f"card text {size}px at 1080p"
    # Categories: a legend, a colour per category, the name on each card as well.
    expect(screen.locator(".wall-legend li")).to_have_text(CATEGORIES)
    first = shown.first
    expect(first).to_have_class(re.compile(r"\bcat-\d\b"))
    expect(first.locator(".wall-cat")).to_have_text(re.compile("|".join(CATEGORIES)))
    # Long words break with a hyphen at a syllable (soft hyphens), not anywhere.
    breitband = screen.locator(".wall-note span", has_text=re.compile(r"Breit\S+bin\S*dung"))
    assert "\u00ad" in (breitband.first.text_content() or "")


def test_clusters_dots_and_actions_fit(
    live_server: LiveServer, event: dict[str, Any], screen: Page, people: list[LiveSocket]
) -> None:
    with moderate(live_server, event) as moderator:
        moderator.send("ideas.create_board", prompt=LONG_TITLE + "?")
        for i in range(36):
            people[i % 8].send("idea.post", board="b1", text=CARD_TEXTS[i % len(CARD_TEXTS)])
        for c in range(12):
            moderator.send("cluster.create", board="b1", name=f"Genehmigungsbeschleunigung {c + 1}")
            for i in range(3):
                moderator.send("cluster.assign", idea=f"i{3 * c + i + 1}", cluster=f"c{c + 1}")
        moderator.send("ideas.show", board="b1", view="clusters")
        expect(screen.locator(".screen-cluster")).to_have_count(12)
        assert_fits_everywhere(screen, "clusters_12")
        moderator.send("ideas.settings", board="b1", dots_open=True)
        for person in people:
            person.send("dots.vote", board="b1", points={"c1": 2, "c5": 1, "c9": 2})
        moderator.send("ideas.show", board="b1", view="dots")
        expect(screen.locator(".screen-dots li")).to_have_count(3)
        assert_fits_everywhere(screen, "dots")
        for i in range(8):
            moderator.send(
                "action.create",
                title=f"{CARD_TEXTS[i % len(CARD_TEXTS)][:100]} ({i + 1})",
                owner="Wirtschaftsförderungsgesellschaft Ostwürttemberg",
                due="2026-09-30",
            )
        moderator.send("screen.show", what="actions")
        expect(screen.locator(".screen-actions li")).to_have_count(8)
        expect(screen.locator(".screen-actions li").first).to_contain_text("fällig 30.09.2026")
        assert_fits_everywhere(screen, "actions_8")


def test_cafe_with_long_topics_fits_in_every_phase(
    live_server: LiveServer, event: dict[str, Any], screen: Page, people: list[LiveSocket]
) -> None:
    topic = (
        "Wie gewinnen wir Fachkräfte für Handwerk, Industrie und Pflege "
        "in den ländlichen Gemeinden der Region?"
    )
    assert len(topic) > 100
    with moderate(live_server, event) as moderator:
        tables = [{"topic": f"{i + 1}. {topic}"[:120]} for i in range(8)]
        moderator.send("cafe.create", tables=tables, rounds=2, round_minutes=15)
        moderator.send("screen.show", what="cafe")
        expect(screen.locator(".table-map li")).to_have_count(8)
        assert_fits_everywhere(screen, "cafe_ready")
        moderator.send("cafe.start_round")
        expect(screen.locator(".cafe-timer")).to_be_visible()
        assert_fits_everywhere(screen, "cafe_round")
        moderator.send("cafe.end_round")
        expect(screen.locator(".cafe-banner.change")).to_be_visible()
        assert_fits_everywhere(screen, "cafe_changeover")
        moderator.send("cafe.start_round")
        moderator.send("cafe.end_round")
        expect(screen.locator(".harvest")).to_be_visible()
        assert_fits_everywhere(screen, "cafe_harvest")


def test_the_overflow_check_finds_what_falls_off_or_is_cut(new_context: NewContext) -> None:
    """The helper itself: an element past the edge and a box that hides text are reported."""
    page = new_context(SIZES["1280x720"]).new_page()
    page.set_content(
        "<div style='position:absolute;top:700px;height:60px;width:50px'>unten</div>"
        "<div style='overflow:hidden;height:20px;width:200px'>eins<br>zwei<br>drei</div>"
        "<div style='overflow:hidden;height:20px;width:200px;display:-webkit-box;"
        "-webkit-box-orient:vertical;-webkit-line-clamp:1'>geklammert<br>mit Auslassung</div>"
    )
    found = overflowing(page)
    assert len(found) == 2, found
    assert "outside 1280×720" in found[0] and "unten" in found[0]
    assert "cuts its content" in found[1]


LONG_QUESTION = (
    "Wie stellen Sie sicher, dass die Wasserstoffleitungen nicht nur die großen "
    "Industriebetriebe im Chemiepark erreichen, sondern auch die Zulieferer in den "
    "kleineren Gemeinden, und wer trägt die Anschlusskosten, wenn die Förderung "
    "des Landes ausläuft, bevor gebaut wird?"
)
LONG_NAME = "Maximiliane Oberhuber-Schwarzenfeldinger"  # 40 characters, the limit


def test_qna_and_speaker_list_fit_whatever_the_text_length(
    live_server: LiveServer, event: dict[str, Any], screen: Page, people: list[LiveSocket]
) -> None:
    """Issue 12: the question "jetzt dran" in large type, else the top 5 with their votes, and
    the current speaker with the next three: all within the projector at every size, with
    280-character questions and 40-character names."""
    assert 260 <= len(f"8. {LONG_QUESTION}") <= 280
    with moderate(live_server, event) as moderator:
        moderator.send("qna.create", title=LONG_TITLE[:120], speaker=LONG_NAME)
        for i, person in enumerate(people):
            text = f"{i + 1}. {LONG_QUESTION}"[:280]
            person.send("question.ask", session="s1", text=text, anonymous=i % 2 == 0)
        for i, person in enumerate(people):
            for q in range(1, 8 - i):
                person.send("question.upvote", question=f"q{q}")
        moderator.send("screen.show", what="qna")
        expect(screen.locator("#stage")).to_have_attribute("data-mode", "qna")
        expect(screen.locator("#stage .qna-top li")).to_have_count(5)
        assert_fits_everywhere(screen, "qna_top5")
        moderator.send("question.live", question="q1")
        expect(screen.locator("#stage .qna-live")).to_contain_text("1. Wie stellen Sie sicher")
        assert_fits_everywhere(screen, "qna_live")

        for person in people[:3]:
            person.send("speakers.request", subject=LONG_QUESTION[:80])
        for name in (LONG_NAME, "Bartholomäus Freiherr von Gutenbergstein"):
            moderator.send("speakers.add", name=name, organisation_type="civil_society")
        moderator.send("speakers.move", entry="e4", position=0)
        moderator.send("speakers.next")
        expect(screen.locator("#stage")).to_have_attribute("data-mode", "speakers")
        expect(screen.locator("#stage .speaker-name")).to_have_text(LONG_NAME)
        expect(screen.locator("#stage .speakers-next li")).to_have_count(3)
        assert_fits_everywhere(screen, "speakers")


def test_the_agenda_stage_fits_with_a_long_slide_and_many_prompts(
    live_server: LiveServer, event: dict[str, Any], screen: Page
) -> None:
    """Issue 13: a phase with the longest title, a slide with a long heading and body, and
    twelve carried prompts (the limit) with its timer, within the projector at every size."""
    with moderate(live_server, event) as moderator:
        moderator.send("ideas.create_board", prompt=LONG_TITLE)
        for i in range(12):
            idea = moderator.send("idea.post", board="b1", text=f"{i + 1}. {CARD_TEXTS[i % 6]}")
            name = f"{CATEGORIES[i % 4]}: {CARD_TEXTS[i % 6][:40]}"
            moderator.send("cluster.create", board="b1", name=name, ideas=[idea["id"]])
        moderator.send("agenda.add_phase", title="Kritikphase", activities=["board:b1"])
        body = " ".join([CARD_TEXTS[3]] * 4)[:600]
        moderator.send(
            "agenda.add_phase", title=LONG_TITLE[:120], minutes=45,
            heading=LONG_TITLE[:120], body=body,
        )  # fmt: skip
        moderator.send("agenda.carry", from_board="b1", to_phase="a2", top=12)
        moderator.send("agenda.start", phase="a2")
        expect(screen.locator("#stage")).to_have_attribute("data-mode", "agenda")
        assert_fits_everywhere(screen, "agenda_phase")
        # And a slide picture on top of all that (a portrait photo, the hardest shape):
        # stored as the console's upload stores it, named as agenda.set_image names it.
        photo = io.BytesIO()
        Image.new("RGB", (1200, 1600), (40, 90, 160)).save(photo, format="JPEG")
        picture, suffix = slides.clean(photo.getvalue())
        name = slides.store(live_server.data_dir, event["code"], picture, suffix)
        moderator.send("agenda.set_image", phase="a2", image=name)
        screen.wait_for_function(
            "() => { const i = document.querySelector('img.agenda-stage-image');"
            " return i && i.complete && i.naturalWidth > 0; }"
        )
        assert_fits_everywhere(screen, "agenda_phase_picture")
