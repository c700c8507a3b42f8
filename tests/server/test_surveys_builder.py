"""The survey builder: plain forms build a survey of every question kind, and refuse clearly.

Each change is one POST of one form; a kept change redirects back to the
builder (POST-redirect-GET), a refused one renders the page again with what
was typed and a message naming the field. Once responses exist, only wording
and dates may change.
"""

from __future__ import annotations

import html
import re
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from tests.server.conftest import ADMIN, create_event
from tests.server.test_page_sockets import read_until
from tests.server.test_pages import join_in_browser

Client = TestClient[Litestar]
AUTH = {"Authorization": f"Bearer {ADMIN}"}


def csrf_of(page: str) -> str:
    found = re.search(r'<input type="hidden" name="csrf" value="([^"]*)">', page)
    assert found, page
    return found.group(1)


def new_blank(client: Client) -> str:
    """An empty survey from the admin page: it lands in the builder, key in a cookie."""
    client.get(f"/admin/login?token={ADMIN}")
    page = client.get("/admin/umfragen").text
    made = client.post(
        "/admin/umfragen",
        data={"csrf": csrf_of(page), "template": "leer", "language": "de"},
        follow_redirects=False,
    )
    assert made.status_code == 303
    location = made.headers["location"]
    assert re.match(r"^/u/[A-Z0-9]{8}/bearbeiten\?key=", location), location
    code = location.split("/")[2]
    builder = client.get(location, follow_redirects=True)
    assert builder.status_code == 200
    assert "Neuer Fragebogen" in builder.text
    return code


def post(client: Client, code: str, **data: Any) -> Any:
    page = client.get(f"/u/{code}/bearbeiten").text
    return client.post(
        f"/u/{code}/bearbeiten", data={"csrf": csrf_of(page), **data}, follow_redirects=False
    )


def add_question(client: Client, code: str, section: str, kind: str, **fields: Any) -> Any:
    form = client.get(f"/u/{code}/bearbeiten?neu={kind}&abschnitt={section}")
    assert form.status_code == 200
    assert 'id="neue-frage"' in form.text
    data = {"op": "question_save", "section": section, "question": "", "kind": kind, **fields}
    return client.post(
        f"/u/{code}/bearbeiten",
        data={"csrf": csrf_of(form.text), **data},
        follow_redirects=False,
    )


def definition(client: Client, code: str) -> dict[str, Any]:
    answer = client.get(f"/api/surveys/{code}")
    assert answer.status_code == 200
    survey: dict[str, Any] = answer.json()["definition"]
    return survey


EVERY_KIND: list[tuple[str, dict[str, Any]]] = [
    (
        "single",
        {
            "text": "Wie sind Sie hier?",
            "options": "Zu Fuß\nMit dem Rad\nMit dem Bus",
            "other": "on",
            "required": "on",
        },
    ),
    (
        "multiple",
        {
            "text": "Welche Themen?",
            "options": "Energie\nMobilität\nFachkräfte",
            "max_choices": "2",
            "other": "on",
        },
    ),
    (
        "scale",
        {
            "text": "Wie zufrieden?",
            "low": "0",
            "high": "10",
            "low_label": "gar nicht",
            "high_label": "sehr",
        },
    ),
    (
        "matrix",
        {"text": "Wie war …", "options": "schlecht\nmittel\ngut", "rows": "der Ort\ndas Essen"},
    ),
    (
        "number",
        {
            "text": "Wie viele Mitglieder?",
            "minimum": "1",
            "maximum": "500",
            "unit": "Personen",
            "integer": "on",
        },
    ),
    ("short_text", {"text": "Name der Initiative", "max_length": "80"}),
    ("long_text", {"text": "Was nehmen Sie mit?"}),
    ("ranking", {"text": "Ordnen Sie", "options": "Ort\nZeit\nThema"}),
    ("date", {"text": "Gründungsdatum"}),
    ("postcode", {"text": "Ihre Postleitzahl"}),
    ("region", {"text": "Ihr Land"}),
    ("organisation", {"text": "Ihre Organisation"}),
]


def test_a_survey_with_every_question_kind_is_built_with_forms(client: Client) -> None:
    code = new_blank(client)
    for kind, fields in EVERY_KIND:
        made = add_question(client, code, "s1", kind, **fields)
        assert made.status_code == 303, (kind, made.text[:2000])
        assert made.headers["location"].startswith(f"/u/{code}/bearbeiten#frage-q")
    # the placeholder question goes, a section is added, a condition is set
    assert post(client, code, op="question_delete", question="q1", section="s1").status_code == 303
    added = post(client, code, op="section_add", title="Zum Schluss", intro="Fast geschafft.")
    assert added.status_code == 303
    survey = definition(client, code)
    assert [s["title"] for s in survey["sections"]] == ["Abschnitt 1", "Zum Schluss"]
    questions = {q["kind"]: q for q in survey["sections"][0]["questions"]}
    assert list(questions) == [kind for kind, _ in EVERY_KIND]
    single = questions["single"]
    assert [o["label"] for o in single["options"]] == ["Zu Fuß", "Mit dem Rad", "Mit dem Bus"]
    assert single["other"] is True and single["required"] is True
    assert questions["multiple"]["max_choices"] == 2
    scale = questions["scale"]
    assert (scale["low"], scale["high"], scale["high_label"]) == (0, 10, "sehr")
    assert [r["label"] for r in questions["matrix"]["rows"]] == ["der Ort", "das Essen"]
    number = questions["number"]
    assert (number["minimum"], number["maximum"], number["unit"]) == (1, 500, "Personen")
    assert questions["short_text"]["max_length"] == 80
    assert len(questions["ranking"]["options"]) == 3
    # "show if question 1 is 'Mit dem Bus'": a new question in the second section
    single_id = single["id"]
    bus = single["options"][2]["id"]
    cond = add_question(
        client, code, "s2", "long_text", text="Wie war die Busfahrt?", show_if=f"{single_id}|{bus}"
    )
    assert cond.status_code == 303, cond.text[:2000]
    last = definition(client, code)["sections"][1]["questions"][0]
    assert last["show_if"] == {"question": single_id, "one_of": [bus]}
    # the builder lists it with its condition in words
    page = client.get(f"/u/{code}/bearbeiten").text
    assert "nur wenn Frage 1 „Mit dem Bus“ ist" in html.unescape(page)
    # the preview shows every question on one page before the survey opens (tomorrow)
    not_yet = client.get(f"/u/{code}/1")
    assert not_yet.status_code == 403 and "noch nicht" in not_yet.text
    shown = html.unescape(client.get(f"/u/{code}/vorschau").text)
    assert "Vorschau: Antworten hier werden nicht gespeichert." in shown
    for _, fields in EVERY_KIND:
        assert fields["text"] in shown
    assert "Wie war die Busfahrt?" in shown and "Nur falls Sie oben „Mit dem Bus“" in shown


def test_a_wrong_input_keeps_what_was_typed_and_names_the_field(client: Client) -> None:
    code = new_blank(client)
    # a scale of 1 to 20: refused by the domain's rule, every field as typed
    refused = add_question(
        client,
        code,
        "s1",
        "scale",
        text="Wie gefällt Ihnen das Programm?",
        low="1",
        high="20",
        low_label="gar nicht",
        high_label="sehr",
    )
    assert refused.status_code == 422
    page = html.unescape(refused.text)
    assert "Nicht gespeichert" in page
    assert "Höchster Wert: Eine Skala braucht 2 bis 11 Stufen" in page
    assert 'aria-invalid="true" aria-describedby="f-high-error"' in refused.text
    assert "Wie gefällt Ihnen das Programm?" in page
    assert 'value="20"' in page and 'value="gar nicht"' in page
    # a number that is not a number
    typo = add_question(
        client, code, "s1", "number", text="Wie viele?", minimum="zehn", maximum="5"
    )
    assert typo.status_code == 422
    assert "Kleinste Zahl: Bitte geben Sie eine Zahl ein." in html.unescape(typo.text)
    assert 'value="zehn"' in typo.text
    # a choice with one option
    one = add_question(client, code, "s1", "single", text="Yes?", options="Only one")
    assert one.status_code == 422
    assert "Antwortmöglichkeiten" in html.unescape(one.text)
    assert "Only one" in one.text
    # an empty section title
    empty = post(client, code, op="section_add", title="  ", intro="Ein Text, der bleibt")
    assert empty.status_code == 422
    assert "Ein Text, der bleibt" in empty.text
    assert 'aria-describedby="s-new-title-error"' in empty.text
    # the end before the start
    dates = post(
        client,
        code,
        op="settings",
        title="Umfrage",
        starts="2030-02-01",
        ends="2030-01-01",
        intro="Hallo",
    )
    assert dates.status_code == 422
    assert "Geöffnet bis:" in html.unescape(dates.text)
    assert 'value="2030-02-01"' in dates.text
    # deleting the only question leaves a survey without questions: refused, named
    gone = post(client, code, op="question_delete", question="q1", section="s1")
    assert gone.status_code == 422
    assert "mindestens einen Abschnitt mit einer Frage" in html.unescape(gone.text)
    # nothing of that was kept
    survey = definition(client, code)
    assert [q["id"] for q in survey["sections"][0]["questions"]] == ["q1"]
    assert survey["title"] == "Neuer Fragebogen"


def test_a_condition_broken_by_a_move_is_refused_and_named(client: Client) -> None:
    code = new_blank(client)
    add_question(client, code, "s1", "single", text="Kommen Sie?", options="Ja\nNein")
    survey = definition(client, code)
    q2 = survey["sections"][0]["questions"][1]
    add_question(
        client,
        code,
        "s1",
        "short_text",
        text="Warum nicht?",
        show_if=f"{q2['id']}|{q2['options'][1]['id']}",
    )
    moved = post(client, code, op="question_up", question=q2["id"], section="s1")
    assert moved.status_code == 303  # q2 above q1: the condition still looks back
    dependent = definition(client, code)["sections"][0]["questions"][2]["id"]
    up = post(client, code, op="question_up", question=dependent, section="s1")
    assert up.status_code == 303
    top = post(client, code, op="question_up", question=dependent, section="s1")
    assert top.status_code == 422
    text = html.unescape(top.text)
    assert "Frage 2, Nur zeigen, wenn:" in text  # numbered as the page shows it
    order = [q["text"] for q in definition(client, code)["sections"][0]["questions"]]
    assert order == ["Kommen Sie?", "Warum nicht?", "Ihre erste Frage"]


def test_after_the_first_response_only_wording_and_dates_change(client: Client) -> None:
    code = new_blank(client)
    add_question(client, code, "s1", "single", text="Wie war es?", options="gut\nschlecht")
    assert (
        post(
            client, code, op="open_now", title="Feedback", intro="", thanks="", starts="", ends=""
        ).status_code
        == 303
    )
    survey = definition(client, code)
    q = survey["sections"][0]["questions"][1]
    answered = client.post(
        f"/api/surveys/{code}/responses",
        json={"answers": {"q1": "ok", q["id"]: q["options"][0]["id"]}, "respondent": "r1"},
    )
    assert answered.status_code == 201, answered.text
    page = client.get(f"/u/{code}/bearbeiten")
    assert "schon Antworten" in page.text
    assert "Frage hinzufügen" not in page.text and 'value="question_delete"' not in page.text
    # rewording an option is kept
    reword = post(
        client,
        code,
        op="question_save",
        section="s1",
        question=q["id"],
        kind="single",
        text="Wie hat es Ihnen gefallen?",
        options="sehr gut\nschlecht",
    )
    assert reword.status_code == 303, reword.text[:2000]
    after = definition(client, code)["sections"][0]["questions"][1]
    assert after["text"] == "Wie hat es Ihnen gefallen?"
    assert [o["id"] for o in after["options"]] == [o["id"] for o in q["options"]]
    # a third option, a required flag, a deletion: refused with the reason, typed text kept
    more = post(
        client,
        code,
        op="question_save",
        section="s1",
        question=q["id"],
        kind="single",
        text="Wie hat es Ihnen gefallen?",
        options="gut\nschlecht\nmittel",
    )
    assert more.status_code == 422
    assert "schon Antworten" in more.text and "mittel" in more.text
    # swapping two lines would relabel the old answers: refused, named
    swapped = post(
        client,
        code,
        op="question_save",
        section="s1",
        question=q["id"],
        kind="single",
        text="Wie?",
        options="schlecht\nsehr gut",
    )
    assert swapped.status_code == 422
    assert "Antwortmöglichkeiten: Diese Umfrage hat schon Antworten: Jede Zeile" in (
        html.unescape(swapped.text)
    )
    required = post(
        client,
        code,
        op="question_save",
        section="s1",
        question=q["id"],
        kind="single",
        text="Wie?",
        options="gut\nschlecht",
        required="on",
    )
    assert required.status_code == 422
    assert post(client, code, op="question_delete", question="q1", section="s1").status_code == 422
    assert len(definition(client, code)["sections"][0]["questions"]) == 2
    # the period still moves
    moved = post(
        client,
        code,
        op="settings",
        title="Feedback",
        intro="",
        thanks="Danke!",
        starts="",
        ends="2099-12-31",
    )
    assert moved.status_code == 303
    assert definition(client, code)["ends"] == "2099-12-31"
    # the old response still counts under the reworded option
    results = client.get(f"/u/{code}/ergebnisse").text
    assert "sehr gut" in results


def test_strangers_cannot_open_or_post_the_builder(client: Client) -> None:
    made = client.post("/api/surveys", json={"template": "feedback"}, headers=AUTH)
    code = made.json()["code"]
    assert client.get(f"/u/{code}/bearbeiten").status_code == 403
    assert client.get(f"/u/{code}/vorschau").status_code == 403
    refused = client.post(f"/u/{code}/bearbeiten", data={"op": "question_delete", "question": "x"})
    assert refused.status_code == 403
    # the key opens it once and moves into a cookie
    key = made.json()["moderator_token"]
    opened = client.get(f"/u/{code}/bearbeiten?key={key}", follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == f"/u/{code}/bearbeiten"
    assert client.get(f"/u/{code}/bearbeiten").status_code == 200
    # a form without its token changes nothing
    forged = client.post(f"/u/{code}/bearbeiten", data={"op": "section_add", "title": "X"})
    assert forged.status_code == 403


def test_a_console_builds_an_empty_questionnaire_and_phones_get_the_card_live(
    client: Client,
) -> None:
    event = create_event(client)
    code = event["code"]
    link = event["links"]["moderator"].replace("http://testserver.local", "")
    client.get(link)
    console = client.get(f"/console/{code}").text
    made = client.post(
        f"/console/{code}/umfragen",
        data={"csrf": csrf_of(console), "template": "leer"},
        follow_redirects=False,
    )
    assert made.status_code == 303
    builder = made.headers["location"]
    assert re.match(r"^/u/[A-Z0-9]{8}/bearbeiten$", builder)
    survey = builder.split("/")[2]
    assert client.get(builder).status_code == 200  # the console cookie opens it
    # not open before it is opened: phones see no half-built card
    join_in_browser(client, code, name="Ada")  # the same browser joins as a participant too
    assert f"/u/{survey}" not in client.get(f"/p/{code}").text
    with client.websocket_connect(f"/ws/phone/{code}") as ws:
        opened = post(
            client,
            survey,
            op="open_now",
            title="Feedback zum Tag",
            intro="",
            thanks="",
            starts="",
            ends="",
        )
        assert opened.status_code == 303
        frame = read_until(ws, 'id="event-surveys"')
        assert 'hx-swap-oob="true"' in frame
        assert f'href="/u/{survey}"' in frame and "Feedback zum Tag" in frame
    assert f'href="/u/{survey}"' in client.get(f"/p/{code}").text


def test_the_console_lets_an_agenda_phase_show_a_survey(client: Client) -> None:
    event = create_event(client)
    code = event["code"]
    client.get(event["links"]["moderator"].replace("http://testserver.local", ""))
    token = {"Authorization": f"Bearer {event['moderator_token']}"}
    survey = client.post(
        f"/api/surveys?event={code}", json={"template": "feedback"}, headers=token
    ).json()["code"]
    with client.websocket_connect(f"/ws/console/{code}") as console:
        console.send_json({"type": "hello", "after": 0})
        for cid, title in (("k1", "Begrüßung"), ("k2", "Feedback")):
            console.send_json(
                {"type": "agenda.add_phase", "title": title, "minutes": "5", "cid": cid}
            )
            read_until(console, f'"cid":"{cid}"', limit=60)
    page = client.get(f"/console/{code}").text
    assert f'action="/console/{code}/umfragen/{survey}/phase"' in page
    phases = re.findall(r'<option value="([a-z0-9]+)">(\d)\. (Begrüßung|Feedback)</option>', page)
    feedback = next(pid for pid, _, title in phases if title == "Feedback")
    assigned = client.post(
        f"/console/{code}/umfragen/{survey}/phase",
        data={"csrf": csrf_of(page), "phase": feedback},
        follow_redirects=False,
    )
    assert assigned.status_code == 303
    page = client.get(f"/console/{code}").text
    assert f'<option value="{feedback}" selected>2. Feedback</option>' in page
    # once the agenda runs, the phones' agenda names the surveys as "later" (agenda.js
    # holds the card back until the feedback phase)
    with client.websocket_connect(f"/ws/console/{code}") as console:
        console.send_json({"type": "hello", "after": 0})
        console.send_json({"type": "agenda.next", "cid": "k3"})
        assert '"ok":true' in read_until(console, '"cid":"k3"', limit=60)
    join_in_browser(client, code, name="Ada")
    phone = client.get(f"/p/{code}").text
    assert 'data-later="surveys"' in phone and 'id="event-surveys"' in phone
    # back to no phase: the reference goes
    cleared = client.post(
        f"/console/{code}/umfragen/{survey}/phase",
        data={"csrf": csrf_of(page), "phase": ""},
        follow_redirects=False,
    )
    assert cleared.status_code == 303
    assert f"survey:{survey}" not in client.get(f"/console/{code}").text
    # another event's survey cannot be put into this agenda
    other = create_event(client, title="Andere")
    stranger = client.post(
        f"/api/surveys?event={other['code']}",
        json={"template": "feedback"},
        headers={"Authorization": f"Bearer {other['moderator_token']}"},
    ).json()["code"]
    client.post(
        f"/console/{code}/umfragen/{stranger}/phase",
        data={"csrf": csrf_of(page), "phase": feedback},
        follow_redirects=False,
    )
    assert f"survey:{stranger}" not in client.get(f"/console/{code}").text
