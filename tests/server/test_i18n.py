"""German and English are complete, and the catalogs match the code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import read_po

from server.i18n import REASONS, gettext, pick_language, reason_text

ROOT = Path(__file__).resolve().parents[2]


def catalog_ids(lang: str) -> dict[object, Message]:
    with (ROOT / "locale" / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=lang)
    return {m.id: m for m in catalog if m.id}


@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_message_is_translated(lang: str) -> None:
    missing = []
    for msgid, message in catalog_ids(lang).items():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or message.fuzzy:
            missing.append(msgid)
    assert missing == []


def test_catalogs_hold_every_string_the_code_uses(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    pybabel = str(Path(sys.executable).parent / "pybabel")
    subprocess.run(
        [pybabel, "-q", "extract", "-F", "babel.cfg", "-k", "N_", "-k", "gettext:2",
         "-o", str(pot), "--no-location", "."],
        cwd=ROOT, check=True,
    )  # fmt: skip
    with pot.open("rb") as f:
        used = {m.id for m in read_po(f) if m.id}
    for lang in ("de", "en"):
        absent = used - set(catalog_ids(lang))
        assert absent == set(), f"run `make i18n` and translate: {sorted(map(str, absent))}"


def test_every_refusal_reason_has_words() -> None:
    for reason in REASONS:
        assert reason_text("de", reason) != reason_text("en", reason) or reason == "bad_token"
    assert gettext("de", REASONS["not_allowed"]) == "Das dürfen Sie nicht."
    assert (
        reason_text("en", "no_such_reason")
        == "The app sent something the server did not understand."
    )


def test_language_choice_falls_back_to_german() -> None:
    assert pick_language(None, "", "fr-FR") == "de"
    assert pick_language(None, "en-GB") == "en"
    assert pick_language("de", "en") == "de"


def test_every_refusal_anywhere_in_rooms_has_words() -> None:
    """Each reason key a decide can return, in any activity, has a text to translate."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "rooms"
    found: set[str] = set()
    for module in root.rglob("*.py"):
        found |= set(re.findall(r'Rejected\("([a-z_]+)"', module.read_text(encoding="utf-8")))
    assert found
    assert found <= set(REASONS), sorted(found - set(REASONS))
