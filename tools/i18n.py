"""Keep the catalogs in step with the code: ``make i18n``.

Extracts every marked string from server/ and templates/ into
locale/messages.pot, then merges it into locale/{de,en}/LC_MESSAGES/messages.po.
New strings arrive untranslated; ``tests/server/test_i18n.py`` fails until
German and English are complete again.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYBABEL = str(Path(sys.executable).parent / "pybabel")
EXTRACT = [
    PYBABEL, "extract", "-F", "babel.cfg", "-k", "N_", "-k", "gettext:2",
    "-o", "locale/messages.pot", "--no-location", "--sort-output", "--omit-header",
    "--no-wrap", ".",
]  # fmt: skip


def main() -> None:
    subprocess.run(EXTRACT, cwd=ROOT, check=True)  # noqa: S603
    for lang in ("de", "en"):
        po = ROOT / "locale" / lang / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            po.parent.mkdir(parents=True, exist_ok=True)
            init = [PYBABEL, "init", "-i", "locale/messages.pot", "-d", "locale", "-l", lang]
            subprocess.run([*init, "--no-wrap"], cwd=ROOT, check=True)  # noqa: S603
        else:
            subprocess.run(  # noqa: S603
                [PYBABEL, "update", "-i", "locale/messages.pot", "-d", "locale", "-l", lang,
                 "--no-wrap", "--no-fuzzy-matching", "--ignore-obsolete"],
                cwd=ROOT, check=True,
            )  # fmt: skip


if __name__ == "__main__":
    main()
