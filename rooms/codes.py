"""Join codes: six characters a person can read off a projector and type on a phone.

The alphabet leaves out look-alikes (0/O, 1/I/L), so what people type is
what was shown. Randomness comes in as bytes: the core draws none itself.
"""

from __future__ import annotations

import re

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 6
_CODE = re.compile(rf"^[{ALPHABET}]{{{LENGTH}}}$")


def code_from_bytes(random_bytes: bytes) -> str:
    """Turn at least six random bytes into a join code.

    The slight modulo bias (256 % 31) is irrelevant for codes that are
    looked up, never used as secrets.
    """
    if len(random_bytes) < LENGTH:
        raise ValueError("need at least six random bytes")
    return "".join(ALPHABET[b % len(ALPHABET)] for b in random_bytes[:LENGTH])


def normalise_code(raw: str) -> str | None:
    """Accept what people actually type: any case, spaces, one hyphen in the middle.

    Returns the canonical code, or None when the input cannot be a code.
    """
    cleaned = raw.strip().upper().replace(" ", "")
    if len(cleaned) == LENGTH + 1 and cleaned[LENGTH // 2] == "-":
        cleaned = cleaned[: LENGTH // 2] + cleaned[LENGTH // 2 + 1 :]
    return cleaned if _CODE.match(cleaned) else None


def display_code(code: str) -> str:
    """The form shown to people: ``ABC-DEF``, easier to read aloud."""
    return f"{code[: LENGTH // 2]}-{code[LENGTH // 2 :]}"
