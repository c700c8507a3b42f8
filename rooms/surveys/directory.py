"""The directory of initiatives: entries built from inventory responses that consent.

Only a survey made from the "bestandsaufnahme" template has a directory: its
question ids are what an entry is read from. A response becomes an entry
when its consent question says yes; the organiser reviews each entry and
publishes it (or takes it back), and may switch on a public page that shows
the published entries. Contacts appear only in entries with consent, which
is every entry.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from rooms.surveys.answers import Answers
from rooms.surveys.definition import ORGANISATION_TYPES, Survey

DIRECTORY_TEMPLATE = "bestandsaufnahme"


class Member(msgspec.Struct, frozen=True):
    kind: str  # an option of member_types (business, union, …)
    count: int | None


class DirectoryEntry(msgspec.Struct, frozen=True):
    response: int  # the response's number, 1-based, as in the exports
    name: str
    region: str | None
    area: str
    founded: int | None
    topics: list[str]
    other_topic: str
    members: list[Member]
    contact_name: str
    contact_email: str
    published: bool


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _strs(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def entry_of(number: int, answers: Answers, published: bool) -> DirectoryEntry | None:
    """The entry a response makes, or None without consent or a name."""
    if answers.get("consent") != "yes" or not isinstance(answers.get("name"), str):
        return None
    kinds = _strs(answers.get("member_types"))
    return DirectoryEntry(
        response=number,
        name=str(answers["name"]),
        region=str(answers["region"]) if isinstance(answers.get("region"), str) else None,
        area=str(answers.get("area") or ""),
        founded=_int(answers.get("founded")),
        topics=_strs(answers.get("topics")),
        other_topic=str(answers.get("topics.other") or ""),
        members=[
            Member(kind, _int(answers.get(f"members_{kind}")))
            for kind in kinds
            if kind in ORGANISATION_TYPES
        ],
        contact_name=str(answers.get("contact_name") or ""),
        contact_email=str(answers.get("contact_email") or ""),
        published=published,
    )


def directory(
    responses: Sequence[Answers],
    published: set[int],
    *,
    region: str | None = None,
    topic: str | None = None,
    text: str = "",
    only_published: bool = False,
) -> list[DirectoryEntry]:
    """Every entry, filtered by region, topic and a search text (name, area, topics)."""
    needle = text.strip().casefold()
    found = []
    for number, answers in enumerate(responses, start=1):
        entry = entry_of(number, answers, number in published)
        if entry is None or (only_published and not entry.published):
            continue
        if region and entry.region != region:
            continue
        if topic and topic not in entry.topics:
            continue
        haystack = " ".join([entry.name, entry.area, entry.other_topic]).casefold()
        if needle and needle not in haystack:
            continue
        found.append(entry)
    return sorted(found, key=lambda e: e.name.casefold())


def has_directory(survey: Survey, template: str | None) -> bool:
    """A survey from the inventory template whose questions are still there."""
    return template == DIRECTORY_TEMPLATE and survey.question("consent") is not None
