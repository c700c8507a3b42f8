"""QR codes as inline SVG: crisp on a projector and on paper, no image files."""

from __future__ import annotations

from functools import lru_cache

import segno


@lru_cache(maxsize=256)
def qr_svg(url: str) -> str:
    """An SVG without a fixed size, so CSS decides how big it is.

    Error correction M survives a projector's glare and a crumpled poster
    while keeping the modules large enough to scan from the back row.
    """
    code = segno.make(url, error="m", micro=False)
    svg: str = code.svg_inline(scale=1, border=2, omitsize=True, dark="#000", light="#fff")
    return svg
