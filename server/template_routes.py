"""HTTP for the Werkzeugkiste: list, import and export templates (docs/api.md).

``GET /api/templates`` lists the library (built-in and the instance's own),
``POST /api/templates`` imports a ``.dialograum.json`` file (admin token),
``GET /api/events/{code}/template`` exports an event's structure as one
(moderator or admin token). Creating an event from a template is
``POST /api/events`` with ``{"template": id}`` (server/api.py).
"""

from __future__ import annotations

import re

from litestar import Response, get, post
from litestar.params import FromPath, FromQuery

from server.api import AnyRequest, ApiError, api_language, bearer, require_event
from server.auth import key_hash, key_matches
from server.i18n import reason_text
from server.library_pages import error_text
from server.pages import is_moderator
from server.services import services
from server.toolbox import SUFFIX, Library, TemplateError, TemplateInfo, encode, from_room, parse
from server.wire import ErrorResponse

MAX_FILE = 512 * 1024
"""The largest template file accepted: 40 phases and their drafts fit in a fraction."""


def _is_admin(request: AnyRequest) -> bool:
    svc = services(request)
    token = bearer(request)
    return token is not None and key_matches(token, key_hash(svc.admin_token))


@get("/api/templates", tags=["templates"])
async def list_templates(request: AnyRequest) -> list[TemplateInfo]:
    """Every template of this instance: the built-in ones first, then imported ones."""
    return Library(services(request).settings.data_path).all()


@post("/api/templates", status_code=201, tags=["templates"])
async def import_template(request: AnyRequest) -> Response[TemplateInfo | ErrorResponse]:
    """Import a ``.dialograum.json`` file (admin token as Bearer).

    The whole file is checked before anything is stored; a bad or foreign
    file is answered with 422 and a message naming the field. The same id
    again replaces the earlier import; a built-in id is refused.
    """
    if not _is_admin(request):
        raise ApiError(401, "not_allowed")
    raw = await request.body()
    try:
        if len(raw) > MAX_FILE:
            raise TemplateError(
                f"The file is larger than {MAX_FILE // 1024} KB.",
                None,
                "too_large",
                str(MAX_FILE // 1024),
            )
        template = parse(raw)
        library = Library(services(request).settings.data_path)
        library.save(template)
    except TemplateError as exc:
        lang = api_language(request)
        # the same translated sentence as the library page's, naming the field
        text = f"{reason_text(lang, 'template_invalid')} {error_text(lang, exc)}"
        return Response(ErrorResponse(422, text, "template_invalid", exc.field), status_code=422)
    return Response(library_info(library, template.id), status_code=201)


def library_info(library: Library, template_id: str) -> TemplateInfo:
    return next(i for i in library.all() if i.id == template_id)


_SLUG = re.compile(r"[^a-z0-9]+")


@get("/api/events/{code:str}/template", tags=["templates"])
async def export_template(
    request: AnyRequest,
    code: FromPath[str],
    name: FromQuery[str | None] = None,
    author: FromQuery[str] = "",
) -> Response[bytes]:
    """The event's structure as a template file: agenda, drafts of polls, boards, Q&A
    sessions and actions; no participants, votes, cards or questions (moderator token,
    or the console's cookie)."""
    svc = services(request)
    hub = await require_event(svc, code)
    token = bearer(request)
    if token is None and not is_moderator(request, hub):  # the console's link sends the cookie
        raise ApiError(401, "not_allowed")
    allowed = token is None or key_matches(token, hub.state.lobby.moderator_key_hash)
    if not (allowed or _is_admin(request)):
        raise ApiError(403, "bad_token")
    title = name or hub.state.lobby.title
    slug = _SLUG.sub("-", title.lower()).strip("-")[:40] or "event"
    template_id = f"{slug}-{hub.code.lower()}"
    body = encode(from_room(hub.state, template_id, title, author))
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{template_id}{SUFFIX}"'},
    )


ROUTES = (list_templates, import_template, export_template)
