"""A packed outcome gives back exactly what was packed, and is found by its cid alone.

The room's map holds each remembered outcome as one ``bytes`` object
(:mod:`rooms.outcomes`); these hold the layout to what the room relies on:
any cid the wire lets through (phones' 24 hex digits, anything else up to 64
characters, lone surrogates included), any seq a log can reach, with or
without an id; a lookup never confuses two cids, whatever their forms.
"""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rooms import outcomes
from rooms.activities import Outcome

phone_cids = st.binary(min_size=12, max_size=12).map(bytes.hex)
any_cids = st.one_of(
    phone_cids,
    phone_cids.map(str.upper),  # hex, but not as phones write it: kept as text
    st.text(min_size=1, max_size=64),
    st.text(alphabet=st.characters(codec=None, categories=["Cs"]), min_size=1, max_size=4),
)
seqs = st.integers(min_value=1, max_value=2**40 - 1)
ids = st.none() | st.text(max_size=40)


@settings(max_examples=500, deadline=None)
@given(any_cids, seqs, ids)
def test_unpack_gives_back_what_was_packed(cid: str, seq: int, id: str | None) -> None:
    assert outcomes.unpack(outcomes.pack(outcomes.cid_key(cid), seq, id)) == Outcome(cid, seq, id)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(any_cids, seqs, ids), max_size=64, unique_by=lambda t: t[0]), any_cids)
def test_find_answers_as_a_search_by_cid_would(
    remembered: list[tuple[str, int, str | None]], asked: str
) -> None:
    key = outcomes.cid_key
    recent = tuple(outcomes.pack(key(cid), seq, id) for cid, seq, id in remembered)
    for packed, (cid, _, _) in zip(recent, remembered, strict=True):
        assert outcomes.find(recent, key(cid)) is packed
    found = outcomes.find(recent, key(asked))
    expected = [entry for entry in remembered if entry[0] == asked]
    if expected:
        assert found is not None and outcomes.unpack(found) == Outcome(*expected[0])
    else:
        assert found is None


def test_a_phone_cid_and_the_same_bytes_as_text_are_two_cids() -> None:
    phone = "00112233445566778899aabb"
    as_text = bytes.fromhex(phone).decode("latin-1")  # 12 characters, other bytes in UTF-8
    key = outcomes.cid_key
    recent = (outcomes.pack(key(phone), 5), outcomes.pack(key(phone.upper()), 6, "c1"))
    assert key(phone)[0] == outcomes.HEX and key(phone.upper())[0] == 0
    assert outcomes.find(recent, key(as_text)) is None
    assert outcomes.find(recent, key(phone)) is recent[0]
    assert outcomes.find(recent, key(phone.upper())) is recent[1]


@pytest.mark.parametrize("id", [None, "c7"])
def test_a_cid_longer_than_any_length_field_of_two_bytes_still_packs(id: str | None) -> None:
    """The wire refuses cids over 64 characters, but an old log may hold one, and
    its replay must not fail: a 70,000-byte cid round-trips and is found."""
    cid = "x" * 70_000
    packed = outcomes.pack(outcomes.cid_key(cid), 9, id)
    assert outcomes.unpack(packed) == Outcome(cid, 9, id)
    assert outcomes.find((packed,), outcomes.cid_key(cid)) is packed
    assert outcomes.find((packed,), outcomes.cid_key(cid[:-1])) is None


def test_a_seq_beyond_the_layout_is_refused_loudly() -> None:
    with pytest.raises(OverflowError):
        outcomes.pack(outcomes.cid_key("c1"), 2**40)


def test_a_phone_ballot_outcome_is_one_small_object() -> None:
    """Why the packing exists: a struct, its cid string and its seq int took 144-160 bytes."""
    packed = outcomes.pack(outcomes.cid_key("0123456789abcdef01234567"), 123_456)
    assert len(packed) == 1 + outcomes.SEQ_BYTES + 12
    assert sys.getsizeof(packed) <= 64
