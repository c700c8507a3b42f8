"""Jinja rendering, one environment per language.

Pages and live fragments come from the same partials: a partial rendered
with ``oob=True`` carries ``hx-swap-oob`` and replaces its twin by ``id``.
"""

from __future__ import annotations

import hashlib
import time
from datetime import date, datetime
from functools import cache, partial
from pathlib import Path
from typing import Any

import jinja2
import msgspec
from babel.dates import format_date
from babel.numbers import format_decimal

from rooms.activities import SCRIPTS, STAGES, STYLES
from rooms.codes import display_code
from server.hyphens import soft_hyphens, warm_up
from server.i18n import LANGUAGES, reason_text, translations

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"


@cache
def static_url(path: str) -> str:
    """A cache-busting URL: phones on venue Wi-Fi cache assets for good."""
    digest = hashlib.sha256((STATIC / path).read_bytes()).hexdigest()[:10]
    return f"/static/{path}?v={digest}"


def _format_ms(ms: int, fmt: str = "%H:%M") -> str:
    return datetime.fromtimestamp(ms / 1000).strftime(fmt)


def _now_ms() -> int:
    """The server's clock for a full page: countdowns agree even where a phone's clock is off."""
    return time.time_ns() // 1_000_000


def _dumps(obj: Any, **_: Any) -> str:
    """``|tojson`` through msgspec, which knows the view Structs."""
    return msgspec.json.encode(obj).decode()


def _decimal(lang: str, value: float, digits: int = 1) -> str:
    """2,8 in German, 2.8 in English."""
    return format_decimal(round(value, digits), format=f"#,##0.{'#' * digits}", locale=lang)


def _date(lang: str, iso: str | None) -> str:
    """An ISO date as people write it: 30.09.2026 in German, Sep 30, 2026 in English.

    Anything that is not an ISO date is shown as it is (an old log may hold one).
    """
    if not iso:
        return ""
    try:
        day = date.fromisoformat(iso)
    except ValueError:
        return iso
    return format_date(day, format="medium", locale=lang)


def _hyphenate(lang: str, text: str) -> str:
    return soft_hyphens(text, lang)


class Renderer:
    def __init__(self) -> None:
        warm_up()  # the hyphenation dictionaries load in the background
        loader = jinja2.FileSystemLoader(TEMPLATES)
        self._envs: dict[str, jinja2.Environment] = {}
        for lang in LANGUAGES:
            env = jinja2.Environment(
                loader=loader,
                autoescape=True,
                extensions=["jinja2.ext.i18n"],
                trim_blocks=True,
                lstrip_blocks=True,
                undefined=jinja2.StrictUndefined,
            )
            env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
            env.globals.update(static=static_url, lang=lang, languages=LANGUAGES, stages=STAGES)
            env.globals.update(activity_styles=STYLES, activity_scripts=SCRIPTS)
            env.policies["json.dumps_function"] = _dumps
            env.globals["now_ms"] = _now_ms
            env.filters["code"] = display_code
            env.filters["clock"] = _format_ms
            env.filters["decimal"] = partial(_decimal, lang)
            env.filters["hyphenate"] = partial(_hyphenate, lang)
            env.filters["date"] = partial(_date, lang)
            env.globals["reason"] = partial(reason_text, lang)  # a refusal's text, e.g. undo's
            self._envs[lang] = env

    def render(self, lang: str, template: str, **context: Any) -> str:
        env = self._envs.get(lang) or self._envs["de"]
        return env.get_template(template).render(**context)
