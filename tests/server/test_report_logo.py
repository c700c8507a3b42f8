"""The cover logo: PNG/JPEG only (by magic bytes), at most 1 MB, re-encoded, shown on the
cover, and deleted with the event and by the retention sweep."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from PIL import Image

from server.auth import moderator_cookie
from server.report import logo
from server.report.writers import pdf_problem
from server.retention import deletion_due_at, sweep
from server.settings import Settings
from tests.server.conftest import create_event, form_fields

Client = TestClient[Litestar]

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def image(kind: str, size: tuple[int, int] = (40, 20), **extra: Any) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=kind, **extra)
    return out.getvalue()


@pytest.fixture
def event(client: Client) -> dict[str, Any]:
    made = create_event(client, date="2026-11-30")
    client.cookies.set(moderator_cookie(made["code"]), made["moderator_token"])
    return made


def upload(client: Client, code: str, name: str, data: bytes, kind: str) -> Any:
    csrf = form_fields(client, f"/console/{code}")["csrf"]
    return client.post(
        f"/console/{code}/logo",
        data={"csrf": csrf},
        files={"logo": (name, data, kind)},
        follow_redirects=False,
    )


def test_clean_accepts_png_and_jpeg_and_writes_a_fresh_small_png() -> None:
    exif = Image.Exif()
    exif[0x010F] = "Kamera mit GPS"  # the maker: metadata that must not survive
    jpeg = image("JPEG", (2000, 1000), exif=exif.tobytes())
    assert b"Kamera mit GPS" in jpeg
    png = logo.clean(jpeg)
    assert png.startswith(b"\x89PNG")
    with Image.open(io.BytesIO(png)) as again:
        assert again.size == (800, 400) and "exif" not in again.info
    assert b"Kamera mit GPS" not in png
    assert logo.clean(image("PNG")).startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "logo_missing"),
        (SVG, "logo_type"),
        (b"GIF89a" + b"\x00" * 20, "logo_type"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "logo_broken"),
        (b"\xff\xd8\xff" + b"\x00" * (logo.MAX_BYTES), "logo_too_big"),
    ],
)
def test_clean_refuses_what_is_not_a_small_png_or_jpeg(data: bytes, reason: str) -> None:
    with pytest.raises(logo.LogoRefused) as refused:
        logo.clean(data)
    assert refused.value.reason == reason


def test_refuses_an_image_too_large_to_unpack() -> None:
    huge = image("PNG", (8000, 6000))  # compresses to a few KB, unpacks to 48 megapixels
    assert len(huge) < logo.MAX_BYTES
    with pytest.raises(logo.LogoRefused) as refused:
        logo.clean(huge)
    assert refused.value.reason == "logo_too_big"


def test_upload_shows_on_the_cover_and_goes_with_the_event(
    client: Client, event: dict[str, Any], settings: Settings
) -> None:
    code = event["code"]
    assert 'class="logo"' not in client.get(f"/console/{code}/report").text
    response = upload(client, code, "logo.png", image("PNG"), "image/png")
    assert response.status_code == 303
    stored = Path(settings.data_dir) / "logos" / f"{code}.png"
    assert stored.exists()
    page = client.get(f"/console/{code}/report").text
    assert '<img class="logo" src="data:image/png;base64,' in page
    assert "Logo entfernen" in client.get(f"/console/{code}").text
    csrf = form_fields(client, f"/console/{code}")["csrf"]
    client.post(f"/console/{code}/delete", data={"confirm": code, "csrf": csrf})
    assert not stored.exists()


def test_wrong_type_and_size_get_a_clear_german_message(
    client: Client, event: dict[str, Any], settings: Settings
) -> None:
    code = event["code"]
    svg = upload(client, code, "logo.svg", SVG, "image/svg+xml")
    assert svg.status_code == 422
    assert "PNG- oder JPEG-Bild" in svg.text and "SVG" in svg.text
    big = upload(client, code, "logo.jpg", b"\xff\xd8\xff" + b"\x00" * 1_100_000, "image/jpeg")
    assert big.status_code == 422 and "höchstens 1 MB" in big.text
    assert not (Path(settings.data_dir) / "logos").exists()


def test_only_the_moderator_may_upload(client: Client, event: dict[str, Any]) -> None:
    code = event["code"]
    client.cookies.clear()
    response = client.post(
        f"/console/{code}/logo", files={"logo": ("l.png", image("PNG"), "image/png")}
    )
    assert response.status_code in (401, 403)


def test_retention_sweep_deletes_the_logo(
    client: Client, event: dict[str, Any], settings: Settings
) -> None:
    code = event["code"]
    assert upload(client, code, "logo.jpg", image("JPEG"), "image/jpeg").status_code == 303
    svc: Any = client.app.state["svc"]
    hub = client.blocking_portal.call(svc.rooms.get, code)
    due = deletion_due_at(hub.state.lobby, settings.retention_days, settings.timezone)
    assert client.blocking_portal.call(sweep, svc, due + 1) == [code]
    assert not logo.path_of(Path(settings.data_dir), code).exists()


def test_the_pdf_carries_the_logo(client: Client, event: dict[str, Any]) -> None:
    problem = pdf_problem()
    if problem is not None:
        pytest.skip(problem)
    code = event["code"]
    plain = client.get(f"/console/{code}/report.pdf")
    assert plain.status_code == 200 and b"/Image" not in plain.content
    assert upload(client, code, "logo.png", image("PNG"), "image/png").status_code == 303
    pdf = client.get(f"/console/{code}/report.pdf")
    assert pdf.content.startswith(b"%PDF") and b"/Image" in pdf.content
