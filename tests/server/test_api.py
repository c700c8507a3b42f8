"""The JSON API contract of docs/api.md, through Litestar's test client."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from tests.server.conftest import ADMIN, create_event, join

Client = TestClient[Litestar]


def test_create_event_returns_code_token_and_links(client: Client) -> None:
    data = create_event(client, title="Werkstattgespräch Wasserstoff", format="werkstatt")
    assert len(data["code"]) == 6
    assert len(data["moderator_token"]) >= 22  # ≥128 bits, URL-safe base64
    assert data["links"]["join"] == f"http://testserver.local/j/{data['code']}"
    assert data["links"]["screen"] == f"http://testserver.local/s/{data['code']}"
    assert data["links"]["moderator"].startswith(f"http://testserver.local/m/{data['code']}?key=")
    assert data["format"] == "werkstatt"
    assert data["title"] == "Werkstattgespräch Wasserstoff"


def test_create_event_needs_the_admin_token(client: Client) -> None:
    body = {"title": "x", "format": "custom", "language": "de"}
    assert client.post("/api/events", json=body).status_code == 401
    wrong = client.post("/api/events", json=body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401


def test_bad_input_is_422_with_the_field_named(client: Client) -> None:
    auth = {"Authorization": f"Bearer {ADMIN}"}
    bad_format = client.post(
        "/api/events", json={"title": "x", "format": "barcamp", "language": "de"}, headers=auth
    )
    assert bad_format.status_code == 422
    assert bad_format.json()["field"] == "format"
    long_title = client.post(
        "/api/events", json={"title": "x" * 121, "format": "custom"}, headers=auth
    )
    assert long_title.status_code == 422
    assert long_title.json()["field"] == "title"
    assert long_title.json()["reason"] == "title_too_long"
    english = client.post(
        "/api/events",
        json={"title": "", "format": "custom"},
        headers={**auth, "Accept-Language": "en"},
    )
    assert english.status_code == 422
    assert english.json()["detail"] == "Please give the event a title."


def test_event_info_is_public_and_counts_participants(
    client: Client, event: dict[str, Any]
) -> None:
    join(client, event["code"], "Anna")
    info = client.get(f"/api/events/{event['code']}").json()
    assert info["participants"] == {"joined": 1, "online": 0}
    assert info["status"] == "open"
    lower = client.get(f"/api/events/{event['code'].lower()}")
    assert lower.status_code == 200


def test_join_returns_id_and_token_and_404_for_unknown_codes(
    client: Client, event: dict[str, Any]
) -> None:
    data = join(client, event["code"], "Anna")
    assert data["token"].startswith(data["participant_id"] + ".")
    unknown = client.post("/api/events/ZZZZZZ/participants", json={})
    assert unknown.status_code == 404
    assert unknown.json()["reason"] == "unknown_event"


def test_join_validates_name_and_organisation_type(client: Client, event: dict[str, Any]) -> None:
    url = f"/api/events/{event['code']}/participants"
    too_long = client.post(url, json={"name": "n" * 41})
    assert too_long.status_code == 422
    assert too_long.json()["field"] == "name"
    bad_org = client.post(url, json={"organisation_type": "lobby"})
    assert bad_org.status_code == 422
    assert bad_org.json()["field"] == "organisation_type"


def test_join_with_the_same_idempotency_key_joins_once(
    client: Client, event: dict[str, Any]
) -> None:
    url = f"/api/events/{event['code']}/participants"
    headers = {"Idempotency-Key": "tap-1-5b0c9e7d-2f4a"}
    first = client.post(url, json={"name": "Anna"}, headers=headers).json()
    second = client.post(url, json={"name": "Anna"}, headers=headers).json()
    assert first["participant_id"] == second["participant_id"]
    assert client.get(f"/api/events/{event['code']}").json()["participants"]["joined"] == 1


def test_moderator_state_needs_the_moderator_token(client: Client, event: dict[str, Any]) -> None:
    url = f"/api/events/{event['code']}/state"
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 403
    participant = join(client, event["code"], "Anna")
    as_participant = client.get(url, headers={"Authorization": f"Bearer {participant['token']}"})
    assert as_participant.status_code == 403
    ok = client.get(url, headers={"Authorization": f"Bearer {event['moderator_token']}"})
    assert ok.status_code == 200
    body = ok.json()
    assert body["seq"] == 2
    assert body["state"]["participants"] == {"joined": 1, "online": 0}
    assert body["state"]["people"][0]["name"] == "Anna"


def test_openapi_schema_documents_the_contract(client: Client) -> None:
    schema = client.get("/schema/openapi.json").json()
    for path in (
        "/api/events",
        "/api/events/{code}",
        "/api/events/{code}/participants",
        "/api/events/{code}/state",
    ):
        assert path in schema["paths"], path
    # The state's fields, every activity's: Q&A and the speaker list too (issue 12).
    components = schema["components"]["schemas"]
    for name in ("ModeratorView", "SessionView", "QuestionView", "SpeakersView", "TurnView"):
        assert name in components, name
    assert "votes" in components["QuestionView"]["properties"]
