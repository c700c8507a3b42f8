"""The respondent's pages: plain forms, one section at a time, drafts, resume, submit once."""

from __future__ import annotations

import re
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from tests.server.conftest import ADMIN

Client = TestClient[Litestar]
AUTH = {"Authorization": f"Bearer {ADMIN}"}

SECTIONS: list[dict[str, Any]] = [
    {
        "name": "Bündnis Zukunft",
        "region": "SN",
        "postcode": "",
        "founded": "2019",
        "respondent_type": "business",
    },
    {"member_types": ["business", "research"], "members_business": "12", "members_research": "2"},
    {"meetings": "monthly", "forms": ["projects"], "closeness": "3"},
    {
        "topics": ["energy", "other"],
        "topics.other": "Wasserstoff",
        "priorities.site": "2",
        "priorities.jobs": "1",
        "priorities.change": "3",
        "priorities.network": "4",
        "goals": "Wasserstoff in die Region bringen",
    },
    {"means": ["projects"], "rating.goals": "4"},
    {"networked": "yes", "partners": "Allianz Lausitz", "channels": ["website"]},
    {"consent": "no"},
]


INVENTORY: dict[str, Any] = {
    "name": "Allianz Lausitz",
    "region": "BB",
    "founded": 2019,
    "respondent_type": "union",
    "member_types": ["business", "union"],
    "members_business": 12,
    "meetings": "monthly",
    "forms": ["events"],
    "topics": ["energy", "mobility"],
    "goals": "Strukturwandel gestalten",
    "networked": "no",
}


def make(client: Client, body: dict[str, Any] | None = None) -> str:
    response = client.post(
        "/api/surveys", json=body or {"template": "bestandsaufnahme"}, headers=AUTH
    )
    assert response.status_code == 201, response.text
    code: str = response.json()["code"]
    return code


def csrf(client: Client, url: str) -> dict[str, str]:
    page = client.get(url)
    assert page.status_code == 200, page.text
    return dict(re.findall(r'<input type="hidden" name="(csrf)" value="([^"]*)">', page.text))


def post(client: Client, code: str, n: int, fields: dict[str, Any], go: str = "next") -> Any:
    hidden = csrf(client, f"/u/{code}/{n}")
    return client.post(
        f"/u/{code}/{n}", data={**hidden, **fields, "go": go}, follow_redirects=False
    )


def test_the_intro_shows_the_survey_and_a_start(client: Client) -> None:
    code = make(client)
    page = client.get(f"/u/{code}")
    assert page.status_code == 200
    assert "Bestandsaufnahme regionaler Industrieinitiativen" in page.text
    assert f'href="/u/{code}/1"' in page.text
    assert f"/u/{code}?weiter=" in page.text
    assert client.get("/u/NOPE2345").status_code == 404


def test_a_section_shows_progress_and_labelled_fields(client: Client) -> None:
    code = make(client)
    page = client.get(f"/u/{code}/2").text
    assert "Abschnitt 2 von 7" in page
    assert '<progress value="2" max="7"' in page
    # a member count shows only with its type; the hint says when
    assert 'data-show-if="member_types"' in page
    assert "Nur falls Sie oben „Unternehmen“ gewählt haben." in page
    first = client.get(f"/u/{code}/1").text
    assert '<label class="question-text" for="f-name">Name der Initiative' in first
    assert 'id="f-name" name="name" required' in first
    assert "Zurück" not in first


def test_answering_section_by_section_then_submitting_once(client: Client) -> None:
    code = make(client)
    for n, fields in enumerate(SECTIONS, start=1):
        response = post(client, code, n, fields)
        assert response.status_code == 303, (n, response.text[:2000])
    assert response.headers["location"] == f"/u/{code}/danke"
    assert "Vielen Dank" in client.get(f"/u/{code}/danke").text
    # submitted once: the form now says thank you, and the API refuses another
    assert "Vielen Dank" in client.get(f"/u/{code}/3").text
    again = post(client, code, 7, SECTIONS[6])
    assert again.status_code == 200 and "Vielen Dank" in again.text
    key = client.post(
        "/api/surveys", json={"template": "bestandsaufnahme"}, headers=AUTH
    ).json()  # another survey, so the first stays as it is
    assert key["code"] != code


def test_missing_answers_are_named_and_what_was_typed_stays(client: Client) -> None:
    code = make(client)
    response = post(client, code, 1, {"name": "Bündnis", "founded": "1800", "region": ""})
    assert response.status_code == 422
    page = response.text
    assert 'role="alert"' in page
    assert '<a href="#q-region">' in page and "Bitte beantworten Sie diese Frage." in page
    assert '<a href="#q-founded">' in page
    assert "Bitte geben Sie eine Zahl im erlaubten Bereich an." in page
    assert 'value="Bündnis"' in page and 'value="1800"' in page


def test_back_keeps_answers_and_a_resume_link_continues_elsewhere(client: Client) -> None:
    code = make(client)
    assert post(client, code, 1, SECTIONS[0]).status_code == 303
    assert post(client, code, 2, SECTIONS[1]).status_code == 303
    back = post(client, code, 3, {"meetings": "weekly"}, go="back")
    assert back.status_code == 303 and back.headers["location"] == f"/u/{code}/2"
    assert 'value="12"' in client.get(f"/u/{code}/2").text
    intro = client.get(f"/u/{code}").text
    assert "Weiter mit Abschnitt 2 von 7" in intro
    link = re.search(rf'value="http://testserver.local(/u/{code}\?weiter=[^"]+)"', intro)
    assert link is not None
    # another device: no cookies, only the resume link
    client.cookies.clear()
    assert "Weiter mit Abschnitt" not in client.get(f"/u/{code}").text
    opened = client.get(link.group(1), follow_redirects=True)
    assert "Weiter mit Abschnitt 2 von 7" in opened.text
    assert 'value="weekly" checked' in client.get(f"/u/{code}/3").text  # back saved it


def test_a_closed_survey_says_so_with_its_dates(client: Client) -> None:
    code = make(client, {"template": "feedback", "starts": "2020-03-01", "ends": "2020-03-31"})
    page = client.get(f"/u/{code}")
    assert page.status_code == 403
    assert "Diese Umfrage ist beendet." in page.text
    assert "01.03.2020" in page.text and "31.03.2020" in page.text
    assert client.get(f"/u/{code}/1").status_code == 403


def test_a_form_from_elsewhere_is_refused(client: Client) -> None:
    code = make(client)
    client.get(f"/u/{code}/1")
    response = client.post(f"/u/{code}/1", data={**SECTIONS[0], "csrf": "forged"})
    assert response.status_code == 403


def test_the_english_template_speaks_english(client: Client) -> None:
    code = make(client, {"template": "feedback", "language": "en"})
    page = client.get(f"/u/{code}/1").text
    assert "Section 1 of 2" in page and "How satisfied are you overall?" in page
    assert client.get(f"/u/{code}/qr.svg").headers["content-type"].startswith("image/svg+xml")


def test_the_results_page_shows_bars_and_a_breakdown(client: Client) -> None:
    created = client.post(
        "/api/surveys", json={"template": "bestandsaufnahme"}, headers=AUTH
    ).json()
    code, key = created["code"], created["moderator_token"]
    for n, fields in enumerate(SECTIONS, start=1):
        assert post(client, code, n, fields).status_code == 303
    assert client.get(f"/u/{code}/ergebnisse").status_code == 403
    entered = client.get(f"/u/{code}/ergebnisse?key={key}", follow_redirects=False)
    assert entered.status_code == 303 and entered.headers["location"] == f"/u/{code}/ergebnisse"
    page = client.get(f"/u/{code}/ergebnisse").text
    assert "1 Rückmeldung" in page
    assert 'style="width: 100%"' in page  # the one answer to "Sachsen"
    assert "Wasserstoff" in page  # a "Sonstiges" text
    crossed = client.get(f"/u/{code}/ergebnisse?by=region").text
    assert '<option value="region" selected>' in crossed
    assert 'Sachsen <span class="muted">(n=1)</span>' in crossed
    xlsx = client.get(f"/api/surveys/{code}/responses.xlsx")  # the cookie opens the download
    assert xlsx.status_code == 200


def test_the_admin_lists_surveys_and_makes_one_from_a_template(client: Client) -> None:
    assert client.get("/admin/umfragen").status_code == 401
    client.get(f"/admin/login?token={ADMIN}")
    code = make(client, {"template": "feedback"})
    page = client.get("/admin/umfragen")
    assert page.status_code == 200
    assert "Feedback nach der Veranstaltung" in page.text and code in page.text
    hidden = dict(re.findall(r'<input type="hidden" name="(csrf)" value="([^"]*)">', page.text))
    made = client.post(
        "/admin/umfragen",
        data={**hidden, "template": "erwartungen", "language": "en", "ends": "2030-01-31"},
        follow_redirects=False,
    )
    assert made.status_code == 303
    assert re.match(r"^/u/[A-Z0-9]{8}/ergebnisse\?key=", made.headers["location"])
    results = client.get(made.headers["location"], follow_redirects=True)
    assert "Expectations before the event" in results.text
    # the admin opens any survey's results
    assert client.get(f"/u/{code}/ergebnisse").status_code == 200
    bad = client.post(
        "/admin/umfragen",
        data={**hidden, "template": "feedback", "starts": "2030-02-01", "ends": "2030-01-01"},
    )
    assert bad.status_code == 422


def test_a_template_is_served_as_a_definition_to_adapt(client: Client) -> None:
    english = client.get("/api/surveys/templates/bestandsaufnahme?language=en").json()
    assert english["title"] == "Inventory of regional industry initiatives"
    english["title"] = "Inventory, Lausitz"
    adapted = client.post("/api/surveys", json=english, headers=AUTH)
    assert adapted.status_code == 201
    assert client.get("/api/surveys/templates/nope").status_code == 404


def test_back_drops_what_could_never_be_stored(client: Client) -> None:
    code = make(client)
    assert post(client, code, 1, SECTIONS[0]).status_code == 303
    back = post(
        client,
        code,
        2,
        {"member_types": ["business", "nonsense"], "members_business": "7"},
        go="back",
    )
    assert back.status_code == 303
    page = client.get(f"/u/{code}/2").text
    assert 'value="7"' in page  # kept
    assert 'value="business" checked' not in page  # the invalid choice list was dropped


def test_the_organiser_moves_the_period_and_ends_the_survey(client: Client) -> None:
    created = client.post("/api/surveys", json={"template": "feedback"}, headers=AUTH).json()
    code, key = created["code"], created["moderator_token"]
    auth = {"Authorization": f"Bearer {key}"}
    moved = client.patch(f"/api/surveys/{code}", json={"starts": "2030-01-01"}, headers=auth)
    assert moved.status_code == 200 and moved.json()["status"] == "not_yet"
    assert client.get(f"/u/{code}").status_code == 403
    bad = client.patch(
        f"/api/surveys/{code}", json={"starts": "2030-02-01", "ends": "2030-01-01"}, headers=auth
    )
    assert bad.status_code == 422 and bad.json()["field"] == "ends"
    assert client.patch(f"/api/surveys/{code}", json={}).status_code == 403
    client.patch(f"/api/surveys/{code}", json={"starts": None, "ends": None}, headers=auth)
    client.get(f"/u/{code}/ergebnisse?key={key}")
    page = client.get(f"/u/{code}/ergebnisse").text
    hidden = dict(re.findall(r'<input type="hidden" name="(csrf)" value="([^"]*)">', page))
    ended = client.post(
        f"/u/{code}/zeitraum", data={**hidden, "go": "end_now"}, follow_redirects=False
    )
    assert ended.status_code == 303
    assert client.get(f"/api/surveys/{code}").json()["status"] == "closed"
    closed = client.post(f"/api/surveys/{code}/responses", json={"answers": {"satisfaction": 4}})
    assert closed.status_code == 403 and "Ende der Umfrage" in closed.json()["detail"]


def test_the_directory_is_reviewed_published_and_shown(client: Client) -> None:
    created = client.post(
        "/api/surveys", json={"template": "bestandsaufnahme"}, headers=AUTH
    ).json()
    code, key = created["code"], created["moderator_token"]
    url = f"/api/surveys/{code}/responses"
    listed = {**INVENTORY, "consent": "yes", "contact_name": "Erika", "contact_email": "e@x.de"}
    assert client.post(url, json={"answers": listed, "respondent": "a"}).status_code == 201
    unlisted = {**INVENTORY, "name": "Geheimbund", "consent": "no"}
    assert client.post(url, json={"answers": unlisted, "respondent": "b"}).status_code == 201
    # nobody else sees it until the organiser publishes and switches the page on
    assert client.get(f"/u/{code}/initiativen").status_code == 404
    client.get(f"/u/{code}/ergebnisse?key={key}")
    page = client.get(f"/u/{code}/initiativen")
    assert "Allianz Lausitz" in page.text and "Geheimbund" not in page.text
    assert "Noch nicht geprüft" in page.text and "Erika" in page.text
    hidden = dict(re.findall(r'<input type="hidden" name="(csrf)" value="([^"]*)">', page.text))
    published = client.post(
        f"/u/{code}/initiativen/1", data={**hidden, "publish": "1"}, follow_redirects=False
    )
    assert published.status_code == 303
    client.post(f"/u/{code}/initiativen/oeffentlich", data={**hidden, "public": "1"})
    assert "Nicht gefunden" not in client.get(f"/u/{code}/initiativen?region=BB").text
    assert "Allianz Lausitz" in client.get(f"/u/{code}/initiativen?region=BB&topic=energy").text
    assert "Allianz Lausitz" not in client.get(f"/u/{code}/initiativen?region=NW").text
    client.cookies.clear()
    public = client.get(f"/u/{code}/initiativen")
    assert public.status_code == 200
    assert "Allianz Lausitz" in public.text and "Veröffentlichen" not in public.text
    assert "Erika" in public.text  # the contact, given with consent


def test_a_definition_file_is_exported_and_imported_again(client: Client) -> None:
    code = make(client, {"template": "feedback"})
    exported = client.get(f"/api/surveys/{code}/definition.json")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    client.get(f"/admin/login?token={ADMIN}")
    page = client.get("/admin/umfragen").text
    assert f"/api/surveys/{code}/definition.json" in page
    hidden = dict(re.findall(r'<input type="hidden" name="(csrf)" value="([^"]*)">', page))
    copy = client.post(
        "/admin/umfragen",
        data={**hidden, "title": "Feedback, zweiter Termin"},
        files={"file": ("umfrage.json", exported.content, "application/json")},
        follow_redirects=False,
    )
    assert copy.status_code == 303
    assert "Feedback, zweiter Termin" in client.get(copy.headers["location"]).text
    broken = exported.content.replace(b'"kind": "scale"', b'"kind": "slider"')
    refused = client.post(
        "/admin/umfragen",
        data=hidden,
        files={"file": ("kaputt.json", broken, "application/json")},
    )
    assert refused.status_code == 422
    assert "sections[0].questions[0].kind" in refused.text


def test_the_organiser_deletes_the_survey_after_ticking_the_box(client: Client) -> None:
    created = client.post("/api/surveys", json={"template": "feedback"}, headers=AUTH).json()
    code, key = created["code"], created["moderator_token"]
    client.get(f"/u/{code}/ergebnisse?key={key}")
    page = client.get(f"/u/{code}/ergebnisse").text
    hidden = dict(re.findall(r'<input type="hidden" name="(csrf)" value="([^"]*)">', page))
    unticked = client.post(f"/u/{code}/loeschen", data=hidden, follow_redirects=False)
    assert unticked.status_code == 303 and client.get(f"/u/{code}").status_code == 200
    deleted = client.post(f"/u/{code}/loeschen", data={**hidden, "confirm": "yes"})
    assert deleted.status_code == 200 and "Die Umfrage ist gelöscht." in deleted.text
    assert client.get(f"/u/{code}").status_code == 404
    assert client.get(f"/u/{code}/ergebnisse").status_code == 404


def test_a_question_chart_downloads_as_svg(client: Client) -> None:
    created = client.post(
        "/api/surveys", json={"template": "bestandsaufnahme"}, headers=AUTH
    ).json()
    code, key = created["code"], created["moderator_token"]
    answers = {**INVENTORY, "consent": "no"}
    sent = client.post(f"/api/surveys/{code}/responses", json={"answers": answers})
    assert sent.status_code == 201
    assert client.get(f"/u/{code}/ergebnisse/topics.svg").status_code == 403
    client.get(f"/u/{code}/ergebnisse?key={key}")
    assert f'href="/u/{code}/ergebnisse/topics.svg"' in client.get(f"/u/{code}/ergebnisse").text
    svg = client.get(f"/u/{code}/ergebnisse/topics.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in svg.text and "Energie" in svg.text and "1 (100 %)" in svg.text
    assert client.get(f"/u/{code}/ergebnisse/goals.svg").status_code == 404  # a text
    assert client.get(f"/u/{code}/ergebnisse/contact_name.svg").status_code == 404
