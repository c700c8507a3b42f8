"""The outcome of a remembered command, packed into one ``bytes`` object.

A room remembers what each actor's recent commands did, under their cids, so
that a resend after a lost acknowledgement is answered again and not applied
twice (:func:`rooms.room.apply`). Every anonymous ballot is a command of its
own pseudonym, so a three-hour event of 1,000 phones remembers about 20,000
outcomes, all event long. Held as an :class:`~rooms.activities.Outcome` struct
with a ``str`` cid and an ``int`` seq, one took three objects and 144-160
bytes; packed, a ballot's is one object of 48-64 bytes (docs/architecture.md,
"Memory over a long event"). :class:`~rooms.activities.Outcome` stays what
callers read; only the room's map holds the packed form.

The layout, all of it fixed by the first byte:

- byte 0: flags, :data:`HEX` if the cid was 24 lowercase hex digits (what
  phones send; held as its 12 raw bytes, else as UTF-8), :data:`WITH_ID` if
  the command made something and the outcome names its id;
- bytes 1-5: the seq, big-endian (a room's log stays far below 2**40 entries);
- without an id: the cid's bytes, to the end;
- with an id: four bytes with the cid's length (the wire refuses cids over
  64 characters, but an old log or another entry point may hold longer
  ones, and a replay must not fail on them), the cid's bytes, then the id's
  UTF-8 to the end.

Text is UTF-8 with surrogates passed through: a cid comes from JSON, where a
lone ``\\ud800`` is valid, and must not crash a replay.
"""

from __future__ import annotations

from rooms.activities import Outcome

HEX = 0x01
WITH_ID = 0x02
SEQ_BYTES = 5
_CID_AT = 1 + SEQ_BYTES
_LENGTH_BYTES = 4
_PHONE_CID_CHARS = 24
_FLAGS = [bytes((flags,)) for flags in range(4)]

Packed = bytes
CidKey = tuple[int, bytes]
"""A cid as it is packed: its flag (:data:`HEX` or 0) and its bytes."""


def cid_key(cid: str) -> CidKey:
    """The flag and bytes a cid is packed as: worked out once per command, used to
    look it up (:func:`find`) and to pack its outcome (:func:`pack`)."""
    if len(cid) == _PHONE_CID_CHARS:
        try:
            raw = bytes.fromhex(cid)
        except ValueError:
            pass
        else:
            if raw.hex() == cid:  # lowercase, no spaces: it unpacks as it came
                return HEX, raw
    return 0, cid.encode("utf-8", "surrogatepass")


def pack(key: CidKey, seq: int, id: str | None = None) -> Packed:
    """One outcome as bytes; raises ``OverflowError`` for a seq of 2**40 or more."""
    flags, raw = key
    head = seq.to_bytes(SEQ_BYTES, "big")
    if id is None:
        return b"".join((_FLAGS[flags], head, raw))
    size = len(raw).to_bytes(_LENGTH_BYTES, "big")
    made = id.encode("utf-8", "surrogatepass")
    return b"".join((_FLAGS[flags | WITH_ID], head, size, raw, made))


def unpack(packed: Packed) -> Outcome:
    """The outcome :func:`pack` was given."""
    flags = packed[0]
    seq = int.from_bytes(packed[1:_CID_AT], "big")
    if flags & WITH_ID:
        start = _CID_AT + _LENGTH_BYTES
        end = start + int.from_bytes(packed[_CID_AT:start], "big")
        raw, id = packed[start:end], packed[end:].decode("utf-8", "surrogatepass")
    else:
        raw, id = packed[_CID_AT:], None
    cid = raw.hex() if flags & HEX else raw.decode("utf-8", "surrogatepass")
    return Outcome(cid, seq, id)


def find(recent: tuple[Packed, ...], key: CidKey) -> Packed | None:
    """The packed outcome of the cid ``key`` among an actor's recent ones (at most 64),
    newest first.

    Compares bytes in place, without unpacking: a command looks through its
    actor's outcomes on every decision.
    """
    flags, raw = key
    plain_size = _CID_AT + len(raw)
    size = len(raw).to_bytes(_LENGTH_BYTES, "big")
    for packed in reversed(recent):
        head = packed[0]
        if head & HEX != flags:
            continue
        if head & WITH_ID:
            if packed.startswith(size, _CID_AT) and packed.startswith(raw, _CID_AT + _LENGTH_BYTES):
                return packed
        elif len(packed) == plain_size and packed.endswith(raw):
            return packed
    return None
