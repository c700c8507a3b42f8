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

from rooms.activities import REASONS as ACTIVITY_REASONS

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
    "details_too_long": N_("Place, organisers and region may have at most 120 characters each."),
    "retention_invalid": N_("Please keep the data between 1 and 3,650 days."),
    "logo_missing": N_("Please choose an image file for the logo."),
    "logo_type": N_("The logo must be a PNG or JPEG image (SVG is not accepted)."),
    "logo_too_big": N_("The logo may be at most 1 MB and 40 megapixels."),
    "logo_broken": N_("This image could not be read. Please save it again as PNG or JPEG."),
    "slide_missing": N_("Please choose an image file for the slide."),
    "slide_type": N_("A slide image must be a PNG or JPEG image (SVG is not accepted)."),
    "slide_too_big": N_("A slide image may be at most 5 MB and 40 megapixels."),
    "slide_broken": N_("This image could not be read. Please save it again as PNG or JPEG."),
    "rate_limited": N_("That was a lot at once. Please wait a moment and try again."),
    "store_unavailable": N_("The server could not save this. Please try again."),
    "bad_message": N_("The app sent something the server did not understand."),
    "message_too_large": N_("That message is too large."),
    "unknown_command": N_("The server does not know this action."),
    "hello_first": N_("Please connect again."),
    "upgrade_required": N_("This address is a live connection (WebSocket), not a page."),
    "bad_token": N_("This link or token is not valid for this event."),
    "joins_busy": N_("Very many people are joining right now. Please try again in a minute."),
    "joining_locked": N_("The moderators have paused joining for the moment. Please ask them."),
    "cid_invalid": N_("The app sent a command id the server cannot use. Please reload the page."),
    "idempotency_key_invalid": N_(
        "An Idempotency-Key must be 16 to 200 printable characters, for example a random UUID."
    ),
    # polls
    "question_missing": N_("Please enter a question."),
    "question_too_long": N_("Please use a shorter question (at most 200 characters)."),
    "options_missing": N_("Please give at least two options, one per line."),
    "too_many_options": N_("At most 20 options, please."),
    "option_too_long": N_("Please keep each option under 120 characters."),
    "scale_invalid": N_("A scale needs 2 to 11 steps, for example 1 to 5 or 0 to 10."),
    "budget_invalid": N_("Points: give a budget of 1 to 1000 and a maximum per option within it."),
    "max_choices_invalid": N_("At most as many choices as there are options."),
    "too_many_polls": N_("This event has as many polls as it can hold."),
    "poll_not_found": N_("This poll is not available."),
    "poll_not_draft": N_("Only drafts can be changed or deleted. Duplicate the poll to change it."),
    "poll_not_open": N_("Open the poll first."),
    "poll_closed": N_("This poll has closed. Your vote was not counted."),
    "poll_not_text": N_("Only open-text polls have answers and words to hide."),
    "invalid_choice": N_("Please choose one of the options."),
    "too_many_choices": N_("That is more choices than this poll allows."),
    "value_out_of_range": N_("Please pick a value on the scale."),
    "ranking_incomplete": N_("Please put every option in your order."),
    "points_missing": N_("Please give at least one point."),
    "points_over_budget": N_("That is more points than you have."),
    "points_over_max": N_("That is more points than one option may get."),
    "text_missing": N_("Please write an answer first."),
    "text_too_long": N_("Please keep your answer to 140 characters."),
    # World Café
    "cafe_missing": N_("Set up the World Café first."),
    "cafe_started": N_("The café has started; its tables can no longer be set up again."),
    "cafe_over": N_("All rounds of the café are done."),
    "round_running": N_("A round is running. End it first."),
    "no_round_running": N_("No round is running."),
    "round_started": N_("That round has started: nobody moves during a round."),
    "tables_invalid": N_("Please give 1 to 100 tables, one topic per line."),
    "rounds_invalid": N_("Please plan 1 to 12 rounds."),
    "minutes_invalid": N_("Rounds last up to 240 minutes, a changeover up to 60."),
    "topic_missing": N_("Please give every table a topic."),
    "topic_too_long": N_("Please keep each table topic under 120 characters."),
    "capacity_invalid": N_("Seats per table: between 1 and 1000."),
    "table_not_found": N_("This table does not exist."),
    "table_full": N_("This table is full."),
    "participant_not_found": N_("This person is not (or no longer) part of the event."),
    "already_host": N_("This person already hosts another table."),
    "host_stays": N_("A host stays at their table. Choose another host first."),
    "not_host": N_(
        "You do not host this table in that round (any more), so these key points were "
        "not saved. Please copy them and give them to the moderators."
    ),
    "round_not_found": N_("That round has not started yet."),
    "notes_too_long": N_("Please keep the key points to 2,000 characters."),
    "names_unknown": N_(
        "A name under “keep apart” or “keep together” matches nobody in the event. "
        "Please check the spelling (as shown in the participant list)."
    ),
    # idea boards, dots, actions
    "board_not_found": N_("This board is not available."),
    "idea_not_found": N_("This card is not available (any more)."),
    "cluster_not_found": N_("This cluster is not available (any more)."),
    "prompt_missing": N_("Please enter a question or prompt for the board."),
    "prompt_too_long": N_("Please use a shorter prompt (at most 200 characters)."),
    "too_many_boards": N_("This event has as many boards as it can hold."),
    "categories_invalid": N_("At most 12 categories of up to 40 characters each, please."),
    "category_unknown": N_("Please choose one of the board's categories."),
    "idea_missing": N_("Please write something on your card first."),
    "idea_too_long": N_("Please keep your card to 280 characters."),
    "board_locked": N_("This board is closed for new cards and changes."),
    "board_full": N_("This board is full."),
    "too_many_ideas": N_("You have posted as many cards as one person may."),
    "not_your_idea": N_("You can only change your own cards."),
    "merge_invalid": N_("Only two different cards of the same board can be merged."),
    "cluster_name_too_long": N_("Please use a shorter cluster name (at most 60 characters)."),
    "too_many_clusters": N_("This board has as many clusters as it can hold."),
    "proposal_invalid": N_("This suggestion no longer fits the board. Please ask again."),
    "nothing_to_cluster": N_("There are no unclustered cards to suggest clusters for."),
    "suggest_failed": N_("The proposal could not be computed. Please try again."),
    "no_headings": N_("Write the headings first: sorting puts cards under the clusters’ names."),
    "no_proposal": N_("There is no suggestion to accept."),
    "dots_settings_invalid": N_("Dots: 1 to 50 per person, and at most that many on one item."),
    "dots_already_cast": N_("Dots have been cast: these settings would void ballots."),
    "dots_closed": N_("Dot voting is not open."),
    "dots_invalid_item": N_("Please put your dots on the items shown."),
    "dots_over_budget": N_("That is more dots than you have."),
    "dots_over_max": N_("That is more dots than one item may get."),
    "action_not_found": N_("This action is not available (any more)."),
    "action_title_missing": N_("Please give the action a title."),
    "action_too_long": N_("Title, description or owner is too long."),
    "due_invalid": N_("Please give the due date as a date."),
    "too_many_actions": N_("This event has as many actions as it can hold."),
    "consent_missing": N_("Please confirm that you agree first."),
    "name_missing": N_("Please give your name."),
    "contact_too_long": N_("Please use a shorter contact (at most 120 characters)."),
}


def _with_activities(own: dict[str, str]) -> dict[str, str]:
    """The transport's texts and every activity's (``Activity.reasons``); one key, one text."""
    clash = set(own) & set(ACTIVITY_REASONS)
    if clash:
        raise TypeError(f"refusal reasons with two texts: {sorted(clash)}")
    return {**own, **ACTIVITY_REASONS}


REASONS = _with_activities(REASONS)


def reason_text(lang: str, reason: str | None) -> str | None:
    if reason is None:
        return None
    return gettext(lang, REASONS.get(reason, REASONS["bad_message"]))
