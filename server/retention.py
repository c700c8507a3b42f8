"""Retention: an event's personal data is deleted once its retention period has passed.

Each event has a period in days (set at creation, default
``DIALOGRAUM_RETENTION_DAYS``, 90), counted from the end of the event's date
(or from its creation, when it has no date), in the server's time zone. A
sweep runs an hour after start and then every hour: it deletes everyone's
personal data (:func:`server.privacy.erase_everyone`) in each event that is
due and not yet erased. Surveys (issue 17) follow the same period after their
end date, for their personal answers (contacts) only. The clock is an
argument, so the tests move it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from zoneinfo import ZoneInfo

import msgspec
from babel.dates import format_date

from rooms.base import Actor, Role
from rooms.lobby.domain import Lobby
from rooms.surveys.definition import Survey
from rooms.surveys.log import holds_personal
from server import slides
from server.privacy import erase_everyone
from server.report import logo
from server.services import Services
from server.surveys.store import SurveyStore

log = logging.getLogger("dialograum.retention")
DAY_MS = 86_400_000


def deletion_due_at(lobby: Lobby, default_days: int, timezone: str) -> int:
    """When the event's personal data is deleted (ms since the epoch)."""
    days = lobby.details.retention_days or default_days
    start = lobby.created_at
    if lobby.date:
        with contextlib.suppress(ValueError):
            day = dt.date.fromisoformat(lobby.date) + dt.timedelta(days=1)
            midnight = dt.datetime.combine(day, dt.time(), ZoneInfo(timezone))
            start = int(midnight.timestamp() * 1000)
    return start + days * DAY_MS


class PrivacyInfo(msgspec.Struct, frozen=True):
    """What the console says about the event's personal data."""

    erased: bool
    due: str  # the day the deletion happens, in the event's language


def privacy_info(lobby: Lobby, default_days: int, timezone: str, lang: str) -> PrivacyInfo:
    due = deletion_due_at(lobby, default_days, timezone)
    day = dt.datetime.fromtimestamp(due / 1000, ZoneInfo(timezone)).date()
    return PrivacyInfo(lobby.erased, format_date(day, format="long", locale=lang))


async def sweep(svc: Services, now: int) -> list[str]:
    """Erase the personal data of every event that is due; returns their codes."""
    settings = svc.settings
    erased = []
    for code in await svc.rooms.store.rooms():
        hub = await svc.rooms.get(code)
        if hub is None:
            continue
        lobby = hub.state.lobby
        if lobby.erased or now < deletion_due_at(lobby, settings.retention_days, settings.timezone):
            continue
        result = await erase_everyone(svc, hub, Actor(Role.ADMIN))
        if result.ok:
            erased.append(code)
            logo.remove(settings.data_path, code)
            slides.remove_all(settings.data_path, code)
            log.info("room %s: retention period over, personal data deleted", code)
        else:
            log.warning("room %s: retention deletion failed: %s", code, result.reason)
    return erased


def survey_due_at(survey: Survey, default_days: int, timezone: str) -> int | None:
    """When a survey's contacts are deleted (ms since the epoch): the retention
    period after the end of its last day; None while it has no end date (it is
    still open, and its contacts stay until it ends or is deleted).
    """
    if not survey.ends:
        return None
    try:
        day = dt.date.fromisoformat(survey.ends) + dt.timedelta(days=1)
    except ValueError:
        return None
    midnight = dt.datetime.combine(day, dt.time(), ZoneInfo(timezone))
    return int(midnight.timestamp() * 1000) + default_days * DAY_MS


async def sweep_surveys(svc: Services, surveys: SurveyStore, now: int) -> list[str]:
    """Remove the contacts of every survey that is due; returns their codes.

    Only the personal answers go (the questions marked ``personal``); the
    anonymous answers stay until the organiser deletes the survey.
    """
    settings = svc.settings
    erased = []
    for code in await surveys.codes():
        state = await surveys.get(code)
        if state is None:
            continue
        due = survey_due_at(state.definition, settings.retention_days, settings.timezone)
        if due is None or now < due or not holds_personal(state):
            continue
        if await surveys.erase_personal(code, now):
            erased.append(code)
            log.info("survey %s: retention period over, contacts deleted", code)
    return erased


async def run(svc: Services, every_s: float = 3600.0) -> None:
    """The hourly sweep, for the app's lifespan; an error is logged and tried again later."""
    surveys = SurveyStore(svc.rooms.store)
    while True:
        await asyncio.sleep(every_s)
        try:
            now = time.time_ns() // 1_000_000
            await sweep(svc, now)
            await sweep_surveys(svc, surveys, now)
        except Exception:
            log.exception("retention sweep failed; trying again in %.0f s", every_s)
