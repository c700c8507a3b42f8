"""The golden log: a log written by an earlier release replays to the views it had then.

``tests/data/golden/every_activity.log.json`` was recorded by
``tests/rooms/golden/record.py`` on the code before the activities became
plug-ins; it uses every activity and every event type of that release. The
stored files are never re-recorded to make a test pass: a difference here
means the code changed what an old log means (see "Events that last" in
docs/architecture.md).
"""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from rooms.room import Envelope, RoomState, apply
from tests.rooms.golden.record import LOG_FILE, VIEWS_FILE, tag_of
from tests.rooms.golden.views import added_fields_removed, golden_views, with_accepted_changes

_decode_entry = msgspec.json.Decoder(Envelope).decode
_encode_entry = msgspec.json.Encoder().encode


def _stored_entries() -> list[msgspec.Raw]:
    """Each log entry's bytes exactly as stored (the file is a JSON array of them)."""
    return msgspec.json.decode(LOG_FILE.read_bytes(), type=list[msgspec.Raw])


def _stored_checkpoints() -> list[dict[str, Any]]:
    checkpoints: list[dict[str, Any]] = json.loads(VIEWS_FILE.read_text(encoding="utf-8"))
    return checkpoints


def test_each_stored_entry_decodes_and_encodes_back_byte_for_byte() -> None:
    """Encoding a decoded entry gives its stored bytes, unless a later release added a
    field with a default (the upcasting rule allows that): then the stored fields must
    come back unchanged, and the new ones at their defaults. ``msgspec`` ignores
    unknown fields, so this is what catches a renamed or dropped field."""
    entries = _stored_entries()
    assert len(entries) > 150
    tags: set[str] = set()
    for raw in entries:
        envelope = _decode_entry(raw)
        tags.add(tag_of(type(envelope.event)))
        again = _encode_entry(envelope)
        if again != bytes(raw):
            _assert_only_fields_with_defaults_added(msgspec.json.decode(raw), envelope)
    # Every activity's events are in it (the recorder checks every single type).
    prefixes = {tag.split(".")[0] for tag in tags}
    assert {"event", "participant", "screen", "poll", "cafe", "ideas", "idea"} <= prefixes
    assert {"cluster", "dots", "action"} <= prefixes


def _assert_only_fields_with_defaults_added(stored: dict[str, Any], envelope: Envelope) -> None:
    now: dict[str, Any] = msgspec.to_builtins(envelope)
    event_type = type(envelope.event)
    where = f"{tag_of(event_type)} at seq {envelope.seq}"
    old_event, new_event = stored.pop("event"), now.pop("event")
    assert now == stored, where
    for name, value in old_event.items():
        assert new_event.get(name) == value, f"{where}: {name} changed or was dropped"
    defaults = {
        f.encode_name: f.default if f.default_factory is msgspec.NODEFAULT else f.default_factory()
        for f in msgspec.structs.fields(event_type)
        if f.default is not msgspec.NODEFAULT or f.default_factory is not msgspec.NODEFAULT
    }
    for name in new_event.keys() - old_event.keys():
        assert name in defaults, f"{where}: new field {name} has no default"
        assert new_event[name] == msgspec.to_builtins(defaults[name]), f"{where}: {name}"


@pytest.mark.parametrize("checkpoint", range(len(_stored_checkpoints())))
def test_replaying_the_golden_log_gives_the_recorded_views(checkpoint: int) -> None:
    stored = _stored_checkpoints()[checkpoint]
    log = [_decode_entry(raw) for raw in _stored_entries()]
    state = RoomState()
    for envelope in log[: stored["seq"]]:
        apply(state, envelope)
    assert state.seq == stored["seq"]
    views = golden_views(state)
    recorded_views = with_accepted_changes(stored["name"], stored["views"])
    assert views.keys() == recorded_views.keys()
    for name, view in views.items():  # one view at a time, for a readable difference
        recorded = recorded_views[name]
        assert added_fields_removed(view, recorded) == recorded, f"{stored['name']}: {name}"
