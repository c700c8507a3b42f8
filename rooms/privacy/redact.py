"""Taking personal data out of a room's log: names, contacts and, on request, the ids.

Deleting really deletes: hiding a name in the views is not enough while the
log (the truth, replayed at every load) still holds it. :func:`scrub`
rewrites log entries so that they no longer carry the names and contacts of
the given participants (or of everyone), and optionally replaces their
random ids by fresh pseudonyms, which cuts every link between the log and a
browser's cookie. The store then overwrites the old entries
(``server/privacy.py``).

It works on the entries' plain data, with one table of which event fields
are personal (:data:`PERSONAL`), so it needs no knowledge of each activity's
Structs; an activity that logs a new personal field adds one line here.
Texts people wrote (cards, answers, notes) are the event's results and stay.

Scrubbing agrees with :func:`rooms.privacy.apply`: replaying a scrubbed log
that ends with the erasure gives the same state as applying the erasure
live, which the tests check.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import msgspec

from rooms.room import Envelope

# event tag -> (the field naming whose data it is, {personal field: the value it becomes})
PERSONAL: dict[str, tuple[str, dict[str, Any]]] = {
    "participant.joined": ("participant", {"name": None}),
    "participant.renamed": ("participant", {"name": None}),
    "idea.posted": ("author", {"name": None}),
    "action.joined": ("participant", {"name": "", "contact": None}),
    "question.asked": ("participant", {"name": None}),
    # participant None: a name the moderator added; it goes when everyone's data goes
    "speakers.requested": ("participant", {"name": ""}),
}


def scrub(
    entries: list[Envelope],
    erased: Collection[str] | None,
    pseudonyms: Mapping[str, str] | None = None,
) -> list[Envelope]:
    """The entries without the personal data of ``erased`` (None: of everyone).

    ``pseudonyms`` (participant id -> new id) also replaces those ids
    wherever they occur: as a value, as a key, and in actor keys ``p:<id>``.
    Entries that do not change are returned as the same objects, so a caller
    can store only what changed.
    """
    out = []
    for entry in entries:
        plain = msgspec.to_builtins(entry)
        if scrub_plain(plain, erased, pseudonyms):
            out.append(msgspec.convert(plain, Envelope))
        else:
            out.append(entry)
    return out


def scrub_plain(
    entry: dict[str, Any],
    erased: Collection[str] | None,
    pseudonyms: Mapping[str, str] | None = None,
) -> bool:
    """:func:`scrub` on one entry as plain data (decoded JSON), in place; True if it changed.

    For exports that never need the typed entries: decoding to plain data
    and back is about ten times cheaper than through the Structs.
    """
    changed = _scrub_event(entry["event"], erased)
    if pseudonyms:
        renamed = _rename(entry, pseudonyms)
        if renamed != entry:
            entry.clear()
            entry.update(renamed)
            changed = True
    return changed


def _scrub_event(event: dict[str, Any], erased: Collection[str] | None) -> bool:
    rule = PERSONAL.get(event.get("type", ""))
    if rule is None:
        return False
    whose, fields = rule
    if erased is not None and event.get(whose) not in erased:
        return False
    changed = False
    for field, blank in fields.items():
        if event.get(field, blank) != blank:
            event[field] = blank
            changed = True
    return changed


def _rename(value: Any, pseudonyms: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        if value in pseudonyms:
            return pseudonyms[value]
        if value.startswith("p:") and value[2:] in pseudonyms:
            return "p:" + pseudonyms[value[2:]]
        return value
    if isinstance(value, dict):
        return {_rename(k, pseudonyms): _rename(v, pseudonyms) for k, v in value.items()}
    if isinstance(value, list):
        return [_rename(v, pseudonyms) for v in value]
    return value


def participant_ids(entries: list[Envelope] | list[dict[str, Any]]) -> list[str]:
    """Everyone who ever joined, in order: the ids a full redaction replaces."""
    seen: dict[str, None] = {}
    for entry in entries:
        event = entry["event"] if isinstance(entry, dict) else msgspec.to_builtins(entry.event)
        if event.get("type") == "participant.joined":
            seen[event["participant"]] = None
    return list(seen)
