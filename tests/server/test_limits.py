"""Limits: a section per activity, set from the environment, enforced in the room."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec
import pytest
from litestar.testing import TestClient

from rooms.activities import ACTIVITIES, Limits
from rooms.lobby.limits import LobbyLimits
from server.app import create_app
from server.settings import Settings, from_env, limit_variables
from tests.server.conftest import create_event

ROOT = Path(__file__).resolve().parents[2]


def test_a_limit_is_set_from_its_variable_and_the_rest_keep_their_defaults() -> None:
    settings = from_env(
        {"DIALOGRAUM_LIMIT_LOBBY_NAME_LENGTH": "60", "DIALOGRAUM_LIMIT_POLLS_MAX_OPTIONS": "30"}
    )
    assert settings.limits.lobby.name_length == 60
    assert settings.limits.polls.max_options == 30
    assert settings.limits.ideas == Limits().ideas
    assert from_env({}).limits == Limits()


def test_an_unknown_limit_variable_is_an_error_that_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"NAME_LENGHT.*known:.*LOBBY_NAME_LENGTH"):
        from_env({"DIALOGRAUM_LIMIT_LOBBY_NAME_LENGHT": "60"})


def test_a_bad_limit_value_names_the_limit() -> None:
    with pytest.raises(msgspec.ValidationError, match=r"max_options"):
        from_env({"DIALOGRAUM_LIMIT_POLLS_MAX_OPTIONS": "many"})


def test_every_limit_is_documented_in_the_readme_with_its_default() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"\| `(DIALOGRAUM_LIMIT_[A-Z_]+)` \| `(\d+)` \|", readme))
    assert rows == {var: str(default) for var, (_, _, default) in limit_variables().items()}


def test_the_limits_have_a_section_for_each_activity_that_has_limits() -> None:
    names = {a.name for a in ACTIVITIES}
    assert set(Limits.__struct_fields__) <= names


def test_a_configured_limit_reaches_the_room(tmp_path: Path) -> None:
    settings = Settings(
        db=str(tmp_path / "test.sqlite3"),
        data_dir=str(tmp_path),
        admin_token="test-admin-token",
        public_url="http://testserver.local",
        sample_event=False,
        limits=Limits(lobby=LobbyLimits(name_length=5)),
    )
    with TestClient(create_app(settings), base_url="http://testserver.local") as client:
        code = create_event(client)["code"]
        long = client.post(f"/api/events/{code}/participants", json={"name": "Johanna"})
        short = client.post(f"/api/events/{code}/participants", json={"name": "Jo"})
    assert long.status_code == 422
    assert long.json()["reason"] == "name_too_long"
    assert short.status_code == 201


def test_a_configured_title_limit_reaches_event_creation(tmp_path: Path) -> None:
    settings = Settings(
        db=str(tmp_path / "test.sqlite3"),
        data_dir=str(tmp_path),
        admin_token="test-admin-token",
        public_url="http://testserver.local",
        sample_event=False,
        limits=Limits(lobby=LobbyLimits(title_length=8)),
    )
    with TestClient(create_app(settings), base_url="http://testserver.local") as client:
        long = client.post(
            "/api/events",
            json={"title": "Zukunft der Industrie"},
            headers={"Authorization": "Bearer test-admin-token"},
        )
        assert long.status_code == 422
        assert long.json()["reason"] == "title_too_long"
        assert create_event(client, title="Zukunft")["code"]
