"""Soft hyphens in long words, for text on the projector.

German runs to long compounds ("Breitbandanbindung", "Genehmigungsverfahren").
On a card or a bar label they must break, and a break without a hyphen
("Breitbandanbindu/ng") reads as a typo from the back of the hall. CSS
``hyphens: auto`` needs the browser's hyphenation dictionaries, which
Chromium on Linux fetches only through its component updater (so a venue
laptop offline, or Debian's headless build, has none). So the server puts
soft hyphens (U+00AD) into long words with pyphen's dictionaries: the browser
breaks there and shows a hyphen only where it breaks.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pyphen

SOFT_HYPHEN = "\u00ad"
# Shorter words fit on any line of the screen's layouts.
LONG_WORD = re.compile(r"\w{10,}")
_DICTIONARIES = {"de": "de_DE", "en": "en_US"}


@lru_cache(maxsize=4)
def _dictionary(lang: str) -> pyphen.Pyphen:
    return pyphen.Pyphen(lang=_DICTIONARIES.get(lang, "de_DE"))


@lru_cache(maxsize=8192)
def _word(lang: str, word: str) -> str:
    hyphenated: str = _dictionary(lang).inserted(word, hyphen=SOFT_HYPHEN)
    return hyphenated


def soft_hyphens(text: str, lang: str) -> str:
    """``text`` with soft hyphens at the syllable breaks of its long words."""
    return LONG_WORD.sub(lambda m: _word(lang, m.group(0)), text)
