"""What the survey API and pages share: the store, who asks, labels and messages."""

from __future__ import annotations

import re
import secrets
import time
from datetime import timedelta
from typing import Any

import msgspec
from litestar import Request
from litestar.datastructures import Cookie

from rooms.surveys.definition import OTHER, REASONS, Question, Survey
from rooms.surveys.edit import blank
from rooms.surveys.log import SurveyState
from server.auth import key_matches, moderator_cookie
from server.i18n import N_, gettext, reason_text
from server.ratelimit import TokenBuckets
from server.render import _date
from server.report.labels import org_labels
from server.services import Services, client_ip, services
from server.surveys.store import SurveyStore, normalise_survey_code, today_here

AnyRequest = Request[Any, Any, Any]
YEAR = 365 * 24 * 3600
_RESUME = re.compile(r"^[A-Za-z0-9_-]{22,64}$")

OTHER_LABEL = N_("Other (please specify)")


BLANK = "leer"
"""The template choice of an empty survey, built in the builder."""


def blank_survey(lang: str) -> Survey:
    """An empty survey to build on, not open before tomorrow (so no half-built card shows).

    The organiser opens it in the builder ("Jetzt öffnen") or sets its dates.
    """
    lang = lang if lang in ("de", "en") else "de"
    survey = blank(
        gettext(lang, "New questionnaire"),
        gettext(lang, "Section 1"),
        gettext(lang, "Your first question"),
        lang,
    )
    tomorrow = (today_here() + timedelta(days=1)).isoformat()
    return msgspec.structs.replace(survey, starts=tomorrow)


def survey_store(request: AnyRequest) -> SurveyStore:
    """One store per app, made on first use (the event store is open by then)."""
    state = request.app.state
    store = state.get("surveys")
    if store is None:
        store = SurveyStore(services(request).rooms.store)
        state["surveys"] = store
    return store


def write_allowed(request: AnyRequest) -> bool:
    """Answers and drafts from one address: a venue's burst, then a steady rate.

    Its own buckets with the join's settings (``DIALOGRAUM_JOIN_BURST``,
    ``DIALOGRAUM_JOIN_PER_SECOND``): a hall behind one NAT answers at once,
    a script that floods a survey's log runs dry.
    """
    state = request.app.state
    buckets = state.get("survey_writes")
    if buckets is None:
        settings = services(request).settings
        buckets = TokenBuckets(settings.join_burst, settings.join_per_second)
        state["survey_writes"] = buckets
    allowed: bool = buckets.allow(client_ip(request), time.monotonic())
    return allowed


async def find(request: AnyRequest, raw: str) -> SurveyState | None:
    code = normalise_survey_code(raw)
    return await survey_store(request).get(code) if code else None


def message(lang: str, reason: str, **values: str) -> str:
    """A refusal in the user's language; the survey's dates where it is not open."""
    text = REASONS.get(reason)
    if text is None:
        return reason_text(lang, reason) or reason
    out = gettext(lang, text)
    return out % values if values else out


def closed_message(lang: str, survey: Survey, reason: str) -> str:
    """ "This survey has closed. It was open from … to …" (issue 17: say so, with the dates)."""
    text = message(lang, reason)
    starts, ends = _date(lang, survey.starts), _date(lang, survey.ends)
    if starts and ends:
        span = gettext(lang, "Survey period: %(starts)s to %(ends)s.")
    elif starts:
        span = gettext(lang, "Start of the survey: %(starts)s.")
    elif ends:
        span = gettext(lang, "End of the survey: %(ends)s.")
    else:
        return text
    return f"{text} {span % {'starts': starts, 'ends': ends}}"


def moderator_key(request: AnyRequest) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.query_params.get("key") or request.cookies.get(moderator_cookie_name(request))


def moderator_cookie_name(request: AnyRequest) -> str:
    code = normalise_survey_code(str(request.path_params.get("code", ""))) or ""
    return f"dg_sm_{code}"


async def is_moderator(request: AnyRequest, state: SurveyState) -> bool:
    """The survey's moderator token (header, ``?key=`` or cookie), the admin, or,
    for a survey made for an event, that event's moderator (console cookie or
    bearer token): the moderator who made it in the console opens its results
    with the rights they already hold, without a second key to keep.
    """
    from server.pages import is_admin  # the pages import the whole app's helpers

    if key_matches(moderator_key(request), state.created.moderator_hash):
        return True
    svc = services(request)
    if is_admin(svc, request):
        return True
    event = state.created.event
    if not event:
        return False
    hub = await svc.rooms.get(event)
    if hub is None:
        return False
    event_hash = hub.state.lobby.moderator_key_hash
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    bearer_token = token.strip() if scheme.lower() == "bearer" else None
    return key_matches(bearer_token, event_hash) or key_matches(
        request.cookies.get(moderator_cookie(event)), event_hash
    )


def resume_cookie(code: str) -> str:
    return f"dg_s_{code}"


def resume_token(request: AnyRequest, code: str) -> str | None:
    value = request.cookies.get(resume_cookie(code))
    return value if value is not None and _RESUME.match(value) else None


def valid_resume(value: str | None) -> bool:
    return value is not None and _RESUME.match(value) is not None


def new_resume_token() -> str:
    return secrets.token_urlsafe(18)


def respondent_key(svc: Services, code: str, token: str) -> str:
    """What the log keeps of a respondent: an HMAC, never the token in the cookie."""
    return svc.signer.derive("survey", code, token)


def resume_cookie_for(svc: Services, code: str, token: str) -> Cookie:
    return Cookie(
        key=resume_cookie(code),
        value=token,
        path="/",
        max_age=YEAR,
        httponly=True,
        samesite="lax",
        secure=svc.base_url.startswith("https://"),
    )


def option_labels(lang: str, q: Question) -> dict[str, str]:
    """Every option key of a question with its label (organisation types translated)."""
    labels = {o.id: o.label for o in q.choices()}
    if q.kind == "organisation" and not q.options:
        labels = {key: org_labels(lang).get(key, key) for key in labels}
    if q.other:
        labels[OTHER] = gettext(lang, OTHER_LABEL)
    return labels
