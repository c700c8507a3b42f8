"""Fill untranslated entries from a Python dict of German strings: a translator's helper.

``python tools/fill_catalog.py strings.py`` where strings.py defines ``DE``
(msgid -> German, or a (singular, plural) pair). English entries are filled
with the msgid itself, since the source strings are English.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent


def main(path: str) -> None:
    german = runpy.run_path(path)["DE"]
    for lang in ("de", "en"):
        po = ROOT / "locale" / lang / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as f:
            catalog = read_po(f, locale=lang)
        missing = []
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if all(strings):
                continue
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            if lang == "en":
                message.string = message.id
            elif key in german:
                message.string = german[key]
            else:
                missing.append(key)
        with po.open("wb") as f:
            write_po(f, catalog, width=0)
        if missing:
            print(f"{lang}: still untranslated: {missing}")


if __name__ == "__main__":
    main(sys.argv[1])
