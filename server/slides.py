"""A phase's slide image: uploaded by the moderator, stored per event, shown on the projector.

Like the report's logo (``server/report/logo.py``): only PNG and JPEG,
recognised by their first bytes, at most 5 MB and 40 megapixels before
decoding; the picture is decoded and written again, which drops metadata
(a camera's location) and trailing bytes. It is scaled to fit 1920×1080, the
largest projector the screen is laid out for, so a 6000-pixel photo does not
travel to the screen. A photo stays a JPEG (turned upright first, since the
orientation is metadata) and a drawing or screenshot stays a PNG.

The file is named by its content's digest (``<32 hex>.png``/``.jpg``), so
its address never changes and the screen may cache it for good. The log
holds only that name (``agenda.image_set``), never the picture: a replay or
an export stays small. Files live in ``<data_dir>/slides/<CODE>/``; they
are deleted with the event and by the retention sweep, and a new upload
removes the event's files no phase names any more.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import time
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from rooms.agenda.domain import IMAGE
from rooms.codes import normalise_code

MAX_BYTES = 5_000_000
MAX_PIXELS = 40_000_000
FIT = (1920, 1080)
_PNG, _JPEG = b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"


class SlideRefused(Exception):
    """Why an upload was refused: a reason key of ``server.i18n.REASONS``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def clean(data: bytes) -> tuple[bytes, str]:
    """The picture re-encoded and fitted into 1920×1080, with its suffix (``png``/``jpg``)."""
    if not data:
        raise SlideRefused("slide_missing")
    if len(data) > MAX_BYTES:
        raise SlideRefused("slide_too_big")
    if not data.startswith((_PNG, _JPEG)):
        raise SlideRefused("slide_type")
    jpeg = data.startswith(_JPEG)
    try:
        with Image.open(io.BytesIO(data), formats=("PNG", "JPEG")) as image:
            if image.width * image.height > MAX_PIXELS:
                raise SlideRefused("slide_too_big")
            image.load()
            upright = ImageOps.exif_transpose(image)
            picture = upright.convert("RGB" if jpeg else "RGBA")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise SlideRefused("slide_broken") from exc
    picture.thumbnail(FIT)
    out = io.BytesIO()
    if jpeg:
        picture.save(out, format="JPEG", quality=85, optimize=True)
    else:
        picture.save(out, format="PNG", optimize=True)
    return out.getvalue(), "jpg" if jpeg else "png"


def folder(data_dir: Path, code: str) -> Path:
    """An event's slide folder; the code is normalised, so no path can be smuggled in."""
    safe = normalise_code(code)
    if safe is None:
        raise ValueError(code)
    return data_dir / "slides" / safe


def path_of(data_dir: Path, code: str, name: str) -> Path:
    """Where a slide image lives; only names that ``agenda.set_image`` accepts."""
    if not name or not IMAGE.match(name):
        raise ValueError(name)
    return folder(data_dir, code) / name


def store(data_dir: Path, code: str, picture: bytes, suffix: str) -> str:
    """Write the picture (once: the same picture twice is one file); its name."""
    name = f"{hashlib.blake2b(picture, digest_size=16).hexdigest()}.{suffix}"
    path = path_of(data_dir, code, name)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        partial.write_bytes(picture)
        partial.replace(path)  # the screen reads the whole picture or none
    return name


GRACE_S = 600
"""A file younger than this is never pruned: another console's upload may be stored
and not yet named by its ``agenda.set_image``."""


def prune(data_dir: Path, code: str, keep: set[str]) -> None:
    """Remove the event's slide files that no phase names any more (and not just stored)."""
    try:
        found = list(folder(data_dir, code).iterdir())
    except (OSError, ValueError):
        return
    old = time.time() - GRACE_S
    for path in found:
        try:
            if path.name not in keep and path.stat().st_mtime < old:
                path.unlink(missing_ok=True)
        except OSError:
            continue


def remove_all(data_dir: Path, code: str) -> None:
    """Every slide image of the event: with the event, and by the retention sweep."""
    try:
        shutil.rmtree(folder(data_dir, code), ignore_errors=True)
    except ValueError:
        return
