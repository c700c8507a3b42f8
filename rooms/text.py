"""What people type, made safe to show: one line, no invisible characters.

Names, titles, topics and cards end up on the projector and on other
people's phones. Unicode has characters that change how the text around
them is shown without being seen themselves: bidi overrides (U+202E turns
"Anna‮gnp.exe" around), zero-width spaces and joiners, and other format
characters (category Cf). A name made of them looks empty, or like someone
else's. They are removed; so are control characters (category Cc).
"""

from __future__ import annotations

import unicodedata

_INVISIBLE = {"Cf", "Cc", "Co", "Cs", "Zl", "Zp"}


def visible(text: str) -> str:
    """``text`` without format, control and private-use characters (Cf, Cc, Co, Cs).

    Line and paragraph separators become spaces; callers collapse spaces.
    """
    if text.isascii():
        return "".join(c for c in text if c.isprintable() or c.isspace())
    return "".join(
        " " if c.isspace() else c
        for c in text
        if unicodedata.category(c) not in _INVISIBLE or c.isspace()
    )


def one_line(text: str | None) -> str:
    """Visible characters, whitespace collapsed to single spaces, trimmed."""
    return " ".join(visible(text or "").split())
