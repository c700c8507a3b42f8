"""An event's surveys in its console and on its phones (issue 17, "attached to an event").

A survey made with ``?event=`` (API) or from the console records the event's
join code (``SurveyCreated.event``). The console lists those surveys (name,
period, responses, results, a respond link with its QR code) and makes a new
one from the expectations or feedback template with the moderator's own
rights: the console cookie, no second key. The results page accepts that
cookie too (:func:`server.surveys.common.is_moderator`). Phones see a card
for each survey that is open today, at the end of the page, out of the way of
the live activities.
"""

from __future__ import annotations

import time
from typing import Any

import msgspec
from litestar import post
from litestar.params import FromPath
from litestar.response import Redirect, Response

from rooms.agenda.domain import UpdatePhase
from rooms.base import Actor, Role
from rooms.surveys.definition import Survey, definition_problems, status
from rooms.surveys.log import SurveyCreated, SurveyState
from rooms.surveys.templates import template
from server.auth import key_hash, new_key
from server.csrf import FIELD as CSRF_FIELD
from server.i18n import gettext, reason_text
from server.qr import qr_svg
from server.services import Services
from server.surveys.common import BLANK, AnyRequest, blank_survey, survey_store
from server.surveys.live import survey_changed
from server.surveys.pages import render as svc_render
from server.surveys.store import normalise_survey_code, today_here

CONSOLE_TEMPLATES = ("erwartungen", "feedback")
"""The templates an event's moderator picks from: before the event, and after it."""


class EventSurvey(msgspec.Struct, frozen=True):
    """One of the event's surveys, as the console and the phones show it."""

    code: str
    title: str
    status: str  # not_yet, open, closed
    starts: str | None
    ends: str | None
    responses: int
    respond: str  # the participants' link
    results: str  # the moderator's results page (the console cookie opens it)
    qr: str  # SVG of the respond link


def view(svc: Services, state: SurveyState, with_qr: bool) -> EventSurvey:
    survey = state.definition
    code = state.created.code
    respond = f"{svc.base_url.rstrip('/')}/u/{code}"
    return EventSurvey(
        code,
        survey.title,
        status(survey, today_here()),
        survey.starts,
        survey.ends,
        len(state.responses),
        respond,
        f"/u/{code}/ergebnisse",
        qr_svg(respond) if with_qr else "",
    )


async def event_surveys(request: AnyRequest, svc: Services, event: str) -> list[EventSurvey]:
    """Every survey of the event, with QR codes, for its console."""
    return [view(svc, s, True) for s in await survey_store(request).for_event(event)]


async def open_surveys(request: AnyRequest, svc: Services, event: str) -> list[EventSurvey]:
    """The event's surveys open today, for its phones (no QR: they are on the phone)."""
    found = [view(svc, s, False) for s in await survey_store(request).for_event(event)]
    return [s for s in found if s.status == "open"]


@post("/console/{code:str}/umfragen", include_in_schema=False, status_code=303)
async def create_for_event(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    """A survey for this event from a template, by its moderator; back to the console."""
    from server.pages import (  # the pages import the surveys' routes
        console_denied,
        form_ok,
        form_refused,
        is_moderator,
        page_language,
        room_of,
    )
    from server.services import services

    svc = services(request)
    hub = await room_of(svc, code)
    lang = page_language(request, hub)
    if not is_moderator(request, hub):
        return console_denied(svc, lang)
    form = await request.form()
    back = f"/console/{hub.code}#surveys-panel"
    if not form_ok(svc, request, form.get(CSRF_FIELD)):
        return form_refused(svc, request, lang, back)
    name = str(form.get("template") or "")
    language = hub.state.lobby.language.value
    if name == BLANK:
        survey: Survey | None = blank_survey(language)
    else:
        survey = template(name, language) if name in CONSOLE_TEMPLATES else None
    if survey is None:
        return Redirect(back, status_code=303)
    ends = str(form.get("ends") or "") or None
    survey = msgspec.structs.replace(
        survey, starts=None if name != BLANK else survey.starts, ends=ends
    )
    if definition_problems(survey):  # a date the browser let through but the survey refuses
        survey = msgspec.structs.replace(survey, ends=None)
    key = new_key()  # the survey's own key; the event's moderator does not need it
    now = time.time_ns() // 1_000_000
    made = survey
    created = await survey_store(request).create(
        lambda c: SurveyCreated(
            c, made, key_hash(key), now, None if name == BLANK else name, hub.code
        )
    )
    await survey_changed(request, hub.code)
    if name == BLANK:
        return Redirect(f"/u/{created.code}/bearbeiten", status_code=303)
    return Redirect(back, status_code=303)


def survey_ref(code: str) -> str:
    """How an agenda phase names one of the event's surveys (rooms/agenda/domain.py, REF)."""
    return f"survey:{code}"


@post("/console/{code:str}/umfragen/{survey:str}/phase", include_in_schema=False, status_code=303)
async def show_in_phase(
    request: AnyRequest, code: FromPath[str], survey: FromPath[str]
) -> Response[Any]:
    """Let one agenda phase show the survey (or none): its phones' card then moves with it.

    The phase's activities get ``survey:CODE`` (and every other phase loses it),
    through the agenda's own ``agenda.update_phase``: phones hide the card while
    only a later phase names it and put it right under the agenda while that
    phase runs (static/agenda.js). Without a phase the card stays at the end.
    """
    from server.pages import (  # the pages import the surveys' routes
        console_denied,
        form_ok,
        form_refused,
        is_moderator,
        page_language,
        room_of,
    )
    from server.services import services

    svc = services(request)
    hub = await room_of(svc, code)
    lang = page_language(request, hub)
    if not is_moderator(request, hub):
        return console_denied(svc, lang)
    form = await request.form()
    back = f"/console/{hub.code}#surveys-panel"
    if not form_ok(svc, request, form.get(CSRF_FIELD)):
        return form_refused(svc, request, lang, back)
    state = await survey_store(request).get(normalise_survey_code(survey) or "")
    if state is None or state.created.event != hub.code:
        return Redirect(back, status_code=303)
    ref = survey_ref(state.created.code)
    target = str(form.get("phase") or "")
    for phase in hub.state.agenda.in_order():
        if (ref in phase.activities) == (phase.id == target):
            continue
        refs = [r for r in phase.activities if r != ref] + ([ref] if phase.id == target else [])
        result = await hub.submit(
            Actor(Role.MODERATOR), UpdatePhase(phase=phase.id, activities=refs), None
        )
        if not result.ok:
            title = reason_text(lang, result.reason or "") or gettext(lang, "Not saved.")
            return svc_render(svc, lang, "message.html", 422, title=title, text="")
    return Redirect(back, status_code=303)


ROUTES = [create_for_event, show_in_phase]
