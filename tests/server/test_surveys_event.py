"""A survey attached to an event: its console lists it and makes one, its phones link to it."""

from __future__ import annotations

import re
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from tests.server.conftest import ADMIN, create_event, form_fields, join

Client = TestClient[Litestar]
ADMIN_AUTH = {"Authorization": f"Bearer {ADMIN}"}


def moderate(client: Client, event: dict[str, Any]) -> None:
    """Open the moderator link, as the moderator's browser does: the console cookie."""
    link = event["links"]["moderator"].replace("http://testserver.local", "")
    assert client.get(link).status_code == 200


def test_the_console_makes_a_feedback_survey_and_lists_it(client: Client) -> None:
    event = create_event(client)
    code = event["code"]
    moderate(client, event)
    page = client.get(f"/console/{code}")
    assert "Noch kein Fragebogen" in page.text
    fields = form_fields(client, f"/console/{code}")
    made = client.post(
        f"/console/{code}/umfragen",
        data={"csrf": fields["csrf"], "template": "feedback", "ends": "2099-12-31"},
        follow_redirects=False,
    )
    assert made.status_code == 303
    assert made.headers["location"] == f"/console/{code}#surveys-panel"
    page = client.get(f"/console/{code}")
    found = re.search(r'href="/u/([A-Z0-9]{8})/ergebnisse"', page.text)
    assert found, page.text
    survey = found.group(1)
    assert "0 Antworten" in page.text
    assert f"http://testserver.local/u/{survey}" in page.text  # the respond link, to copy
    assert "<svg" in page.text.split('id="surveys-panel"')[1]  # its QR code
    # the console cookie opens the results, no second key
    results = client.get(f"/u/{survey}/ergebnisse")
    assert results.status_code == 200
    # and the API's results with the event's moderator token
    token = {"Authorization": f"Bearer {event['moderator_token']}"}
    assert client.get(f"/api/surveys/{survey}/results", headers=token).status_code == 200


def test_another_events_moderator_and_strangers_are_refused(client: Client) -> None:
    event = create_event(client)
    other = create_event(client, title="Andere Veranstaltung")
    made = client.post(
        f"/api/surveys?event={event['code']}",
        json={"template": "erwartungen"},
        headers={"Authorization": f"Bearer {event['moderator_token']}"},
    )
    assert made.status_code == 201
    survey = made.json()["code"]
    wrong = {"Authorization": f"Bearer {other['moderator_token']}"}
    assert client.get(f"/api/surveys/{survey}/results", headers=wrong).status_code == 403
    moderate(client, other)
    assert client.get(f"/u/{survey}/ergebnisse").status_code == 403
    assert survey not in client.get(f"/console/{other['code']}").text
    # a console form without its token does nothing
    forged = client.post(
        f"/console/{other['code']}/umfragen", data={"template": "feedback"}, follow_redirects=False
    )
    assert forged.status_code == 403
    assert "/ergebnisse" not in client.get(f"/console/{other['code']}").text


def test_phones_see_an_open_survey_at_the_end_only_while_it_is_open(client: Client) -> None:
    event = create_event(client)
    code = event["code"]
    token = {"Authorization": f"Bearer {event['moderator_token']}"}
    made = client.post(f"/api/surveys?event={code}", json={"template": "feedback"}, headers=token)
    survey = made.json()["code"]
    client.cookies.clear()
    fields = form_fields(client, f"/j/{code}")
    joined = client.post(f"/j/{code}", data={**fields, "name": "Ada"}, follow_redirects=False)
    assert joined.status_code == 303
    phone = client.get(f"/p/{code}")
    assert "Feedback geben" in phone.text
    assert f'href="/u/{survey}"' in phone.text
    # after the live activities, before "Veranstaltung verlassen"
    assert phone.text.index("Feedback geben") < phone.text.index(f"/p/{code}/leave")
    ended = client.patch(
        f"/api/surveys/{survey}", json={"starts": "2020-01-01", "ends": "2020-01-02"}, headers=token
    )
    assert ended.status_code == 200
    assert "Feedback geben" not in client.get(f"/p/{code}").text


def test_an_event_without_surveys_shows_no_card(client: Client) -> None:
    event = create_event(client)
    join(client, event["code"], "Ada")
    assert "/u/" not in client.get(f"/j/{event['code']}").text


def test_the_directory_shows_events_per_region_to_its_organiser_only(client: Client) -> None:
    for region in ("Lausitz", "lausitz ", "Ruhrgebiet"):
        create_event(client, region=region)
    create_event(client)  # no region: not counted
    first = create_event(client, title="Werkstatt", region="Lausitz")
    join(client, first["code"], "Ada")
    join(client, first["code"], "Bo")
    created = client.post(
        "/api/surveys", json={"template": "bestandsaufnahme"}, headers=ADMIN_AUTH
    ).json()
    code, key = created["code"], created["moderator_token"]
    client.get(f"/u/{code}/ergebnisse?key={key}")
    page = client.get(f"/u/{code}/initiativen")
    assert "Veranstaltungen je Region" in page.text
    rows = re.findall(
        r'<tr><th scope="row">([^<]+)</th><td class="num">(\d+)</td><td class="num">(\d+)</td>',
        page.text,
    )
    assert rows == [("Lausitz", "3", "2"), ("Ruhrgebiet", "1", "0")]
    assert "Werkstatt" not in page.text  # counts only
    public = client.post(
        f"/u/{code}/initiativen/oeffentlich",
        data={"csrf": form_fields(client, f"/u/{code}/initiativen")["csrf"], "public": "1"},
    )
    assert public.status_code in (200, 303)
    client.cookies.clear()
    shown = client.get(f"/u/{code}/initiativen")
    assert shown.status_code == 200
    assert "Veranstaltungen je Region" not in shown.text
