"""Translations: German first, English complete; one catalog per language.

Catalogs are read from the ``.po`` files at start-up (no compile step to
forget), and every Jinja environment gets its language's catalog installed.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "de"


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet."""
    return message


@cache
def translations(lang: str) -> Translations:
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def gettext(lang: str, message: str) -> str:
    return translations(lang).gettext(message)


def pick_language(*candidates: str | None) -> str:
    """The first supported language among the candidates, else German."""
    for candidate in candidates:
        if candidate:
            short = candidate.strip().lower()[:2]
            if short in LANGUAGES:
                return short
    return DEFAULT_LANGUAGE


def from_accept_language(header: str | None) -> str | None:
    """The first supported language in an Accept-Language header, if any."""
    if not header:
        return None
    for part in header.split(","):
        short = part.split(";")[0].strip().lower()[:2]
        if short in LANGUAGES:
            return short
    return None


# Refusal reasons from rooms/ and the transport, in the user's words.
REASONS: dict[str, str] = {
    "not_allowed": N_("You are not allowed to do that."),
    "unknown_event": N_("There is no event with this code."),
    "event_exists": N_("This event already exists."),
    "event_closed": N_("This event has ended."),
    "event_full": N_("This event is full. Please ask the organisers."),
    "already_joined": N_("You have already joined."),
    "not_joined": N_("You are not part of this event (any more). Please join again."),
    "name_too_long": N_("Please use a shorter name (at most 40 characters)."),
    "title_missing": N_("Please give the event a title."),
    "title_too_long": N_("Please use a shorter title (at most 120 characters)."),
    "rate_limited": N_("That was a lot at once. Please wait a moment and try again."),
    "store_unavailable": N_("The server could not save this. Please try again."),
    "bad_message": N_("The app sent something the server did not understand."),
    "message_too_large": N_("That message is too large."),
    "unknown_command": N_("The server does not know this action."),
    "hello_first": N_("Please connect again."),
    "bad_token": N_("This link or token is not valid for this event."),
}


def reason_text(lang: str, reason: str | None) -> str | None:
    if reason is None:
        return None
    return gettext(lang, REASONS.get(reason, REASONS["bad_message"]))
