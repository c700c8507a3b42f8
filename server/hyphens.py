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
import threading
from functools import lru_cache

import pyphen

SOFT_HYPHEN = "\u00ad"
# Shorter words fit on any line of the screen's layouts.
LONG_WORD = re.compile(r"\w{10,}")
_DICTIONARIES = {"de": "de_DE", "en": "en_US"}


# Loading a dictionary parses thousands of patterns: about a second, several on a
# busy laptop. Rendering runs in the room's event loop and must not wait for that,
# so the dictionaries load in a thread (started with the renderer), and until one
# is there its language is shown without soft hyphens.
_loaded: dict[str, pyphen.Pyphen] = {}
_started = threading.Event()


def _load_all() -> None:
    for lang, name in _DICTIONARIES.items():
        _loaded[lang] = pyphen.Pyphen(lang=name)


def warm_up() -> None:
    """Start loading the dictionaries in the background (once per process)."""
    if not _started.is_set():
        _started.set()
        threading.Thread(target=_load_all, name="hyphen-dictionaries", daemon=True).start()


@lru_cache(maxsize=8192)
def _word(lang: str, word: str) -> str:
    hyphenated: str = _loaded[lang].inserted(word, hyphen=SOFT_HYPHEN)
    return hyphenated


def soft_hyphens(text: str, lang: str) -> str:
    """``text`` with soft hyphens at the syllable breaks of its long words.

    Without the dictionary loaded yet, the text as it is: never a wait.
    """
    key = lang if lang in _DICTIONARIES else "de"
    if key not in _loaded:
        warm_up()
        return text
    return LONG_WORD.sub(lambda m: _word(key, m.group(0)), text)
