"""The event's logo on the report's cover: uploaded by the moderator, stored per event.

Only PNG and JPEG, recognised by their first bytes (not by the name or the
type the browser claims), at most 1 MB. SVG is refused on purpose: it can
carry scripts and external references, and the report is opened in the
console's origin. The image is decoded and written again as a fresh PNG, at
most 800 px on its longer side: whatever else the file carried (metadata
such as a camera's location, trailing bytes) does not survive, and the
cover never loads a huge picture.

The file lives in ``<data_dir>/logos/<CODE>.png``, outside the event's log:
it is deleted with the event and by the retention sweep (it may show an
organisation the event should no longer be linked to after that).
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from rooms.codes import normalise_code

MAX_BYTES = 1_000_000
MAX_PIXELS = 40_000_000  # a 1 MB JPEG can unpack to gigabytes: refuse before decoding
LONGER_SIDE = 800
_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


class LogoRefused(Exception):
    """Why an upload was refused: a reason key of ``server.i18n.REASONS``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def clean(data: bytes) -> bytes:
    """A PNG of the uploaded image, re-encoded and bounded in size, or :class:`LogoRefused`."""
    if not data:
        raise LogoRefused("logo_missing")
    if len(data) > MAX_BYTES:
        raise LogoRefused("logo_too_big")
    if not data.startswith(_MAGIC):
        raise LogoRefused("logo_type")
    try:
        with Image.open(io.BytesIO(data), formats=("PNG", "JPEG")) as image:
            if image.width * image.height > MAX_PIXELS:
                raise LogoRefused("logo_too_big")
            image.load()
            picture = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise LogoRefused("logo_broken") from exc
    picture.thumbnail((LONGER_SIDE, LONGER_SIDE))
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


def path_of(data_dir: Path, code: str) -> Path:
    """Where an event's logo lives; the code is normalised, so no path can be smuggled in."""
    safe = normalise_code(code)
    if safe is None:
        raise ValueError(code)
    return data_dir / "logos" / f"{safe}.png"


def store(data_dir: Path, code: str, png: bytes) -> None:
    path = path_of(data_dir, code)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_bytes(png)
    partial.replace(path)  # a report made meanwhile sees the old logo or the new, never half


def remove(data_dir: Path, code: str) -> None:
    path_of(data_dir, code).unlink(missing_ok=True)


def data_uri(data_dir: Path, code: str) -> str | None:
    """The logo inline, for the HTML page and the PDF (no second request, no file access)."""
    try:
        png = path_of(data_dir, code).read_bytes()
    except (OSError, ValueError):
        return None
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
