"""Working titles for suggested groups: a word or short phrase the group's cards share.

What a facilitator would write on the heading card: the term several cards
use and the other groups don't ("Parkplätze", "bezahlbarer Wohnraum"), in
its base form where the cards only have an inflected one ("Industriegebiet",
not "Industriegebieten"). Words are compared by their lemma (``simplemma``:
dictionaries for German and English inside the wheel, MIT), so "Mieten" and
"Miete" count as one. A term scores by how many of the group's cards use it,
weighted by how rare it is on the rest of the board (c-TF-IDF); a category
that most of the group's cards carry wins outright; a group whose cards
share no term gets the key words of its most central card.

The moderator renames anything; the name only has to be a good start.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

_WORD = re.compile(r"[^\W\d_][^\W\d_\-]*(?:-[^\W\d_]+)*", re.UNICODE)
_STOP_TEXT = """
aber alle allem allen alles also auch auf aus bei beim bin bis bitte bzw dann dass denn der den für
dem des die das dies diese diesem diesen dieser dieses doch dort durch echt eher eine einen einem
einer eines einfach einmal endlich etwa etwas euch ganz gar geht gibt gut haben halt hat hier
ihre immer ist jede jeder jedes jetzt kann kaum kein keine keinen keiner kommt lange leider mal
man machen mehr mega mit muss müssen nach nicht nichts nie noch nur oder ohne sehr sein seit
sich sind so sollte sollten sonst statt total über und uns unsere unser unseren viel viele
vom von vor wäre weil wenn werden wieder wird wie wir wo zum zur zu zwischen damit sowie net
ned nix null eh ja nein bisschen bissle schon weg gscheit lol wär wer was warum
about after also been being both could does each from have into just like make more most much
need only other over should some such than that their them then there these they this those
through very were what when where which while with would your every never please
the and for are not our all too can get has was out one any who its let
fehlt fehlen brauchen braucht dauert dauern bringt bringts
"""
STOPWORDS = frozenset(_STOP_TEXT.split())
MIN_LETTERS = 3
SHARED_BY = 2  # a term must come from at least this many cards of a group
CATEGORY_SHARE = 0.5  # a category carried by more than this share of a group names it


@lru_cache(maxsize=50_000)
def lemma(word: str) -> str:
    """The dictionary form of a German or English word (itself when unknown)."""
    import simplemma

    found = simplemma.lemmatize(word, lang=("de", "en"))
    if found == word and word.islower():
        # colloquial cards are often all lower case: "parkplätze" is still a noun
        capital = simplemma.lemmatize(word.capitalize(), lang="de")
        if capital != word.capitalize():
            return str(capital)
    return str(found)


def warm_up() -> None:
    """Load the dictionaries (a few seconds) before the first suggestion needs them."""
    lemma("Industriegebieten")
    lemma("houses")


def _terms(text: str) -> list[tuple[str, str, bool]]:
    """(key, surface, is a noun phrase) for each content word and adjective + noun pair."""
    words = [w for w in _WORD.findall(text) if len(w) >= MIN_LETTERS]
    out: list[tuple[str, str, bool]] = []
    previous: str | None = None
    for n, word in enumerate(words):
        if word.lower() in STOPWORDS:
            previous = None
            continue
        # the first word is capitalised anyway: "Fährt" is a verb, "Leute" a noun
        base = lemma(word.lower() if n == 0 else word)
        noun = (word[0].isupper() and n > 0) or base[0].isupper()
        out.append((base.lower(), word, noun))
        if previous is not None and noun and previous[0].islower():
            out.append((f"{lemma(previous).lower()} {base.lower()}", f"{previous} {word}", True))
        previous = word if word[0].islower() else None
    return out


def _display(key: str, surfaces: Counter[str]) -> str:
    """The form to show: the base form where the cards only inflect it, else the shortest."""
    if " " in key:
        return surfaces.most_common(1)[0][0]
    base = lemma(surfaces.most_common(1)[0][0])
    shortest = min(surfaces, key=lambda s: (len(s), s))
    if shortest.lower().startswith(base.lower()) and len(shortest) - len(base) > 1:
        return base  # "Industriegebieten" -> "Industriegebiet"
    return shortest


def _central_words(text: str, words: int = 3) -> str:
    kept = [w for w in _WORD.findall(text) if w.lower() not in STOPWORDS and len(w) >= MIN_LETTERS]
    return " ".join(kept[:words])


def names_for(
    groups: list[list[str]],
    central: list[str] | None = None,
    categories: list[list[str | None]] | None = None,
) -> list[str]:
    """One title per group of card texts; ``central[n]`` is group n's most central card."""
    per_card = [[{k: (w, noun) for k, w, noun in _terms(t)} for t in g] for g in groups]
    board_df: Counter[str] = Counter()
    for cards in per_card:
        for terms in cards:
            board_df.update(terms.keys())
    total = sum(len(g) for g in groups) or 1
    names: list[str] = []
    used: set[str] = set()
    for n, cards in enumerate(per_card):
        if categories is not None:
            chosen = Counter(c for c in categories[n] if c)
            if chosen:
                top, count = min(chosen.items(), key=lambda kv: (-kv[1], kv[0]))
                if count > CATEGORY_SHARE * len(cards) and top.lower() not in used:
                    names.append(top)
                    used.add(top.lower())
                    continue
        df: Counter[str] = Counter()
        surfaces: dict[str, Counter[str]] = {}
        nouns: set[str] = set()
        for terms in cards:
            df.update(terms.keys())
            for key, (surface, noun) in terms.items():
                surfaces.setdefault(key, Counter())[surface] += 1
                if noun:
                    nouns.add(key)
        shared = [k for k in df if df[k] >= min(SHARED_BY, len(cards)) and k not in used]
        # a heading is a noun phrase where the cards share one ("Strompreise", not "fehlen")
        shared = [k for k in shared if k in nouns] or shared
        scored = [
            (df[k] * math.log(1 + total / board_df[k]) * (1.3 if " " in k else 1.0), k)
            for k in shared
        ]
        if scored and len(cards) > 1:
            _, key = min(scored, key=lambda sk: (-sk[0], sk[1]))
            used.add(key)
            name = _display(key, surfaces[key])
            names.append(name[0].upper() + name[1:])
        else:
            text = central[n] if central is not None else (groups[n][0] if groups[n] else "")
            names.append(_central_words(text))
    return names
