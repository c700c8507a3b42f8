import pytest
from hypothesis import given
from hypothesis import strategies as st

from rooms.codes import ALPHABET, LENGTH, code_from_bytes, display_code, normalise_code


def test_alphabet_has_no_look_alikes() -> None:
    for confusable in "0O1IL":
        assert confusable not in ALPHABET


@given(st.binary(min_size=LENGTH, max_size=12))
def test_generated_codes_are_valid_and_survive_what_people_type(raw: bytes) -> None:
    code = code_from_bytes(raw)
    assert len(code) == LENGTH
    assert normalise_code(code) == code
    assert normalise_code(code.lower()) == code
    assert normalise_code(display_code(code)) == code
    assert normalise_code(f"  {display_code(code).lower()} ") == code


def test_display_code_puts_the_hyphen_in_the_middle() -> None:
    assert display_code("ABCDEF") == "ABC-DEF"


def test_rejects_what_cannot_be_a_code() -> None:
    for bad in ["", "ABCDE", "ABCDEFG", "ABC--DEF", "AB-CDEF", "ABCDE0", "ABCDEI", "ABCDE!"]:
        assert normalise_code(bad) is None, bad


def test_needs_six_bytes() -> None:
    with pytest.raises(ValueError, match="six"):
        code_from_bytes(b"12345")
