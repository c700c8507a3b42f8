"""The JSON API: the same commands as the pages, with JSON replies.

For integrations (livestream overlays, exports) and the load tests. The
contract is documented in docs/api.md and served as OpenAPI at /schema.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody

from rooms import views
from rooms.base import Actor, Role
from rooms.codes import normalise_code
from rooms.lobby.domain import EventDetails, Format, Join, Language
from server.auth import key_hash, key_matches, new_key, new_participant_id
from server.hub import Hub
from server.i18n import from_accept_language, gettext, pick_language, reason_text
from server.services import Services, client_ip, services
from server.toolbox import Library, build_from_template
from server.wire import (
    CreateEventRequest,
    CreateEventResponse,
    ErrorResponse,
    EventInfo,
    EventLinks,
    JoinRequest,
    JoinResponse,
    StateResponse,
)

AnyRequest = Request[Any, Any, Any]

# reason -> the request field it is about, for field-level messages
_FIELDS = {
    "title_missing": "title",
    "title_too_long": "title",
    "name_too_long": "name",
    "retention_invalid": "retention_days",
}


class ApiError(HTTPException):
    """An error with a reason key, translated into the caller's language."""

    def __init__(self, status_code: int, reason: str, field: str | None = None) -> None:
        super().__init__(status_code=status_code, detail=reason)
        self.reason = reason
        self.field = field


def api_language(request: AnyRequest) -> str:
    return pick_language(from_accept_language(request.headers.get("accept-language")))


def api_error_handler(request: AnyRequest, exc: ApiError) -> Response[ErrorResponse]:
    lang = api_language(request)
    text = reason_text(lang, exc.reason) or exc.reason
    return Response(
        ErrorResponse(exc.status_code, text, exc.reason, exc.field), status_code=exc.status_code
    )


def validation_error_handler(
    request: AnyRequest, exc: ValidationException
) -> Response[ErrorResponse]:
    """Bad input is 422 with the field named, not a bare 400."""
    lang = api_language(request)
    field: str | None = None
    detail = str(exc.detail)
    extra = exc.extra
    if isinstance(extra, list) and extra and isinstance(extra[0], dict):
        key = str(extra[0].get("key", ""))
        field = key or None
        detail = str(extra[0].get("message", detail))
    text = gettext(lang, "Please check this field: %(field)s. %(detail)s") % {
        "field": field or "body",
        "detail": detail,
    }
    return Response(ErrorResponse(422, text, "invalid_input", field), status_code=422)


def bearer(request: AnyRequest) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def require_event(svc: Services, code: str) -> Hub:
    canonical = normalise_code(code)
    hub = await svc.rooms.get(canonical) if canonical else None
    if hub is None:
        raise ApiError(404, "unknown_event")
    return hub


@post("/api/events", status_code=201, tags=["events"])
async def create_event(
    request: AnyRequest, data: JSONBody[CreateEventRequest]
) -> CreateEventResponse:
    """Create an event (admin only). Returns its join code, moderator token and links."""
    svc = services(request)
    token = bearer(request)
    if token is None or not key_matches(token, key_hash(svc.admin_token)):
        raise ApiError(401, "not_allowed")
    template = None
    if data.template is not None:
        template = Library(svc.settings.data_path).get(data.template)
        if template is None:
            raise ApiError(422, "template_not_found", "template")
    key = new_key()
    details = EventDetails(
        place=data.place,
        organisers=data.organisers,
        region=data.region,
        retention_days=(
            svc.settings.retention_days if data.retention_days is None else data.retention_days
        ),
    )
    created = await svc.rooms.create_event(
        data.title or (template.name if template else ""),
        data.format or (template.format if template else Format.CUSTOM),
        data.language or (template.language if template else Language.DE),
        data.date,
        key_hash(key),
        details,
    )
    if not isinstance(created, str):
        raise ApiError(422, created.reason, _FIELDS.get(created.reason))
    hub = await require_event(svc, created)
    if template is not None:
        await build_from_template(hub, template)
    links = svc.links(created, key)
    assert links.moderator is not None
    lobby = hub.state.lobby
    return CreateEventResponse(
        code=created,
        moderator_token=key,
        links=EventLinks(moderator=links.moderator, screen=links.screen, join=links.join),
        title=lobby.title,
        format=lobby.format,
        language=lobby.language,
    )


@get("/api/events/{code:str}", tags=["events"])
async def event_info(request: AnyRequest, code: FromPath[str]) -> EventInfo:
    """Public information about an event, with live participant counts."""
    svc = services(request)
    hub = await require_event(svc, code)
    view = views.public_view(hub.state, hub.online_count)
    return EventInfo(
        code=view.code,
        title=view.title,
        format=view.format,
        language=view.language,
        date=view.date,
        status=view.status,
        participants=view.participants,
        join_url=svc.join_url(hub.code),
    )


@post("/api/events/{code:str}/participants", status_code=201, tags=["participants"])
async def join(
    request: AnyRequest, code: FromPath[str], data: JSONBody[JoinRequest]
) -> JoinResponse:
    """Join an event as a participant. The token identifies you on the live socket.

    Send a random ``Idempotency-Key`` (16 to 200 characters, e.g. a UUID) to
    make a retry safe: the same key from the same address is answered with
    the same participant. Keep it secret, as it stands for your identity
    until you have the token.
    """
    svc = services(request)
    hub = await require_event(svc, code)
    if (busy := svc.join_refusal(client_ip(request), hub.code)) is not None:
        raise ApiError(429, busy)
    actor, cid = join_scope(
        svc, hub.code, client_ip(request), request.headers.get("idempotency-key")
    )
    result = await hub.submit(
        actor, Join(new_participant_id(), data.name, data.organisation_type), cid
    )
    if not result.ok or result.id is None:
        status = {
            "event_closed": 409,
            "event_full": 409,
            "joining_locked": 409,
            "rate_limited": 429,
        }.get(result.reason or "", 422)
        if result.reason == "store_unavailable":
            status = 503
        raise ApiError(status, result.reason or "bad_message", _FIELDS.get(result.reason or ""))
    return JoinResponse(result.id, svc.signer.participant_token(hub.code, result.id))


_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{16,200}$")


def join_scope(svc: Services, code: str, address: str, key: str | None) -> tuple[Actor, str | None]:
    """Who a join is, for its resends: the Idempotency-Key, from the address that sent it.

    The key is the only thing a client holds before it has joined, so it is
    treated as a secret: at least 16 printable characters (a random UUID),
    bound to the sending address, and kept in the log only as an HMAC. A
    resend from elsewhere, or with another key, is a new join; it never
    receives the first joiner's identity.
    """
    if key is None:
        return Actor(Role.GUEST), None
    if not _IDEMPOTENCY_KEY.match(key):
        raise ApiError(422, "idempotency_key_invalid")
    return Actor(Role.GUEST, client=svc.signer.derive("api-join", code, address, key)), "join"


# The state's fields come from every activity's views (rooms/views.py builds the Struct at
# start-up), so /schema describes them from that very Struct: Q&A, speakers and the rest.
StateDocument = msgspec.defstruct(
    "StateResponse", [("seq", int), ("state", views.ModeratorView)], module=__name__
)


@get(
    "/api/events/{code:str}/state",
    tags=["events"],
    responses={200: ResponseSpec(data_container=StateDocument, description="The state")},
)
async def moderator_state(request: AnyRequest, code: FromPath[str]) -> StateResponse:
    """The full moderator view of an event (moderator token as Bearer)."""
    svc = services(request)
    hub = await require_event(svc, code)
    token = bearer(request)
    if token is None:
        raise ApiError(401, "not_allowed")
    if not key_matches(token, hub.state.lobby.moderator_key_hash):
        raise ApiError(403, "bad_token")
    return StateResponse(hub.state.seq, views.moderator_view(hub.state, hub.online))


@get("/healthz", include_in_schema=False)
async def healthz(request: AnyRequest) -> Response[dict[str, Any]]:
    """200 when the server can serve events; 503 with the reason while Redis is away."""
    svc = services(request)
    problem = svc.problem
    body = {"ok": problem is None, "rooms_loaded": svc.rooms.loaded, "problem": problem}
    return Response(body, status_code=200 if problem is None else 503)
