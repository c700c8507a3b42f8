"""Words for the word cloud: normalised, German and English stop words removed.

Deliberately simple and predictable: lower case, split on anything that is
not a letter or digit, keep words of two or more characters. Facilitators
must be able to predict what the cloud shows, and hide a word by hand.
"""

from __future__ import annotations

import re
from collections import Counter

_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*", re.UNICODE)

_STOP = """
aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes
auch auf aus bei bin bis bist da damit dann das dass dem den der des dessen die dies diese
diesem diesen dieser dieses doch dort du durch ein eine einem einen einer eines einig einige
er es etwas euch euer für gegen gewesen hab habe haben hat hatte hier hin hinter ich ihr ihre
im in ist ja jede jedem jeden jeder jedes jetzt kann kein keine können man manche mehr mein
meine mich mir mit muss nach nicht nichts noch nun nur ob oder ohne schon sehr sein seine sich
sie sind so solche soll sollte sondern sonst über um und uns unser unsere unter viel vom von
vor war waren was weil welche wenn wer werden wie wieder will wir wird wo zu zum zur zwar
zwischen bzw usw
a about after all also am an and any are as at be because been but by can could did do does
for from had has have he her here his how i if in into is it its just me more most my no not
of on one or our out so some than that the their them then there these they this to too up us
very was we were what when where which who will with would you your
"""
STOP_WORDS = frozenset(_STOP.split())


def words_of(text: str) -> list[str]:
    """The cloud-worthy words of one answer, lower-cased, each once, in order."""
    return list(spellings_of(text))


def spellings_of(text: str) -> dict[str, str]:
    """Each cloud-worthy word of one answer (lower-cased) with its spelling as written."""
    seen: dict[str, str] = {}
    for match in _WORD.finditer(text):
        written = match.group(0).strip("-'")
        word = written.lower()
        if len(word) >= 2 and word not in STOP_WORDS and not word.isdigit():
            seen.setdefault(word, written)
    return seen


def word_counts(
    texts: list[str], hidden: set[str] | frozenset[str], limit: int = 40
) -> list[tuple[str, int, str]]:
    """How many answers use each word, most used first; ties alphabetically.

    Words are counted case-blind, so "Bürokratie" and "bürokratie" are one
    word, but shown as people wrote them most often: a projector showing
    "bürokratie" looks like a typo to the room. Ties between spellings go
    to the first written, so the label does not flicker as answers arrive.
    """
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    for text in texts:
        for word, written in spellings_of(text).items():
            if word in hidden:
                continue
            counts[word] += 1
            spellings.setdefault(word, Counter())[written] += 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [(word, count, spellings[word].most_common(1)[0][0]) for word, count in ranked]
