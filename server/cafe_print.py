"""What the café's printed lists show: names sorted as a list of people is read.

A printed list is for people without a smartphone, who look for their own
name. They look under their surname, so the lists are sorted by surname
(DIN 5007-1: umlauts as their base letter, ß as ss), with academic titles
and "von"/"van"/"de" left out of the sort (nobody looks for Prof. Dr. Weber
under P). People without a name cannot look themselves up, so they are left
out and counted instead. Hosts are marked, and each table gets a page of its
own: who comes to it in each round, for the host to greet.
"""

from __future__ import annotations

import re
import unicodedata

import msgspec

from rooms.cafe.views import CafePerson

# Titles and name particles that do not decide where a name is sorted.
_TITLES = re.compile(
    r"^(?:(?:prof|dr|dipl|ing|mag|med|rer|nat|phil|jur|habil|h\.\s*c|m\.\s*a|b\.\s*a|ma|ba|msc|bsc)\.?[-\s]*)+",
    re.IGNORECASE,
)
_PARTICLES = {"von", "van", "de", "der", "zu", "vom", "zum", "den", "di", "da", "la", "le"}
_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss", "Ä": "a", "Ö": "o", "Ü": "u"})


def _fold(text: str) -> str:
    """DIN 5007-1: ä sorts as a, ß as ss; other accents dropped; case ignored."""
    folded = text.translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def surname_key(name: str) -> tuple[str, str]:
    """(surname, given names), folded: "Prof. Dr. Anna von Weber" → ("weber", "anna von")."""
    bare = _TITLES.sub("", name.strip()).strip()
    words = bare.split()
    if not words:
        return (_fold(name), "")
    # "Weber, Anna" is already surname first.
    if "," in bare:
        surname, _, given = bare.partition(",")
        return (_fold(surname.strip()), _fold(given.strip()))
    first_names = [w for w in words[:-1] if w.casefold() not in _PARTICLES]
    return (_fold(words[-1]), _fold(" ".join(first_names)))


class ListRow(msgspec.Struct, frozen=True):
    name: str
    host: bool
    table: int | None


class TableSheet(msgspec.Struct, frozen=True):
    """One table's page: its host and who comes in each round."""

    number: int
    host: str | None
    rounds: list[list[str]]


class PrintedLists(msgspec.Struct, frozen=True):
    rounds: list[list[ListRow]]  # per round, sorted by surname
    tables: list[TableSheet]
    without_name: int  # planned in, but with no name to look up


def printed_lists(
    people: list[CafePerson], tables: list[tuple[int, str | None]], rounds: int
) -> PrintedLists:
    """The lists for ``rounds`` rounds; ``tables`` are (number, host's name or None)."""
    named = sorted(
        (p for p in people if p.name and p.name.strip()), key=lambda p: surname_key(p.name or "")
    )
    by_round = [
        [ListRow(p.name or "", p.host, p.tables[r] if r < len(p.tables) else None) for p in named]
        for r in range(rounds)
    ]
    sheets = []
    for number, host in tables:
        guests = [
            [
                p.name or ""
                for p in named
                if not p.host and r < len(p.tables) and p.tables[r] == number
            ]
            for r in range(rounds)
        ]
        sheets.append(TableSheet(number, host, guests))
    return PrintedLists(by_round, sheets, len(people) - len(named))
