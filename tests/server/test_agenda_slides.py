"""A phase's slide image: PNG/JPEG by magic bytes, size limits, re-encoded to fit 1920×1080,
named in the log by its digest, shown on the screen, deleted with the event and by retention."""

from __future__ import annotations

import io
import os
import re
import time
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from PIL import Image

from rooms.agenda.domain import AddPhase, NextPhase
from rooms.base import Actor, Role
from server import slides
from server.auth import moderator_cookie
from server.retention import deletion_due_at, sweep
from server.settings import Settings
from tests.server.conftest import create_event, form_fields
from tests.server.test_report_logo import SVG, image

Client = TestClient[Litestar]


@pytest.fixture
def event(client: Client) -> dict[str, Any]:
    made = create_event(client, date="2026-11-30")
    client.cookies.set(moderator_cookie(made["code"]), made["moderator_token"])
    return made


def api(client: Client, event: dict[str, Any], command: msgspec.Struct) -> None:
    """A moderator's command, straight to the event's hub (as the console's socket does)."""
    svc: Any = client.app.state["svc"]
    hub = client.blocking_portal.call(svc.rooms.get, event["code"])
    result = client.blocking_portal.call(hub.submit, Actor(Role.MODERATOR), command, None)
    assert result.ok, result.reason


def phase_state(client: Client, event: dict[str, Any]) -> dict[str, Any]:
    token = {"Authorization": f"Bearer {event['moderator_token']}"}
    state = client.get(f"/api/events/{event['code']}/state", headers=token).json()["state"]
    phase: dict[str, Any] = state["agenda"]["phases"][0]
    return phase


def upload(client: Client, code: str, data: bytes, kind: str, **fields: str) -> Any:
    csrf = form_fields(client, f"/console/{code}")["csrf"]
    return client.post(
        f"/console/{code}/slide",
        data={"csrf": csrf, "phase": "a1", **fields},
        files={"image": ("folie", data, kind)},
        follow_redirects=False,
    )


def test_clean_fits_1920x1080_keeps_the_kind_and_drops_metadata() -> None:
    exif = Image.Exif()
    exif[0x010F] = "Kamera mit GPS"
    photo = image("JPEG", (4000, 3000), exif=exif.tobytes())
    jpeg, suffix = slides.clean(photo)
    assert suffix == "jpg" and jpeg.startswith(b"\xff\xd8\xff")
    assert b"Kamera mit GPS" not in jpeg
    with Image.open(io.BytesIO(jpeg)) as again:
        assert again.size == (1440, 1080) and "exif" not in again.info
    png, suffix = slides.clean(image("PNG", (3000, 1000)))
    assert suffix == "png"
    with Image.open(io.BytesIO(png)) as again:
        assert again.size == (1920, 640)
    small, _ = slides.clean(image("PNG", (300, 200)))
    with Image.open(io.BytesIO(small)) as again:
        assert again.size == (300, 200)  # never blown up


def test_a_phone_photo_is_turned_upright() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    sideways = image("JPEG", (400, 300), exif=exif.tobytes())
    upright, _ = slides.clean(sideways)
    with Image.open(io.BytesIO(upright)) as again:
        assert again.size == (300, 400)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "slide_missing"),
        (SVG, "slide_type"),
        (b"GIF89a" + b"\x00" * 20, "slide_type"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "slide_broken"),
        (b"\xff\xd8\xff" + b"\x00" * slides.MAX_BYTES, "slide_too_big"),
    ],
)
def test_clean_refuses_what_is_not_a_png_or_jpeg_of_bounded_size(data: bytes, reason: str) -> None:
    with pytest.raises(slides.SlideRefused) as refused:
        slides.clean(data)
    assert refused.value.reason == reason


def test_refuses_an_image_too_large_to_unpack() -> None:
    huge = image("PNG", (8000, 6000))
    assert len(huge) < slides.MAX_BYTES
    with pytest.raises(slides.SlideRefused) as refused:
        slides.clean(huge)
    assert refused.value.reason == "slide_too_big"


def test_no_path_can_be_smuggled_in(tmp_path: Path) -> None:
    for name in ("../x.png", "a.png", "0" * 32 + ".svg", ""):
        with pytest.raises(ValueError, match=re.escape(name) or "^$"):
            slides.path_of(tmp_path, "ABCDEF", name)
    with pytest.raises(ValueError, match="etc"):
        slides.folder(tmp_path, "../../etc")


def test_upload_names_the_file_in_the_log_and_the_screen_shows_it(
    client: Client, event: dict[str, Any], settings: Settings
) -> None:
    code = event["code"]
    api(client, event, AddPhase(title="Impuls", heading="Die Region"))
    response = upload(client, code, image("PNG", (800, 450)), "image/png")
    assert response.status_code == 303, response.text
    name = phase_state(client, event)["image"]
    assert name.endswith(".png") and len(name) == 36
    stored = Path(settings.data_dir) / "slides" / code / name
    assert stored.exists()
    served = client.get(f"/screen/{code}/slides/{name}")
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    assert "immutable" in served.headers["cache-control"]
    assert served.content == stored.read_bytes()
    console = client.get(f"/console/{code}").text
    assert f'src="/screen/{code}/slides/{name}"' in console and 'id="slide-upload"' in console
    api(client, event, NextPhase())
    screen = client.get(f"/s/{code}").text
    assert f'src="/screen/{code}/slides/{name}"' in screen and "agenda-stage-image" in screen
    # The same picture again is the same file; removing it clears the phase.
    assert upload(client, code, image("PNG", (800, 450)), "image/png").status_code == 303
    assert phase_state(client, event)["image"] == name
    assert upload(client, code, b"", "image/png", remove="1").status_code == 303
    assert phase_state(client, event).get("image", "") == ""
    assert "agenda-stage-image" not in client.get(f"/s/{code}").text


def test_a_new_picture_prunes_the_files_no_phase_names(
    client: Client, event: dict[str, Any], settings: Settings
) -> None:
    code = event["code"]
    api(client, event, AddPhase(title="Impuls"))
    assert upload(client, code, image("PNG", (80, 45)), "image/png").status_code == 303
    first = Path(settings.data_dir) / "slides" / code / phase_state(client, event)["image"]
    old = time.time() - slides.GRACE_S - 5
    os.utime(first, (old, old))
    assert upload(client, code, image("JPEG", (80, 45)), "image/jpeg").status_code == 303
    second = phase_state(client, event)["image"]
    assert second.endswith(".jpg") and not first.exists()
    assert (first.parent / second).exists()


def test_refusals_are_clear_and_store_nothing(
    client: Client, event: dict[str, Any], settings: Settings
) -> None:
    code = event["code"]
    api(client, event, AddPhase(title="Impuls"))
    svg = upload(client, code, SVG, "image/svg+xml")
    assert svg.status_code == 422 and "PNG- oder JPEG-Bild" in svg.text
    big = upload(client, code, b"\xff\xd8\xff" + b"\x00" * 5_100_000, "image/jpeg")
    assert big.status_code == 422 and "höchstens 5 MB" in big.text
    gone = upload(client, code, image("PNG"), "image/png", phase="a9")
    assert gone.status_code == 422
    assert not (Path(settings.data_dir) / "slides").exists()
    assert client.get(f"/screen/{code}/slides/{'0' * 32}.png").status_code == 404
    assert client.get(f"/screen/{code}/slides/..%2Fx.png").status_code == 404


def test_only_the_moderator_may_upload(client: Client, event: dict[str, Any]) -> None:
    code = event["code"]
    api(client, event, AddPhase(title="Impuls"))
    client.cookies.clear()
    response = client.post(
        f"/console/{code}/slide",
        data={"phase": "a1"},
        files={"image": ("f.png", image("PNG"), "image/png")},
    )
    assert response.status_code in (401, 403)


def test_the_pictures_go_with_the_event_and_by_retention(
    client: Client, event: dict[str, Any], settings: Settings
) -> None:
    code = event["code"]
    api(client, event, AddPhase(title="Impuls"))
    assert upload(client, code, image("PNG"), "image/png").status_code == 303
    folder = Path(settings.data_dir) / "slides" / code
    assert any(folder.iterdir())
    svc: Any = client.app.state["svc"]
    hub = client.blocking_portal.call(svc.rooms.get, code)
    due = deletion_due_at(hub.state.lobby, settings.retention_days, settings.timezone)
    assert client.blocking_portal.call(sweep, svc, due + 1) == [code]
    assert not folder.exists()
    # Deleting the event deletes them too.
    other = create_event(client, date="2026-11-30")
    client.cookies.set(moderator_cookie(other["code"]), other["moderator_token"])
    api(client, other, AddPhase(title="Impuls"))
    assert upload(client, other["code"], image("JPEG"), "image/jpeg").status_code == 303
    folder = Path(settings.data_dir) / "slides" / other["code"]
    assert folder.exists()
    csrf = form_fields(client, f"/console/{other['code']}")["csrf"]
    client.post(f"/console/{other['code']}/delete", data={"confirm": other["code"], "csrf": csrf})
    assert not folder.exists()
